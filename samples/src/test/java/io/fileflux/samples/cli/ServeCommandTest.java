package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
