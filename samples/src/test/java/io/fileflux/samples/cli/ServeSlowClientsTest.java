package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fileflux serve} in a child JVM (a fresh allocator whose direct memory can be measured, descriptors
 * of its own) against clients that stop reading and clients that trickle their headers.
 */
class ServeSlowClientsTest {

    /** Clients that send {@code GET /big.bin} and never read. */
    static final int STALLED = 100;
    /** The contract: what a client that stops reading may hold on the server with the default settings. */
    static final long PER_CLIENT = 2 << 20;
    /** The allocator's own start-up (thread-local caches, a first chunk of each size class), whatever the clients. */
    static final long ALLOCATOR_SLACK = 16 << 20;

    @TempDir
    Path dir;

    /**
     * Regression (issue 11, repro 4): 30 stalled clients held about 32 MiB of direct memory each, a 4 KB file
     * took 14 s to serve among them, and their files and descriptors stayed open after they closed.
     */
    @Test
    void stalledClientsHoldBoundedMemoryDelayNothingAndLeaveNothingBehind() throws Exception {
        TestFiles.create(dir.resolve("big.bin"), 48 << 20, 1);
        byte[] small = TestFiles.create(dir.resolve("small.txt"), 4_000, 2);
        try (ServeProcess serve = ServeProcess.start("--header-timeout", "2s", "--transfer", "stream",
                dir.toString())) {
            serve.status(); // the first answer's own allocations are not the clients'
            String idle = serve.status();
            long directBefore = ServeProcess.field(idle, "nettyDirectMemory");
            Map<String, String> fdsBefore = serve.socketsAndFiles();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < STALLED; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096);
                    s.connect(new InetSocketAddress("127.0.0.1", serve.port));
                    s.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    clients.add(s);
                }
                String[] stalled = {null};
                TestFiles.await(Duration.ofSeconds(120), "every download waits for its client", () -> {
                    stalled[0] = status(serve);
                    return ServeProcess.field(stalled[0], "waitingForClient") == STALLED;
                });
                long held = ServeProcess.field(stalled[0], "nettyDirectMemory") - directBefore;
                System.out.printf("%d stalled clients: Netty direct memory %d -> %d bytes, %d bytes per client "
                                + "(JVM direct %d), %s%n", STALLED, directBefore, directBefore + held, held / STALLED,
                        ServeProcess.field(stalled[0], "jvmDirectMemory"), stalled[0]);
                assertTrue(held <= STALLED * PER_CLIENT + ALLOCATOR_SLACK, "Netty holds " + held + " bytes for "
                        + STALLED + " stalled clients, more than " + PER_CLIENT + " each: " + stalled[0]);

                // other requests are served meanwhile (the socket timeout only stops a hung test)
                assertArrayEquals(small, get(serve.port, "/small.txt"));

                // a client trickling its headers is cut off, the stalled downloads (headers complete) are not
                assertClosedWhileTrickling(serve.port);
                assertEquals(STALLED, ServeProcess.field(status(serve), "waitingForClient"));
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            TestFiles.await(Duration.ofSeconds(60), "no open file, read in flight, response or pool buffer", () -> {
                String st = status(serve);
                return ServeProcess.field(st, "openFiles") == 0 && ServeProcess.field(st, "inFlight") == 0
                        && ServeProcess.field(st, "activeResponses") == 0 && ServeProcess.field(st, "poolBuffersOut") == 0;
            });
            TestFiles.await(Duration.ofSeconds(60), "no socket or file left open by the clients", () -> {
                Map<String, String> now = new HashMap<>(serve.socketsAndFiles());
                now.entrySet().removeIf(fd -> fd.getValue().equals(fdsBefore.get(fd.getKey())));
                return now.isEmpty();
            });
        }
    }

    /**
     * Sends a request head a byte every 50 ms, one that never ends, until the server
     * closes the connection; it must close it without answering.
     */
    static void assertClosedWhileTrickling(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000); // stops a hung test only
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickle = new Thread(() -> {
                byte[] head = ("GET /small.txt HTTP/1.1\r\nHost: localhost\r\n" + "X-Slow: ".repeat(100_000))
                        .getBytes(StandardCharsets.ISO_8859_1);
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < head.length && !stop.get(); i++) {
                        out.write(head[i]);
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection
                }
            });
            trickle.start();
            try {
                InputStream in = s.getInputStream();
                int first;
                try {
                    first = in.read();
                } catch (SocketException reset) {
                    first = -1;
                }
                assertEquals(-1, first, "the server answered a request whose head never ended");
            } finally {
                stop.set(true);
                trickle.join(60_000);
            }
        }
    }

    private static String status(ServeProcess serve) {
        try {
            return serve.status();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] get(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] response = s.getInputStream().readAllBytes();
            String text = new String(response, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200"), text.lines().findFirst().orElse(""));
            int body = text.indexOf("\r\n\r\n") + 4;
            return java.util.Arrays.copyOfRange(response, body, response.length);
        }
    }
}
