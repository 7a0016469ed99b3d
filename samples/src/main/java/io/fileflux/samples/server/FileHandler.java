package io.fileflux.samples.server;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineStats;
import io.fileflux.reactor.ReadOptions;
import io.fileflux.spring.ByteRanges;
import io.fileflux.spring.FileDataBuffers;
import io.fileflux.spring.FileRegion;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The file server's handlers: files with validators, conditional requests and byte ranges, directory
 * listings, and the status endpoint (live tails are {@link LiveTail}'s). Every file body is read
 * through Fileflux ({@link FileDataBuffers}, {@link ByteRanges}); a client going away cancels the reads
 * in flight and closes the file.
 *
 * <p>Threading: handlers run on Reactor Netty's event loop; the metadata calls ({@code stat}) are
 * short and run there, directory listings run on {@code boundedElastic}.
 */
final class FileHandler {

    private final FileServerSettings settings;
    private final LiveTail live;
    private final ReadOptions options;
    private final AtomicLong activeResponses = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    /** The file bodies being written, gated on their connection's writability. */
    private final Set<WritableDemand.Gate<?>> gates = ConcurrentHashMap.newKeySet();
    private final BufferPool pool;

    FileHandler(FileServerSettings settings, LiveTail live) {
        this.settings = settings;
        this.live = live;
        // one pool for the whole server: a read buffer goes back as soon as it is copied into Netty's
        // each body holds at most its reads in flight (chunks are copied into Netty's buffers at once): the
        // capacity allows that for 4,096 concurrent downloads, and still catches a leak
        this.pool = new BufferPool(settings.chunkSize(), Math.max(64, settings.inFlight() * 16),
                Math.max(64, settings.inFlight() * 4096));
        this.options = ReadOptions.defaults().engine(settings.engine()).maxInFlight(settings.inFlight()).pooled(pool);
    }

    /**
     * {@code GET /_fileflux/status}: the engine's open files and operations in flight, this server's counters,
     * the file bodies waiting for their client to read, and the direct memory held by Netty's allocator and
     * by the JVM.
     */
    Mono<ServerResponse> status(ServerRequest request) {
        EngineStats s = settings.engine().stats();
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("engine", settings.engine().name());
        body.put("openFiles", s.openDevices());
        body.put("inFlight", s.inFlight());
        body.put("submitted", s.submitted());
        body.put("cancelled", s.cancelled());
        body.put("activeResponses", activeResponses.get());
        body.put("responses", responses.get());
        body.put("bytesRead", bytesRead.get());
        body.put("activeTails", live.activeTails());
        body.put("tailLines", live.linesSent());
        body.put("chunkSize", settings.chunkSize());
        body.put("maxInFlight", settings.inFlight());
        body.put("waitingForClient", gates.stream().filter(WritableDemand.Gate::waitingForClient).count());
        body.put("poolBuffersOut", pool.outstanding());
        body.put("nettyDirectMemory", nettyDirectMemory(request.exchange().getResponse().bufferFactory()));
        body.put("jvmDirectMemory", jvmDirectMemory());
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(body);
    }

    /** Any other method than GET and HEAD. */
    Mono<ServerResponse> notAllowed(ServerRequest request) {
        return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED).header(HttpHeaders.ALLOW, "GET, HEAD").build();
    }

    /** {@code GET}/{@code HEAD} of a path under the root. */
    Mono<ServerResponse> serve(ServerRequest request) {
        String rawPath = request.uri().getRawPath();
        SafePaths.Resolved resolved = SafePaths.resolve(settings.root(), rawPath);
        if (!resolved.ok()) {
            return plain(HttpStatus.valueOf(resolved.status()),
                    resolved.status() == 403 ? "403 forbidden\n" : "404 not found\n");
        }
        Path path = resolved.path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return plain(HttpStatus.NOT_FOUND, "404 not found\n");
        } catch (IOException e) {
            return plain(HttpStatus.FORBIDDEN, "403 forbidden\n");
        }
        if (attrs.isDirectory()) {
            return directory(request, path, rawPath);
        }
        if (!attrs.isRegularFile()) {
            return plain(HttpStatus.NOT_FOUND, "404 not found\n");
        }
        long size = attrs.size();
        Instant lastModified = attrs.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS);
        String etag = etag(attrs);
        MediaType type = contentType(path.getFileName().toString());
        int precondition = preconditions(request.headers().asHttpHeaders(), lastModified, etag);
        if (precondition == 304) {
            return ServerResponse.status(HttpStatus.NOT_MODIFIED).eTag(etag).lastModified(lastModified).build();
        }
        if (precondition == 412) {
            return plain(HttpStatus.PRECONDITION_FAILED, "412 precondition failed\n");
        }
        return file(request, path, size, lastModified, etag, type);
    }

    /**
     * The preconditions of a {@code GET}/{@code HEAD} of an existing file, evaluated as RFC 9110 §13.2.2
     * orders them: {@code If-Match} (strong comparison, {@code *} matches), else {@code If-Unmodified-Since};
     * then {@code If-None-Match} (weak comparison, {@code *} matches), else {@code If-Modified-Since}.
     * ({@code If-Range} is the range's business.) Dates that do not parse are ignored.
     *
     * @return 0 to go on, 412 (precondition failed) or 304 (not modified)
     */
    static int preconditions(HttpHeaders headers, Instant lastModified, String etag) {
        List<String> ifMatch = headers.get(HttpHeaders.IF_MATCH);
        if (ifMatch != null) {
            if (!ETags.matches(String.join(",", ifMatch), etag, true)) {
                return 412;
            }
        } else {
            Instant unmodifiedSince = date(headers, HttpHeaders.IF_UNMODIFIED_SINCE);
            if (unmodifiedSince != null && lastModified.isAfter(unmodifiedSince)) {
                return 412;
            }
        }
        List<String> ifNoneMatch = headers.get(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            return ETags.matches(String.join(",", ifNoneMatch), etag, false) ? 304 : 0;
        }
        Instant modifiedSince = date(headers, HttpHeaders.IF_MODIFIED_SINCE);
        if (modifiedSince != null && !lastModified.isAfter(modifiedSince)) {
            return 304;
        }
        return 0;
    }

    /** An HTTP-date header, or null if it is absent or not a date. */
    private static Instant date(HttpHeaders headers, String name) {
        try {
            long millis = headers.getFirstDate(name);
            return millis < 0 ? null : Instant.ofEpochMilli(millis);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Mono<ServerResponse> file(ServerRequest request, Path path, long size, Instant lastModified, String etag,
                                      MediaType type) {
        // The validators of a 200 are set as it is written, not on the builder: Spring's ServerResponse.writeTo
        // runs its own checkNotModified on a 200's ETag and Last-Modified, which ignores If-Match on GET and
        // HEAD and would turn our 200 into a 412 for a matching If-Match with a failing If-Unmodified-Since
        // (RFC 9110: the latter is then ignored), after Content-Length was set: a response without a body.
        // preconditions() has decided already.
        Consumer<HttpHeaders> validators = h -> {
            h.setETag(etag);
            h.setLastModified(lastModified);
        };
        ServerResponse.BodyBuilder ok = ServerResponse.ok()
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .contentType(type);
        boolean head = request.method() == HttpMethod.HEAD;
        String range = request.headers().firstHeader(HttpHeaders.RANGE);
        if (range == null || head || !ifRangeHolds(request, lastModified, etag)) {
            ok.contentLength(size);
            if (head) {
                return ok.build((exchange, context) -> {
                    validators.accept(exchange.getResponse().getHeaders());
                    return exchange.getResponse().setComplete();
                });
            }
            return ok.body(body((factory, opts) -> FileDataBuffers.read(path, factory, opts), validators));
        }
        List<FileRegion> regions;
        try {
            Optional<List<FileRegion>> ranges = ByteRanges.resolve(range, size);
            if (ranges.isEmpty()) {
                // another range unit than bytes: ignored (RFC 9110 §14.2), the whole file
                ok.contentLength(size);
                return ok.body(body((factory, opts) -> FileDataBuffers.read(path, factory, opts), validators));
            }
            regions = ranges.get();
        } catch (IllegalArgumentException e) {
            return ServerResponse.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                    .header(HttpHeaders.CONTENT_RANGE, "bytes */" + size)
                    .contentType(MediaType.TEXT_PLAIN)
                    .bodyValue("416 range not satisfiable: " + range + " of " + size + " bytes\n");
        }
        ServerResponse.BodyBuilder partial = ServerResponse.status(HttpStatus.PARTIAL_CONTENT)
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .eTag(etag)
                .lastModified(lastModified);
        if (regions.size() == 1) {
            FileRegion r = regions.get(0);
            return partial.contentType(type).contentLength(r.length())
                    .header(HttpHeaders.CONTENT_RANGE, r.contentRange(size))
                    .body(body((factory, opts) -> ByteRanges.single(path, r, factory, opts), h -> { }));
        }
        String boundary = ByteRanges.newBoundary();
        return partial.contentType(ByteRanges.multipartType(boundary))
                .contentLength(ByteRanges.multipartLength(regions, size, type, boundary))
                .body(body((factory, opts) -> ByteRanges.multipart(path, regions, size, type, boundary, factory, opts),
                        h -> { }));
    }

    /**
     * {@code If-Range} (RFC 9110 §13.1.5): the range applies only if the validator still matches — a strong
     * ETag equal to ours, or exactly our {@code Last-Modified}; otherwise the whole file is sent.
     */
    private static boolean ifRangeHolds(ServerRequest request, Instant lastModified, String etag) {
        String ifRange = request.headers().firstHeader(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        ifRange = ifRange.trim();
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(etag);
        }
        try {
            Instant date = ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return date.equals(lastModified);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** By extension (Spring's {@link MediaTypeFactory} table), text in UTF-8, octet-stream when unknown. */
    static MediaType contentType(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".md") || lower.endsWith(".markdown")) {
            return new MediaType("text", "markdown", StandardCharsets.UTF_8);
        }
        if (lower.endsWith(".log")) {
            return new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);
        }
        MediaType type = MediaTypeFactory.getMediaType(name).orElse(MediaType.APPLICATION_OCTET_STREAM);
        if (type.getType().equals("text") && type.getCharset() == null) {
            return new MediaType(type, StandardCharsets.UTF_8);
        }
        return type;
    }

    /** A strong validator from size, modification time and file identity. */
    static String etag(BasicFileAttributes attrs) {
        Object key = attrs.fileKey();
        long id = key == null ? 0 : key.hashCode() & 0xffffffffL;
        return "\"" + Long.toHexString(attrs.size()) + "-"
                + Long.toHexString(attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)) + "-"
                + Long.toHexString(id) + "\"";
    }

    /**
     * A body written with the response's own buffer factory, counted for the status endpoint.
     *
     * <p>File bodies close the connection after them ({@code Connection: close}). A file body
     * completes once its file is closed, a moment after the client has every byte Content-Length
     * promised; a request the client sends in that moment is queued by Reactor Netty 1.3.7, and a
     * queued request that completes synchronously (a 301, 304, 404...) makes the connection stop
     * reading (reactor-netty#4361, fixed after 1.3.7): the client's next request then hangs. Small
     * responses — redirects, revalidations, listings, errors — keep the connection alive.
     */
    private BodyInserter<Flux<DataBuffer>, ReactiveHttpOutputMessage> body(
            BodyReader reader, Consumer<HttpHeaders> headers) {
        return (message, context) -> {
            headers.accept(message.getHeaders());
            message.getHeaders().set(HttpHeaders.CONNECTION, "close");
            return writeCounted(message, reader);
        };
    }

    /** Reads a response body with the given buffer factory and read options. */
    @FunctionalInterface
    private interface BodyReader {
        Flux<DataBuffer> read(DataBufferFactory factory, ReadOptions options);
    }

    /**
     * Writes a file body asking the file for more only while the connection is writable ({@link WritableDemand}),
     * so that a client that stops reading holds about {@code 64 KiB + inFlight × chunkSize} on the server.
     */
    private Mono<Void> writeCounted(ReactiveHttpOutputMessage message, BodyReader reader) {
        Channel channel = channelOf(message);
        // delivered on the connection's event loop: each chunk reaches Netty's outbound buffer before the
        // gate looks at the channel's writability (from another thread it would only be queued for the
        // loop, and the gate would keep asking for more while the client reads nothing)
        ReadOptions opts = channel == null ? options
                : options.deliverOn(Schedulers.fromExecutor(channel.eventLoop()));
        Flux<DataBuffer> body = reader.read(message.bufferFactory(), opts)
                .doOnSubscribe(s -> {
                    activeResponses.incrementAndGet();
                    responses.incrementAndGet();
                })
                .doOnNext(b -> bytesRead.addAndGet(b.readableByteCount()))
                .doFinally(signal -> activeResponses.decrementAndGet());
        return message.writeWith(channel == null ? body : new WritableDemand<>(body, channel, settings.inFlight(), gates));
    }

    /** The Netty channel a response is written to, or null if it is not Reactor Netty's. */
    private static Channel channelOf(ReactiveHttpOutputMessage message) {
        if (!(message instanceof ServerHttpResponse response)) {
            return null;
        }
        Object nativeResponse;
        try {
            nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            return null;
        }
        Channel[] channel = new Channel[1];
        netty.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }

    /** The direct memory Netty's allocator holds (its arenas, used or cached), or -1 if it does not say. */
    private static long nettyDirectMemory(DataBufferFactory factory) {
        if (factory instanceof NettyDataBufferFactory netty
                && netty.getByteBufAllocator() instanceof ByteBufAllocatorMetricProvider metrics) {
            return metrics.metric().usedDirectMemory();
        }
        return -1;
    }

    /** The JVM's direct buffers ({@code BufferPoolMXBean} "direct"): Fileflux's pool, and Netty's arenas. */
    private static long jvmDirectMemory() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }

    private Mono<ServerResponse> directory(ServerRequest request, Path dir, String rawPath) {
        if (!rawPath.endsWith("/")) {
            // relative links in the listing need the trailing slash
            return ServerResponse.status(HttpStatus.MOVED_PERMANENTLY)
                    .header(HttpHeaders.LOCATION, sameOriginPath(rawPath) + "/").build();
        }
        String display = UriUtils.decode(rawPath, StandardCharsets.UTF_8);
        boolean isRoot = dir.equals(settings.root());
        return Mono.fromCallable(() -> DirectoryListing.render(dir, display, isRoot))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(html -> {
                    // HEAD: the same headers as GET, Content-Length included (a body, even empty, would reset it)
                    ServerResponse.BodyBuilder ok = ServerResponse.ok()
                            .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .contentLength(html.length);
                    return request.method() == HttpMethod.HEAD ? ok.build() : ok.bodyValue(html);
                });
    }

    /**
     * A raw request path as a {@code Location} that stays on this server: runs of slashes collapsed to one, so
     * that {@code //evil.example.com} (a directory of that name, asked for with {@code curl --path-as-is})
     * redirects to {@code /evil.example.com/}, never to the protocol-relative {@code //evil.example.com/}
     * (another host). Backslashes, which browsers read like slashes, never get here: {@link SafePaths}
     * refuses segments with one.
     */
    static String sameOriginPath(String rawPath) {
        String collapsed = rawPath.replaceAll("/{2,}", "/");
        return collapsed.startsWith("/") ? collapsed : "/" + collapsed;
    }

    private static Mono<ServerResponse> plain(HttpStatus status, String text) {
        return ServerResponse.status(status).contentType(MediaType.TEXT_PLAIN).bodyValue(text);
    }
}
