package io.fileflux.samples.server;

import io.fileflux.core.FileDevice;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.spring.webflux.SafePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.HtmlUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Live tails: a file under the root followed like {@code tail -F} (growth, rotation, truncation) and sent
 * as server-sent events, one event per line, and a small HTML page that shows such a stream.
 *
 * <p>{@code GET /_fileflux/tail/PATH?n=N} answers {@code text/event-stream}: the last {@code N} lines (10 by
 * default), then every line appended, each as {@code id: CHECKPOINT} + {@code data: TEXT}. The id is the
 * line's checkpoint ({@code IDENTITY@OFFSET}, the offset just past the line), so a client reconnecting
 * with {@code Last-Event-ID} (as {@code EventSource} does) resumes right after the last line it received,
 * provided the path still names that file and it is at least that long; otherwise it gets the last
 * {@code N} lines again. A comment ({@code : keep-alive}) goes out every heartbeat period so that proxies
 * keep an idle stream open.
 *
 * <p>Paths are checked like file paths ({@link SafePaths}): traversal is 404, a symbolic link leaving the
 * root 403, a missing file or a directory 404. A resumed tail only ever opens the file at the path: the
 * tail's own search for a checkpoint's file among rotated siblings is not used, since a sibling may be a
 * link to a file outside the root and the client chooses the identity it asks for.
 *
 * <p>Backpressure: lines are read only against the demand of Reactor Netty's send loop (which stops
 * requesting while the connection is not writable), so a slow client slows the tail and the server holds
 * a bounded number of lines for it. A client going away cancels the tail, which closes its file and its
 * watcher.
 */
final class LiveTail {

    /** The event stream's path prefix. */
    static final String TAIL_PREFIX = "/_fileflux/tail";
    /** The viewer page's path prefix. */
    static final String VIEW_PREFIX = "/_fileflux/view";
    /** Lines sent before following, when {@code n} is not given. */
    static final int DEFAULT_LINES = 10;
    /** The most lines {@code n} may ask for. */
    static final int MAX_LINES = 1_000_000;
    /** Longer lines are sent in pieces of at most this many bytes. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final MediaType EVENT_STREAM = MediaType.TEXT_EVENT_STREAM;

    private final FileServerSettings settings;
    /** Emits once the server shuts down: every tail then ends (else graceful shutdown would wait for them). */
    private final Sinks.One<Boolean> shutdown = Sinks.one();
    private final AtomicLong activeTails = new AtomicLong();
    private final AtomicLong linesSent = new AtomicLong();

    LiveTail(FileServerSettings settings) {
        this.settings = settings;
    }

    /**
     * Ends every live tail, and any started later, with a last comment ({@code : server shutting down}):
     * they never end by themselves, and Spring Boot's graceful shutdown would wait for them until its
     * timeout. Called when the application context closes, before the web server stops.
     */
    void shutdown() {
        shutdown.tryEmitValue(Boolean.TRUE);
    }

    /** Tails streaming now. */
    long activeTails() {
        return activeTails.get();
    }

    /** Lines sent by every tail so far. */
    long linesSent() {
        return linesSent.get();
    }

    /** {@code GET|HEAD /_fileflux/tail/PATH?n=N}, with {@code Last-Event-ID} to resume. */
    Mono<ServerResponse> tail(ServerRequest request) {
        Path path;
        try {
            path = regularFile(request, TAIL_PREFIX);
        } catch (Refused r) {
            return r.response();
        }
        long n;
        try {
            n = request.queryParam("n").map(Long::parseLong).orElse((long) DEFAULT_LINES);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > MAX_LINES) {
            return plain(HttpStatus.BAD_REQUEST, "400 n must be a number of lines from 0 to " + MAX_LINES + "\n");
        }
        ServerResponse.BodyBuilder ok = ServerResponse.ok().contentType(EVENT_STREAM)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        if (request.method() == HttpMethod.HEAD) {
            return ok.build();
        }
        Checkpoint last = lastEventId(request).orElse(null);
        long lines = n;
        // opening the file to compare identities blocks: not on the event loop
        return Mono.fromCallable(() -> startAt(path, lines, last))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(start -> ok.body(events(path, start)));
    }

