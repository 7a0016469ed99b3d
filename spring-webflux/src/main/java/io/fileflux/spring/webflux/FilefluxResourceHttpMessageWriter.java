package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.ResourceHttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * Spring's {@link ResourceHttpMessageWriter} with file-system resources served through
 * {@link FileResponseWriter}: RFC 9110 ranges and preconditions (our order), {@code If-Range}, {@code 416},
 * {@code multipart/byteranges} from one open file, and zero-copy or Fileflux per response as the
 * {@link TransferStrategy} chooses. Resources that are not files of the default file system (in a jar, in
 * memory, behind a URL) go to Spring's own code unchanged.
 *
 * <p>Register it where Spring writes {@code Resource}s: as a custom codec ({@code CodecConfigurer.customCodecs()},
 * which controllers returning a {@code Resource} and {@code RouterFunctions.resources} use), and on each
 * {@code ResourceWebHandler} ({@code setResourceHttpMessageWriter}: static resources, which do not use the
 * codecs). The Spring Boot starter does both.
 *
 * <p>Thread-safe; one instance can serve every request.
 */
public class FilefluxResourceHttpMessageWriter extends ResourceHttpMessageWriter {

    private static final Logger LOG = LoggerFactory.getLogger(FilefluxResourceHttpMessageWriter.class);

    private final FileResponseWriter writer;
    private final boolean useLastModified;

    /** A writer with these options, {@code Last-Modified} used as a validator. */
    public FilefluxResourceHttpMessageWriter(FileServingOptions options) {
        this(options, true);
    }

    /**
     * @param options         how files are sent
     * @param useLastModified whether {@code Last-Modified} is sent and used as a validator (a
     *                        {@code ResourceWebHandler} configured not to use it passes false)
     */
    public FilefluxResourceHttpMessageWriter(FileServingOptions options, boolean useLastModified) {
        this.writer = new FileResponseWriter(Objects.requireNonNull(options, "options"));
        this.useLastModified = useLastModified;
    }

    /** The writer of file responses (its options). */
    public FileResponseWriter fileWriter() {
        return writer;
    }

    /** Whether {@code Last-Modified} is sent and used as a validator. */
    public boolean useLastModified() {
        return useLastModified;
    }

    @Override
    public Mono<Void> write(Publisher<? extends Resource> inputStream, ResolvableType actualType,
                            ResolvableType elementType, MediaType mediaType, ServerHttpRequest request,
                            ServerHttpResponse response, Map<String, Object> hints) {
        return Mono.from(inputStream).flatMap(resource -> {
            Path path = filePath(resource);
            if (path == null) {
                return super.write(Mono.just(resource), actualType, elementType, mediaType, request, response, hints);
            }
            FileMetadata file;
            try {
                file = FileMetadata.of(path);
            } catch (IOException e) {
                // vanished since it was resolved, or its attributes cannot be read: Spring's answer
                return super.write(Mono.just(resource), actualType, elementType, mediaType, request, response, hints);
            }
            if (!Files.isReadable(path)) {
                LOG.warn("403 {} {}: cannot read {} (the server may not read it)", request.getMethod(),
                        request.getPath().value(), path);
                return FileResponseWriter.plain(response, HttpStatus.FORBIDDEN, "403 forbidden\n");
            }
            if (mediaType != null && mediaType.isConcrete() && !mediaType.equals(MediaType.APPLICATION_OCTET_STREAM)) {
                response.getHeaders().setContentType(mediaType);
            }
            return writer.write(request, response, file, useLastModified);
        });
    }

    /**
     * {@code HEAD} of a static resource ({@code ResourceWebHandler} calls this instead of {@code write}): Spring's
     * headers, plus the validators a {@code GET} would send for a file.
     */
    @Override
    public Mono<Void> addDefaultHeaders(ReactiveHttpOutputMessage message, Resource resource, MediaType contentType,
                                        Map<String, Object> hints) {
        Path path = filePath(resource);
        if (path != null && message instanceof ServerHttpResponse) {
            try {
                FileMetadata file = FileMetadata.of(path);
                HttpHeaders headers = message.getHeaders();
                if (headers.getETag() == null) {
                    headers.setETag(file.etag());
                }
                if (useLastModified && headers.getLastModified() < 0) {
                    headers.setLastModified(file.lastModified());
                }
            } catch (IOException e) {
                // no validators: Spring's headers only
            }
        }
        return super.addDefaultHeaders(message, resource, contentType, hints);
    }

    /** The resource's file on the default file system, or null if it is none. */
    static Path filePath(Resource resource) {
        if (!resource.isFile()) {
            return null;
        }
        try {
            Path path = resource.getFilePath();
            return path.getFileSystem() == FileSystems.getDefault() && Files.isRegularFile(path) ? path : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
