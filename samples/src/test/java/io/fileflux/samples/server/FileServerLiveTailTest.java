package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import io.fileflux.reactor.tail.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * The live tail endpoint ({@code /_fileflux/tail/PATH}, server-sent events) and its viewer page, against the
 * real server on a random loopback port. Every wait is for a condition (lines received, files closed),
 * never a fixed time.
 */
class FileServerLiveTailTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    static ServerFixture fx;
    static WebTestClient client;
    static WebClient sse;

    @BeforeAll
    static void start() throws IOException {
        // a short heartbeat, so that a test sees one without waiting long
        fx = new ServerFixture(Duration.ofMillis(300));
        client = WebTestClient.bindToServer().baseUrl(fx.url("")).responseTimeout(Duration.ofSeconds(30)).build();
        sse = WebClient.create();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    @AfterEach
    void nothingLeftOpen() {
        fx.awaitIdle();
        TestFiles.await(WAIT, "no tail streaming", () -> status().contains("\"activeTails\":0"));
    }

    /** An event-stream subscription collecting every event (comments included) until closed. */
    static final class Stream implements AutoCloseable {
        final List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        volatile Throwable error;
        volatile boolean completed;
        final Disposable subscription;

        Stream(String rawPath, String lastEventId) {
            subscription = sse.get().uri(URI.create(fx.url(rawPath)))
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .headers(h -> {
                        if (lastEventId != null) {
                            h.set("Last-Event-ID", lastEventId);
                        }
                    })
                    .retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                    })
                    .subscribe(events::add, e -> error = e, () -> completed = true);
        }

        /** The lines received (events with data), in order. */
        List<String> lines() {
            return events.stream().filter(e -> e.data() != null).map(ServerSentEvent::data).toList();
        }

        List<String> ids() {
            return events.stream().filter(e -> e.data() != null).map(ServerSentEvent::id).toList();
        }

        List<String> comments() {
            return events.stream().filter(e -> e.comment() != null).map(ServerSentEvent::comment).toList();
        }

        /** Waits until exactly {@code expected} lines have arrived (fails early on more, or on an error). */
        void awaitLines(List<String> expected) {
            TestFiles.await(WAIT, "lines " + expected, () -> {
                assertEquals(null, error, "stream failed");
                List<String> got = lines();
                if (got.size() > expected.size()) {
                    assertEquals(expected, got);
                }
                return got.equals(expected);
            });
        }

        @Override
        public void close() {
            subscription.dispose(); // the client goes away: cancels the response, closes the connection
        }
    }

    static List<String> lines(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + " " + i).toList();
    }

    static void append(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String status() {
        String s = client.get().uri(FileServer.STATUS_PATH).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(s);
        return s;
    }

    static long statusValue(String name) {
        return Long.parseLong(status().replaceAll(".*\"" + name + "\":(\\d+).*", "$1").trim());
    }

    @Test
    void streamsTheLastLinesThenAppendedLinesLive() throws IOException {
        Path log = fx.root.resolve("live.log");
        append(log, lines("line", 1, 20));
        client.head().uri("/_fileflux/tail/live.log").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody().isEmpty();
        try (Stream s = new Stream("/_fileflux/tail/live.log?n=5", null)) {
            s.awaitLines(lines("line", 16, 20));
            append(log, lines("line", 21, 23));
            s.awaitLines(lines("line", 16, 23));
            append(log, List.of("ünïcode ✓", "a\rb"));
            List<String> expected = new java.util.ArrayList<>(lines("line", 16, 23));
            expected.addAll(List.of("ünïcode ✓", "a\u240Db")); // a lone CR would end the SSE field
            s.awaitLines(expected);

            // ids are checkpoints of one file, increasing, the last one at the end of the file
            List<Checkpoint> ids = s.ids().stream().map(Checkpoint::parse).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertEquals(ids.get(0).identity(), ids.get(i).identity());
                assertTrue(ids.get(i).offset() > ids.get(i - 1).offset(), ids.toString());
            }
            assertEquals(Files.size(log), ids.get(ids.size() - 1).offset());
            assertTrue(s.comments().contains("last 5 lines"), s.comments().toString());
            TestFiles.await(WAIT, "a heartbeat comment", () -> s.comments().contains("keep-alive"));
        }
    }

    @Test
    void resumesAfterLastEventId() throws IOException {
        Path log = fx.root.resolve("resume.log");
        append(log, lines("a", 1, 5));
        String third;
        try (Stream s = new Stream("/_fileflux/tail/resume.log?n=100", null)) {
            s.awaitLines(lines("a", 1, 5));
            third = s.ids().get(2);
        }
        fx.awaitIdle();
        append(log, lines("a", 6, 6));
        // reconnecting with the id of the third line: the lines after it, whatever n says
        try (Stream s = new Stream("/_fileflux/tail/resume.log?n=2", third)) {
            s.awaitLines(lines("a", 4, 6));
            assertEquals("resumed after " + third, s.comments().get(0));
            append(log, lines("a", 7, 7));
            s.awaitLines(lines("a", 4, 7));
        }
        // an id of another file, or not an id at all: the last n lines
        Checkpoint other = new Checkpoint(new io.fileflux.core.FileIdentity(1, 2), 10);
        for (String id : List.of(other.toString(), "not-a-checkpoint")) {
            try (Stream s = new Stream("/_fileflux/tail/resume.log?n=2", id)) {
                s.awaitLines(lines("a", 6, 7));
            }
        }
        // an id past the end of the file (it was truncated or replaced): the last n lines
        Checkpoint past = new Checkpoint(Checkpoint.parse(third).identity(), Files.size(log) + 100);
        try (Stream s = new Stream("/_fileflux/tail/resume.log?n=1", past.toString())) {
            s.awaitLines(lines("a", 7, 7));
        }
    }

    @Test
    void followsRenameAndCreateRotation() throws IOException {
        Path log = fx.root.resolve("rotating.log");
        append(log, lines("old", 1, 2));
        try (Stream s = new Stream("/_fileflux/tail/rotating.log?n=10", null)) {
            s.awaitLines(lines("old", 1, 2));
            String oldId = s.ids().get(1);
            append(log, lines("old", 3, 3));
            Files.move(log, fx.root.resolve("rotating.log.1"));
            append(log, lines("new", 1, 1));
            append(log, lines("new", 2, 2));
            List<String> expected = new java.util.ArrayList<>(lines("old", 1, 3));
            expected.addAll(lines("new", 1, 2));
            s.awaitLines(expected);
            Checkpoint last = Checkpoint.parse(s.ids().get(4));
            assertNotEquals(Checkpoint.parse(oldId).identity(), last.identity(), "continued in the new file");
            assertEquals(Files.size(log), last.offset());

            // a client that was reading the old file resumes with the last lines of the new one
            try (Stream again = new Stream("/_fileflux/tail/rotating.log?n=1", oldId)) {
                again.awaitLines(lines("new", 2, 2));
            }
        }
    }

    @Test
    void refusesTraversalMissingFilesAndDirectories() throws IOException {
        for (String prefix : List.of("/_fileflux/tail", "/_fileflux/view")) {
            for (String raw : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                    "/sub%20dir/%2e%2e/%2e%2e/secret.txt", "/%2fetc%2fpasswd", "/nope.log", "/sub%20dir",
                    "/sub%20dir/", "/small.txt%00")) {
                String status = fx.rawStatusLine(prefix + raw);
                assertTrue(status.startsWith("HTTP/1.1 404") || status.startsWith("HTTP/1.1 400"),
                        prefix + raw + " -> " + status);
            }
            assertTrue(fx.rawStatusLine(prefix + "/escape").startsWith("HTTP/1.1 403"), "symlink leaving the root");
            assertTrue(fx.rawStatusLine(prefix + "/escape-dir/secret.txt").startsWith("HTTP/1.1 403"));
        }
        assertTrue(fx.rawStatusLine("/_fileflux/tail/small.txt?n=-1").startsWith("HTTP/1.1 400"));
        assertTrue(fx.rawStatusLine("/_fileflux/tail/small.txt?n=x").startsWith("HTTP/1.1 400"));
        client.get().uri("/_fileflux/tail/nope.log").exchange().expectStatus().isNotFound();
        fx.awaitIdle();
        assertTrue(!TestFiles.isOpen(fx.secret), "the secret was never opened");
    }

    @Test
    void clientDisconnectCancelsTheTailAndClosesTheFile() throws Exception {
        Path log = fx.root.resolve("disconnect.log");
        append(log, lines("d", 1, 3));
        try (Stream s = new Stream("/_fileflux/tail/disconnect.log?n=1", null)) {
            s.awaitLines(lines("d", 3, 3));
            assertTrue(TestFiles.isOpen(log), "the tail holds the file open");
            assertEquals(1, statusValue("activeTails"));
            assertTrue(statusValue("openFiles") >= 1);
        }
        fx.awaitIdle();
        TestFiles.await(WAIT, "disconnect.log closed", () -> !TestFiles.isOpen(log));
        String status = status();
        assertTrue(status.contains("\"openFiles\":0") && status.contains("\"inFlight\":0")
                && status.contains("\"activeTails\":0"), status);

        // the same with a raw connection reset, as a browser tab closing
        try (Socket socket = new Socket("127.0.0.1", fx.server.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write("GET /_fileflux/tail/disconnect.log?n=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String got = readUntil(socket.getInputStream(), "data: d 3");
            assertTrue(got.startsWith("HTTP/1.1 200"), got);
            assertTrue(got.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream"), got);
            assertTrue(TestFiles.isOpen(log));
            socket.setSoLinger(true, 0);
        }
        fx.awaitIdle();
        TestFiles.await(WAIT, "disconnect.log closed after a reset", () -> !TestFiles.isOpen(log));
    }

    /** Reads from {@code in} until {@code marker} has been seen; returns what was read. */
    static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (sb.indexOf(marker) < 0) {
            int n = in.read(buf);
            assertTrue(n > 0, "stream ended before " + marker + ": " + sb);
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void aSlowClientSlowsTheTail() throws Exception {
        Path log = fx.root.resolve("big.log");
        int total = 200_000;
        StringBuilder sb = new StringBuilder(total * 100);
        String pad = "x".repeat(80);
        for (int i = 0; i < total; i++) {
            sb.append(String.format("%08d ", i)).append(pad).append('\n');
        }
        Files.writeString(log, sb);
        long before = statusValue("tailLines");
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", fx.server.port()));
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /_fileflux/tail/big.log?n=" + total + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            readUntil(socket.getInputStream(), "data: 00000100 ");
            // stop reading: the tail must stop too
            long[] last = {-1};
            TestFiles.await(WAIT, "the tail stalls while the client does not read", () -> {
                long now = statusValue("tailLines");
                boolean stalled = now == last[0];
                last[0] = now;
                FileServerTest.sleep(200);
                return stalled;
            });
            long sent = last[0] - before;
            System.out.println("slow SSE client: the server produced " + sent + " of " + total + " lines");
            assertTrue(sent < total / 2, sent + " of " + total + " lines produced for a client that stopped reading");
            assertEquals(1, statusValue("activeTails"));
            socket.setSoLinger(true, 0);
        } finally {
            fx.awaitIdle();
            Files.delete(log);
        }
    }

    @Test
    void viewerPageAndListingLinks() {
        String page = client.get().uri("/_fileflux/view/small.txt").exchange().expectStatus().isOk()
                .expectHeader().contentType("text/html;charset=UTF-8")
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(page);
        assertTrue(page.contains("<title>tail small.txt</title>") && page.contains("new EventSource(url)"), page);
        assertTrue(!page.contains("http://") && !page.contains("https://") && !page.contains(" src="),
                "no external resources");
        client.head().uri("/_fileflux/view/small.txt").exchange().expectStatus().isOk()
                .expectHeader().contentLength(page.getBytes(StandardCharsets.UTF_8).length);

        String listing = client.get().uri("/").exchange().expectStatus().isOk().expectBody(String.class)
                .returnResult().getResponseBody();
        assertNotNull(listing);
        assertTrue(listing.contains("href=\"/_fileflux/view/hello%20world.md\""), listing);
        assertTrue(!listing.contains("href=\"/_fileflux/view/sub%20dir"), "no tail link for a directory");
        String inner = client.get().uri(URI.create(fx.url("/sub%20dir/"))).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(inner);
        assertTrue(inner.contains("href=\"/_fileflux/view/sub%20dir/inner.txt\""), inner);
        client.get().uri(URI.create(fx.url("/_fileflux/view/sub%20dir/inner.txt"))).exchange()
                .expectStatus().isOk().expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
}
