package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.core.codec.ResourceRegionEncoder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.EncoderHttpMessageWriter;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * Writes a {@link ResourceRegion} that a controller returns (a {@code Mono<ResourceRegion>} or a plain
 * {@code ResourceRegion}, with the status and headers the controller chose): a region of a file of the default
 * file system goes zero-copy or through Fileflux as the {@link TransferStrategy} decides; it gets
 * {@code 206}, {@code Content-Range} and {@code Content-Length} when the controller set none. Several regions
 * ({@code Flux<ResourceRegion>}, a multipart body) and regions of other resources go to Spring's
 * {@link ResourceRegionEncoder} unchanged. Thread-safe.
 */
public class FilefluxResourceRegionHttpMessageWriter implements HttpMessageWriter<ResourceRegion> {

    private final FileResponseWriter writer;
    private final EncoderHttpMessageWriter<ResourceRegion> spring = new EncoderHttpMessageWriter<>(new ResourceRegionEncoder());

    /** A writer with these options. */
    public FilefluxResourceRegionHttpMessageWriter(FileServingOptions options) {
        this.writer = new FileResponseWriter(Objects.requireNonNull(options, "options"));
    }

    @Override
    public List<MediaType> getWritableMediaTypes() {
        return spring.getWritableMediaTypes();
    }

    @Override
    public boolean canWrite(ResolvableType elementType, MediaType mediaType) {
        return spring.canWrite(elementType, mediaType);
    }

    /** Client side, or no request at hand: Spring's encoder. */
    @Override
    public Mono<Void> write(Publisher<? extends ResourceRegion> inputStream, ResolvableType elementType,
                            MediaType mediaType, ReactiveHttpOutputMessage message, Map<String, Object> hints) {
        return spring.write(inputStream, elementType, mediaType, message, hints);
    }

    @Override
    public Mono<Void> write(Publisher<? extends ResourceRegion> inputStream, ResolvableType actualType,
                            ResolvableType elementType, MediaType mediaType, ServerHttpRequest request,
                            ServerHttpResponse response, Map<String, Object> hints) {
        if (!(inputStream instanceof Mono)) {
            return spring.write(inputStream, actualType, elementType, mediaType, request, response, hints);
        }
        return Mono.from(inputStream).flatMap(region -> {
            Path path = FilefluxResourceHttpMessageWriter.filePath(region.getResource());
            FileMetadata file;
            try {
                file = path == null ? null : FileMetadata.of(path);
            } catch (IOException e) {
                file = null;
            }
            if (file == null || region.getPosition() + region.getCount() > file.size()) {
                return spring.write(Mono.just(region), actualType, elementType, mediaType, request, response, hints);
            }
            HttpHeaders out = response.getHeaders();
            if (response.getStatusCode() == null || response.getStatusCode().value() == 200) {
                response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
            }
            if (out.getFirst(HttpHeaders.CONTENT_RANGE) == null && region.getCount() > 0) {
                out.set(HttpHeaders.CONTENT_RANGE, "bytes " + region.getPosition() + "-"
                        + (region.getPosition() + region.getCount() - 1) + "/" + file.size());
            }
            if (out.getContentType() == null) {
                out.setContentType(mediaType != null && mediaType.isConcrete() ? mediaType : file.mediaType());
            }
            out.setContentLength(region.getCount());
            out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
            return writer.writeRegion(request, response, file, region.getPosition(), region.getCount());
        });
    }
}
