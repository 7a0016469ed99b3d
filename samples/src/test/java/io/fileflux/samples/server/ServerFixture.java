package io.fileflux.samples.server;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A served directory with known files, a secret outside it, escaping and inner links, and the running server. */
final class ServerFixture implements AutoCloseable {

    static final int BIG = 48 << 20;

    final Path base;
    final Path root;
    final Path secret;
    final byte[] small;
    final byte[] big;
    final FileEngine engine;
    final FileServer server;

    ServerFixture() throws IOException {
        this(FileServerSettings.DEFAULT_HEARTBEAT);
    }

    /** With this heartbeat for live tails. */
    ServerFixture(Duration heartbeat) throws IOException {
        this(heartbeat, false);
    }

    /** With this heartbeat for live tails, and Spring's own handlers under {@code /_compare/} if {@code compare}. */
    ServerFixture(Duration heartbeat, boolean compare) throws IOException {
        this(settings -> new FileServerSettings(settings.root(), settings.engine(), settings.chunkSize(),
                settings.inFlight(), compare).withHeartbeat(heartbeat).withTransfer(settings.transfer()));
    }

    /** With the default settings (256 KiB chunks, 4 reads in flight) changed by {@code tune}. */
    ServerFixture(UnaryOperator<FileServerSettings> tune) throws IOException {
        base = Files.createTempDirectory("fileflux-server");
        root = Files.createDirectories(base.resolve("root"));
        secret = base.resolve("secret.txt");
        Files.writeString(secret, "top secret\n");
        small = TestFiles.create(root.resolve("small.txt"), 10_000, 11);
        big = TestFiles.create(root.resolve("big.bin"), BIG, 12);
        Files.writeString(root.resolve("hello world.md"), "# hello\n");
        Files.writeString(root.resolve("ten.txt"), "0123456789");
        Files.createDirectories(root.resolve("sub dir"));
        Files.writeString(root.resolve("sub dir").resolve("inner.txt"), "inner\n");
        Files.createSymbolicLink(root.resolve("escape"), secret);
        Files.createSymbolicLink(root.resolve("escape-dir"), base);
        Files.createSymbolicLink(root.resolve("link-inside.txt"), root.resolve("small.txt"));
        engine = Engines.create(Engines.select().name());
        // streamed through Fileflux, the path these tests are about (slow clients, cancellation, counters); the
        // zero-copy choice of the default transfer is FileServerTransferTest's
        server = FileServer.start(tune.apply(new FileServerSettings(root, engine, 256 * 1024, 4, false)
                .withTransfer("stream")), "127.0.0.1", 0);
    }

    String url(String rawPath) {
        return "http://127.0.0.1:" + server.port() + rawPath;
    }

    /** Sends {@code request} as is (no client-side path normalisation) and returns the status line. */
    String rawStatusLine(String rawPath) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\r'; ) {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    /**
     * Sends a request for {@code rawPath} as is (no client-side normalisation) and returns the status line and
     * the headers, up to the blank line; the body is not read.
     */
    String rawResponseHead(String method, String rawPath, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder(method + " " + rawPath + " HTTP/1.1\r\nHost: localhost\r\n");
            for (String h : headers) {
                request.append(h).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            for (int c; (c = in.read()) != -1; ) {
                head.append((char) c);
                if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                    break;
                }
            }
            return head.toString();
        }
    }

    /** A header's value in {@code head} (from {@link #rawResponseHead}), or null. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    void awaitIdle() {
        TestFiles.await(Duration.ofSeconds(60), "no open file and no op in flight: " + engine.stats(),
                () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
    }

    @Override
    public void close() throws IOException {
        server.close();
        engine.close();
        try (var files = Files.walk(base)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