    /** The {@code Last-Event-ID} header as a checkpoint, if it is one. */
    static Optional<Checkpoint> lastEventId(ServerRequest request) {
        String id = request.headers().firstHeader("Last-Event-ID");
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Checkpoint.parse(id.trim()));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not one of ours: start from the last lines
        }
    }

    /** Where a tail starts, and a comment saying why (sent first). */
    record Start(StartAt at, String comment) {
    }

    /**
     * Just past {@code last} when the file at {@code path} is still the checkpoint's file (same identity)
     * and at least that long; otherwise the last {@code n} lines.
     */
    Start startAt(Path path, long n, Checkpoint last) {
        StartAt lastLines = StartAt.lastLines(n);
        if (last == null) {
            return new Start(lastLines, "last " + n + " lines");
        }
        try {
            FileDevice device = settings.engine().open(path);
            try {
                if (device.identity().equals(last.identity()) && device.size() >= last.offset()) {
                    return new Start(StartAt.checkpoint(last), "resumed after " + last);
                }
            } finally {
                device.closeAsync();
            }
        } catch (IOException e) {
            // the tail's own open reports it
        }
        return new Start(lastLines, "cannot resume after " + last + " (another file now, or shorter): last "
                + n + " lines");
    }

    private BodyInserter<Flux<DataBuffer>, ReactiveHttpOutputMessage> events(Path path, Start start) {
        TailOptions options = TailOptions.defaults().engine(settings.engine()).startAt(start.at());
        LineOptions lineOptions = LineOptions.defaults().maxLineLength(MAX_LINE_BYTES);
        return (message, context) -> {
            DataBufferFactory factory = message.bufferFactory();
            // the subscription opens the file and may read backwards for the last lines: not on the event loop
            Flux<byte[]> lines = FileFlux.tailLines(path, options, lineOptions)
                    .map(LiveTail::event)
                    .doOnNext(e -> linesSent.incrementAndGet())
                    .subscribeOn(Schedulers.boundedElastic());
            // dropped when the client is not reading anyway: a heartbeat never queues up
            Flux<byte[]> heartbeats = Flux.interval(settings.heartbeat(), settings.heartbeat())
                    .onBackpressureDrop()
                    .map(i -> HEARTBEAT);
            Flux<byte[]> following = Flux.merge(lines, heartbeats)
                    .takeUntilOther(shutdown.asMono())
                    .concatWith(Mono.fromSupplier(() -> comment("server shutting down")));
            Flux<byte[]> stream = Flux.concat(Flux.just(comment(start.comment())), following)
                    .onErrorResume(e -> Flux.just(errorEvent(e)))
                    .doOnSubscribe(s -> activeTails.incrementAndGet())
                    .doFinally(signal -> activeTails.decrementAndGet());
            return message.writeWith(stream.map(factory::wrap));
        };
    }

    /**
     * One line as an event: {@code id:} its checkpoint (none for the piece of an overlong line that began
     * before anything was read: the client keeps its previous id), {@code data:} its text. A lone CR, which
     * would end the field in SSE, is sent as U+240D (␍).
     */
    static byte[] event(TailLine line) {
        String text = line.text();
        if (text.indexOf('\r') >= 0) {
            text = text.replace('\r', '\u240D');
        }
        StringBuilder sb = new StringBuilder(text.length() + 64);
        if (line.checkpoint() != null) {
            sb.append("id: ").append(line.checkpoint()).append('\n');
        }
        sb.append("data: ").append(text).append("\n\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] comment(String text) {
        return (": " + text.replace('\r', ' ').replace('\n', ' ') + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The tail failed (the file vanished before it was opened, an I/O error): an event saying so, then the end. */
    static byte[] errorEvent(Throwable e) {
        String text = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\r', ' ').replace('\n', ' ');
        return ("event: fileflux-error\ndata: " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code GET|HEAD /_fileflux/view/PATH}: a page that shows the live tail of PATH with {@code EventSource}. */
    Mono<ServerResponse> view(ServerRequest request) {
        Path path;
        try {
            path = regularFile(request, VIEW_PREFIX);
        } catch (Refused r) {
            return r.response();
        }
        byte[] html = viewerPage(path.getFileName().toString());
        ServerResponse.BodyBuilder ok = ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .contentLength(html.length);
        return request.method() == HttpMethod.HEAD ? ok.build() : ok.bodyValue(html);
    }

    /**
     * The viewer: no external resource; the stream's URL is derived from the page's own path, and lines
     * are added as text nodes (never parsed as HTML). It keeps the last 5000 lines and follows the end
     * while the page is scrolled to the bottom.
     */
    static byte[] viewerPage(String name) {
        String title = "tail " + HtmlUtils.htmlEscape(name);
        String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + title
                + "</title>\n<style>body{font-family:sans-serif;margin:1.5em}"
                + "#log{font-family:monospace;white-space:pre-wrap;word-break:break-all;margin:0}"
                + "#state{color:#666;font-size:.9em}</style>\n</head><body>\n<h1>" + title + "</h1>\n"
                + "<p id=\"state\">connecting…</p>\n<pre id=\"log\"></pre>\n<script>\n"
                + "const n = new URLSearchParams(location.search).get('n') || '100';\n"
                + "const url = location.pathname.replace(/^\\/_fileflux\\/view\\//, '/_fileflux/tail/')"
                + " + '?n=' + encodeURIComponent(n);\n"
                + "const log = document.getElementById('log'), state = document.getElementById('state');\n"
                + "const max = 5000, es = new EventSource(url);\n"
                + "es.onopen = () => { state.textContent = 'live'; };\n"
                + "es.onerror = () => { state.textContent = es.readyState === EventSource.CLOSED"
                + " ? 'closed' : 'reconnecting…'; };\n"
                + "es.addEventListener('fileflux-error', e => { state.textContent = 'error: ' + e.data; });\n"
                + "es.onmessage = e => {\n"
                + "  const atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 8;\n"
                + "  log.appendChild(document.createTextNode(e.data + '\\n'));\n"
                + "  while (log.childNodes.length > max) log.removeChild(log.firstChild);\n"
                + "  if (atEnd) window.scrollTo(0, document.body.scrollHeight);\n"
                + "};\n</script>\n</body></html>\n";
        return html.getBytes(StandardCharsets.UTF_8);
    }

    /** A refused request and its answer. */
    private static final class Refused extends Exception {
        private final transient Mono<ServerResponse> response;

        Refused(Mono<ServerResponse> response) {
            super(null, null, false, false);
            this.response = response;
        }

        Mono<ServerResponse> response() {
            return response;
        }
    }

    /** The regular file under the root named by the raw path after {@code prefix}, or why not. */
    private Path regularFile(ServerRequest request, String prefix) throws Refused {
        String raw = request.uri().getRawPath().substring(prefix.length());
        SafePaths.Resolved resolved = SafePaths.resolve(settings.root(), raw);
        if (!resolved.ok()) {
            throw new Refused(plain(HttpStatus.valueOf(resolved.status()),
                    resolved.status() == 403 ? "403 forbidden\n" : "404 not found\n"));
        }
        if (!Files.isRegularFile(resolved.path(), LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused(plain(HttpStatus.NOT_FOUND, "404 not a file\n"));
        }
        return resolved.path();
    }

    private static Mono<ServerResponse> plain(HttpStatus status, String text) {
        return ServerResponse.status(status).contentType(MediaType.TEXT_PLAIN).bodyValue(text);
    }
}
