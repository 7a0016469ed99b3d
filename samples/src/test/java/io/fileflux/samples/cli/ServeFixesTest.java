package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions of the file server found by hand: a file or directory the server cannot read was a {@code 500}
 * with Spring's JSON body and a 113-frame stack trace in the log (and {@code HEAD} said {@code 200}); {@code serve ""}
 * served the current directory. The server runs in a child JVM, without root's power to read any file when
 * the tests run as root, so the permissions are real.
 */
class ServeFixesTest {

    @TempDir
    Path dir;

    @Test
    void unreadableFilesAndDirectoriesAre403WithOneLogLineAndNoStackTrace() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "no\n");
        Path closed = Files.createDirectories(dir.resolve("closed"));
        Files.writeString(closed.resolve("inside.txt"), "hidden\n");
        Files.writeString(dir.resolve("open.txt"), "yes\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("--x--x--x"));
        try (ServeProcess serve = ServeProcess.startObeyingPermissions(dir.toString())) {
            assertEquals(200, status(serve, "GET", "/open.txt"));
            List<String[]> requests = List.of(new String[] {"GET", "/secret.txt"}, new String[] {"HEAD", "/secret.txt"},
                    new String[] {"GET", "/closed/"}, new String[] {"HEAD", "/closed/"});
            for (String[] r : requests) {
                assertEquals(403, status(serve, r[0], r[1]), r[0] + " " + r[1]);
            }
            // one warning line per refused request, whatever else the log has
            TestFiles.await(Duration.ofSeconds(60), "a log line for each 403",
                    () -> countLines(serve, "403 ") == requests.size());
            String err = serve.stderr.toString(StandardCharsets.UTF_8);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            assertFalse(err.contains("Exception:"), err);
            for (String[] r : requests) {
                assertTrue(err.contains("403 " + r[0] + " " + r[1] + ": cannot read"), err);
            }
        } finally {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void anEmptyDirectoryArgumentIsAnError() throws Exception {
        CliProcess p = CliProcess.run("serve", "--port", "0", "");
        String err = p.stderr.trim();
        assertEquals(1, p.exitCode, err);
        assertTrue(err.contains("DIR must name a directory, was empty"), err);
        assertFalse(err.contains("\n"), "one line: " + err);
        assertEquals(0, p.stdout.length);
    }

    private static long countLines(ServeProcess serve, String marker) {
        return serve.stderr.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(marker)).count();
    }

    /** The status code of a request on a connection of its own. */
    private static int status(ServeProcess serve, String method, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", serve.port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(response.substring(9, 12));
        }
    }
}
