package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux serve} refuses bad input with one line and a non-zero exit, in a child JVM. */
class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryOrAFileIsOneLine() throws Exception {
        CliProcess missing = CliProcess.run("serve", dir.resolve("nope").toString());
        assertEquals(1, missing.exitCode);
        assertEquals("fileflux: " + dir.resolve("nope") + ": No such file or directory", missing.stderr.trim());

        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        CliProcess notDir = CliProcess.run("serve", file.toString());
        assertEquals(1, notDir.exitCode);
        assertEquals("fileflux: " + file + ": Not a directory", notDir.stderr.trim());
    }

    @Test
    void aPortInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliProcess p = CliProcess.run("serve", "--port", Integer.toString(taken.getLocalPort()), dir.toString());
            assertEquals(1, p.exitCode);
            assertEquals("fileflux: cannot listen: the address is already in use (choose another --port)",
                    p.stderr.trim());
            assertFalse(p.stderr.contains("APPLICATION FAILED TO START"), p.stderr);
        }
    }

    /** Regression: these printed about 50 lines of Spring stack trace. */
    @Test
    void aBadPortOrHostIsOneLine() throws Exception {
        String[][] cases = {
                {"--port", "99999"}, {"fileflux: --port must be from 0 to 65535 (0: any free port), was 99999"},
                {"--port", "-1"}, {"fileflux: --port must be from 0 to 65535 (0: any free port), was -1"},
                {"--host", "nosuchhost.invalid"}, {"fileflux: cannot resolve --host nosuchhost.invalid: unknown host"},
                {"--host", "1.2.3.4", "--port", "0"}, {"fileflux: cannot listen on 1.2.3.4: "},
        };
        for (int i = 0; i < cases.length; i += 2) {
            List<String> args = new ArrayList<>(List.of("serve"));
            args.addAll(List.of(cases[i]));
            args.add(dir.toString());
            CliProcess p = CliProcess.run(args.toArray(String[]::new));
            String err = p.stderr.trim();
            assertEquals(1, p.exitCode, err);
            assertTrue(err.startsWith(cases[i + 1][0]), args + " -> " + err);
            assertFalse(err.contains("\n"), "one line: " + err);
            assertEquals(0, p.stdout.length, args.toString());
        }
    }

    /**
     * Regression: Ctrl+C hung for about 30 s while a live tail was open (Spring Boot's graceful shutdown
     * waited for the never-ending stream). Now the shutdown ends the tail with a last comment, so the graceful
     * shutdown has nothing to wait for, and the process exits.
     */
    @Test
    void ctrlCWithALiveTailOpenEndsItAndExits() throws Exception {
        Files.writeString(dir.resolve("app.log"), "one\ntwo\n");
        try (ServeProcess serve = ServeProcess.start(dir.toString())) {
            Process p = serve.process;
            try (Socket socket = new Socket("127.0.0.1", serve.port)) {
                socket.setSoTimeout(60_000); // stops a hung test only
                socket.getOutputStream().write("GET /_fileflux/tail/app.log HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                readUntil(in, "data: two");
                long start = System.nanoTime();
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start(); // Ctrl+C
                assertTrue(kill.waitFor(60, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -INT");
                // ended by the shutdown itself, not cut when a graceful shutdown gave up on it
                readUntil(in, ": server shutting down");
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "serve did not exit after SIGINT");
                System.out.println("serve exited " + (System.nanoTime() - start) / 1_000_000
                        + " ms after SIGINT, a live tail open");
            }
            String err = serve.stderr.toString(StandardCharsets.UTF_8);
            assertFalse(err.contains("Exception"), err);
        }
    }

    private static void readUntil(InputStream in, String marker) throws IOException {
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        while (got.indexOf(marker) < 0) {
            int n = in.read(buf);
            assertTrue(n > 0, "stream ended before " + marker + ": " + got);
            got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
    }
}
