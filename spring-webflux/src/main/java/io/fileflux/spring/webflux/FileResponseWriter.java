package io.fileflux.spring.webflux;

import io.fileflux.reactor.ReadOptions;
import io.fileflux.spring.ByteRanges;
import io.fileflux.spring.FileRegion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes a regular file as the answer to a {@code GET} or {@code HEAD}: validators ({@code ETag},
 * {@code Last-Modified}), conditional requests ({@link Preconditions}: {@code 304}, {@code 412}), byte ranges
 * as RFC 9110 §14 has them ({@link ByteRanges}: one range {@code 206} with {@code Content-Range}, several as
 * {@code multipart/byteranges} from one open file, {@code If-Range}, {@code 416} with
 * {@code Content-Range: bytes *}{@code /size}), and {@code HEAD} with the headers of a {@code GET} and no body.
 *
 * <p>Each body is sent the way the {@link TransferStrategy} of the options chooses (zero-copy or streamed
 * through Fileflux), logged at debug level and reported to the options' {@link TransferListener}.
 *
 * <p>Thread-safe and stateless beyond its options; one instance serves every request. {@link #write} does
 * not touch the file system except through the body it returns (the caller has read the metadata).
 */
public final class FileResponseWriter {

    private static final Logger LOG = LoggerFactory.getLogger(FileResponseWriter.class);

    private final FileServingOptions options;

    /** A writer with these options. */
    public FileResponseWriter(FileServingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The options. */
    public FileServingOptions options() {
        return options;
    }

    /**
     * Answers {@code request} with {@code file}: preconditions first, then the headers and the body (whole, one
     * range or several). An {@code ETag} already on the response is the one used and kept; otherwise the file's.
     *
     * @return completes when the response is written
     */
    public Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, FileMetadata file) {
        return write(request, response, file, true);
    }

    /** {@link #write}, with or without {@code Last-Modified} as a validator. */
    Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, FileMetadata file,
                     boolean useLastModified) {
        HttpHeaders out = response.getHeaders();
        String etag = out.getETag() != null ? out.getETag() : file.etag();
        // without Last-Modified as a validator, no date condition can hold or fail: a time before every date
        Instant lastModified = useLastModified ? file.lastModified() : Instant.MIN;
        Preconditions.Outcome outcome = Preconditions.evaluate(request.getHeaders(), lastModified, etag);
        out.setETag(etag);
        if (useLastModified && out.getLastModified() < 0) {
            out.setLastModified(file.lastModified());
        }
        if (outcome == Preconditions.Outcome.NOT_MODIFIED) {
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            out.remove(HttpHeaders.CONTENT_TYPE);
            out.remove(HttpHeaders.CONTENT_LENGTH);
            return response.setComplete();
        }
        if (outcome == Preconditions.Outcome.PRECONDITION_FAILED) {
            return plain(response, HttpStatus.PRECONDITION_FAILED, "412 precondition failed\n");
        }
        out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        long size = file.size();
        MediaType type = out.getContentType() != null ? out.getContentType() : file.mediaType();
        boolean head = HttpMethod.HEAD.equals(request.getMethod());
        String range = request.getHeaders().getFirst(HttpHeaders.RANGE);
        if (range == null || head || !Preconditions.rangeApplies(request.getHeaders(), lastModified, etag)) {
            return whole(request, response, file, type, head);
        }
        List<FileRegion> regions;
        try {
            Optional<List<FileRegion>> resolved = ByteRanges.resolve(range, size);
            if (resolved.isEmpty()) {
                // another range unit than bytes: ignored (RFC 9110 §14.2), the whole file
                return whole(request, response, file, type, false);
            }
            regions = resolved.get();
        } catch (IllegalArgumentException e) {
            out.set(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
            return plain(response, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "416 range not satisfiable: " + range + " of " + size + " bytes\n");
        }
        response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
        if (regions.size() == 1) {
            FileRegion r = regions.get(0);
            out.setContentType(type);
            out.set(HttpHeaders.CONTENT_RANGE, r.contentRange(size));
            out.setContentLength(r.length());
            return body(request, response, file, r.position(), r.length(), null);
        }
        String boundary = ByteRanges.newBoundary();
        out.setContentType(ByteRanges.multipartType(boundary));
        long length = ByteRanges.multipartLength(regions, size, type, boundary);
        out.setContentLength(length);
        return body(request, response, file, 0, regions.stream().mapToLong(FileRegion::length).sum(),
                new Multipart(regions, type, boundary));
    }

    /**
     * Writes {@code count} bytes of {@code file} from {@code position} as the whole body (a region a controller
     * chose: its status and headers are the caller's), zero-copy or streamed as the strategy decides.
     */
    Mono<Void> writeRegion(ServerHttpRequest request, ServerHttpResponse response, FileMetadata file, long position,
                           long count) {
        return count == 0 ? response.setComplete() : body(request, response, file, position, count, null);
    }

    private Mono<Void> whole(ServerHttpRequest request, ServerHttpResponse response, FileMetadata file,
                             MediaType type, boolean head) {
        HttpHeaders out = response.getHeaders();
        out.setContentType(type);
        out.setContentLength(file.size());
        if (head || file.size() == 0) {
            return response.setComplete();
        }
        return body(request, response, file, 0, file.size(), null);
    }

    /** The parts of a multipart body. */
    private record Multipart(List<FileRegion> regions, MediaType type, String boundary) {
    }

    private Mono<Void> body(ServerHttpRequest request, ServerHttpResponse response, FileMetadata file, long position,
                            long count, Multipart multipart) {
        TransferDecision decision = options.transfer().decide(request, response, multipart == null ? 1
                : multipart.regions().size());
        if (decision.transfer() == Transfer.ZERO_COPY && !(response instanceof ZeroCopyHttpOutputMessage)) {
            decision = TransferDecision.stream("the response has no zero-copy path (asked: " + decision.reason() + ")");
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} bytes {}-{} of {}: {} ({})", request.getMethod(), request.getPath().value(), position,
                    position + count - 1, file.path(), decision.transfer() == Transfer.ZERO_COPY ? "zero-copy"
                            : "streamed through Fileflux", decision.reason());
        }
        options.listener().onTransfer(file.path(), position, count, decision);
        options.customizer().beforeBody(response, decision);
        if (decision.transfer() == Transfer.ZERO_COPY) {
            return ((ZeroCopyHttpOutputMessage) response).writeWith(file.path(), position, count);
        }
        ReadOptions read = options.customizer().readOptions(options.readOptions(), response);
        Flux<DataBuffer> body = multipart == null
                ? ByteRanges.single(file.path(), new FileRegion(position, count), response.bufferFactory(), read)
                : ByteRanges.multipart(file.path(), multipart.regions(), file.size(), multipart.type(),
                        multipart.boundary(), response.bufferFactory(), read);
        return response.writeWith(options.customizer().body(body, response));
    }

    /** A short plain-text answer (errors). */
    static Mono<Void> plain(ServerHttpResponse response, HttpStatus status, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(status);
        HttpHeaders out = response.getHeaders();
        out.setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
        out.setContentLength(bytes.length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
    }
}
