package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Stopping the server with live tails open. A class of its own: closing a server disposes Reactor Netty's
 * shared event loops, which would stop another server of the same JVM (the other classes' fixtures).
 */
class FileServerShutdownTest {

    /**
     * Regression: closing the server (Ctrl+C) waited for Spring Boot's graceful shutdown timeout (30 s) while
     * a live tail was open. Tails now end when the shutdown begins, with a last comment, so the graceful
     * shutdown has nothing to wait for.
     */
    @Test
    void shutdownEndsLiveTailsPromptly() throws Exception {
        ServerFixture own = new ServerFixture(Duration.ofSeconds(60));
        boolean closed = false;
        try {
            Path log = own.root.resolve("app.log");
            FileServerLiveTailTest.append(log, FileServerLiveTailTest.lines("s", 1, 3));
            try (Socket socket = new Socket("127.0.0.1", own.server.port())) {
                socket.setSoTimeout(60_000); // stops a hung test only
                socket.getOutputStream().write("GET /_fileflux/tail/app.log?n=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                FileServerLiveTailTest.readUntil(in, "data: s 3");
                long start = System.nanoTime();
                Thread closer = new Thread(own.server::close);
                closer.start();
                // the tail is ended by the shutdown itself, not cut when a graceful shutdown gives up on it
                String rest = FileServerLiveTailTest.readUntil(in, ": server shutting down");
                closer.join(120_000); // stops a hung test only
                assertTrue(!closer.isAlive(), "the server closed");
                closed = true;
                System.out.println("server closed " + (System.nanoTime() - start) / 1_000_000
                        + " ms after the shutdown began, a live tail open");
                // then the stream ends (a chunked body's last chunk, or the connection closing)
                StringBuilder end = new StringBuilder(rest);
                byte[] buf = new byte[1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    end.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
                assertTrue(end.toString().contains("server shutting down"), end.toString());
            }
            TestFiles.await(Duration.ofSeconds(60), "app.log closed", () -> !TestFiles.isOpen(log));
        } finally {
            if (!closed) {
                own.server.close();
            }
            own.close();
        }
    }

}
