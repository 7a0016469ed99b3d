package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Serves a directory tree for a {@code RouterFunction}: {@code GET} and {@code HEAD} of files (through
 * {@link FileResponseWriter}: validators, conditional requests, ranges, zero-copy or Fileflux), paths resolved
 * with {@link SafePaths} (traversal {@code 404}, a symbolic link out of the root {@code 403}), a file the
 * server cannot read {@code 403} (one log line, no stack trace), and directories as a {@link DirectoryListing}
 * when listings are on ({@code 301} to add the trailing {@code /} first), else {@code 404}.
 *
 * <pre>{@code
 * FileServingHandler files = new FileServingHandler(Path.of("/srv/www"), FileServingOptions.defaults());
 * RouterFunction<ServerResponse> routes = files.routes("/files");   // GET|HEAD /files/**
 * }</pre>
 *
 * <p>Thread-safe; one instance serves every request. Metadata calls ({@code stat}, {@code realpath}) are short
 * and run on the calling thread (the event loop); listings are rendered on {@code boundedElastic}.
 */
public final class FileServingHandler implements HandlerFunction<ServerResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(FileServingHandler.class);

    private final Path root;
    private final String prefix;
    private final FileResponseWriter writer;
    private final DirectoryListing listing;

    /**
     * A handler serving {@code root} at the server's root path, listing directories as a plain
     * {@link DirectoryListing} if the options say so.
     *
     * @throws NoSuchFileException   if {@code root} does not exist
     * @throws NotDirectoryException if it is not a directory
     */
    public FileServingHandler(Path root, FileServingOptions options) throws IOException {
        this(root, "", options, new DirectoryListing());
    }

    /**
     * @param root    the directory served
     * @param prefix  the raw path the tree is mounted at ({@code ""} for the root, else {@code /files} without a
     *                trailing slash): request paths start with it, and it is removed before resolving
     * @param options how files are sent
     * @param listing how directories are listed when {@link FileServingOptions#listing()} is on
     * @throws NoSuchFileException   if {@code root} does not exist
     * @throws NotDirectoryException if it is not a directory
     * @throws IllegalArgumentException for a prefix not starting with {@code /} or ending with one
     */
    public FileServingHandler(Path root, String prefix, FileServingOptions options, DirectoryListing listing)
            throws IOException {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
            throw new IllegalArgumentException("prefix must be empty or start with / and not end with one, was '"
                    + prefix + "'");
        }
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString());
        }
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root.toString());
        }
        this.root = root.toRealPath();
        this.prefix = prefix;
        this.writer = new FileResponseWriter(options);
        this.listing = Objects.requireNonNull(listing, "listing");
    }

    /** The served directory (a real path). */
    public Path root() {
        return root;
    }

    /** The writer of file responses (its options). */
    public FileResponseWriter writer() {
        return writer;
    }

    /** {@code GET} and {@code HEAD} of {@code prefix} and everything under it, answered by this handler. */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(RequestPredicates.method(HttpMethod.GET).or(RequestPredicates.method(HttpMethod.HEAD))
                .and(request -> {
                    String raw = request.uri().getRawPath();
                    return prefix.isEmpty() || raw.equals(prefix) || raw.startsWith(prefix + "/");
                }), this);
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request) {
        // "" when the request is the prefix itself (/files): the root directory, redirected to /files/ below
        String rawPath = request.uri().getRawPath().substring(Math.min(prefix.length(), request.uri().getRawPath().length()));
        SafePaths.Resolved resolved = SafePaths.resolve(root, rawPath);
        if (!resolved.ok()) {
            return resolved.status() == 403 ? plain(HttpStatus.FORBIDDEN, "403 forbidden\n")
                    : plain(HttpStatus.NOT_FOUND, "404 not found\n");
        }
        Path path = resolved.path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return plain(HttpStatus.NOT_FOUND, "404 not found\n");
        } catch (IOException e) {
            return forbidden(request, path, e.toString());
        }
        if (attrs.isDirectory()) {
            return directory(request, path, rawPath);
        }
        if (!attrs.isRegularFile()) {
            return plain(HttpStatus.NOT_FOUND, "404 not found\n");
        }
        if (!Files.isReadable(path)) {
            return forbidden(request, path, "the server may not read it");
        }
        FileMetadata file = FileMetadata.of(path, attrs);
        return ServerResponse.ok().build((exchange, context) ->
                writer.write(exchange.getRequest(), exchange.getResponse(), file));
    }

    private Mono<ServerResponse> directory(ServerRequest request, Path dir, String rawPath) {
        if (!writer.options().listing()) {
            return plain(HttpStatus.NOT_FOUND, "404 not found\n");
        }
        if (!rawPath.endsWith("/")) {
            // relative links in the listing need the trailing slash
            return ServerResponse.status(HttpStatus.MOVED_PERMANENTLY)
                    .header(HttpHeaders.LOCATION, sameOriginPath(prefix + rawPath) + "/").build();
        }
        if (!Files.isReadable(dir)) {
            return forbidden(request, dir, "the server may not read it");
        }
        String display = UriUtils.decode(prefix + rawPath, StandardCharsets.UTF_8);
        return Mono.fromCallable(() -> listing.render(root, dir, display))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(html -> {
                    // HEAD: the same headers as GET, Content-Length included (a body, even empty, would reset it)
                    ServerResponse.BodyBuilder ok = ServerResponse.ok()
                            .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .contentLength(html.length);
                    return HttpMethod.HEAD.equals(request.method()) ? ok.build() : ok.bodyValue(html);
                })
                .onErrorResume(AccessDeniedException.class, e -> forbidden(request, dir, e.toString()));
    }

    /** {@code 403} for a file or directory the server cannot read: one log line, no stack trace. */
    private static Mono<ServerResponse> forbidden(ServerRequest request, Path path, String reason) {
        LOG.warn("403 {} {}: cannot read {} ({})", request.method(), request.uri().getRawPath(), path, reason);
        return plain(HttpStatus.FORBIDDEN, "403 forbidden\n");
    }

    /**
     * A raw request path as a {@code Location} that stays on this server: runs of slashes collapsed to one, so
     * that {@code //evil.example.com} (a directory of that name, asked for with {@code curl --path-as-is})
     * redirects to {@code /evil.example.com/}, never to the protocol-relative {@code //evil.example.com/}
     * (another host); and backslashes, which browsers read like slashes, percent-encoded ({@code %5C}).
     */
    public static String sameOriginPath(String rawPath) {
        String collapsed = rawPath.replace("\\", "%5C").replaceAll("/{2,}", "/");
        return collapsed.startsWith("/") ? collapsed : "/" + collapsed;
    }

    private static Mono<ServerResponse> plain(HttpStatus status, String text) {
        return ServerResponse.status(status).contentType(MediaType.TEXT_PLAIN).bodyValue(text);
    }
}
