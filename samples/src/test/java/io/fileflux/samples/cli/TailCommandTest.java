package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux tail} in a child JVM, on real files. */
class TailCommandTest {

    @TempDir
    Path dir;

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void followingANameThatDoesNotExistYetWaitsForIt() throws Exception {
        Path log = dir.resolve("late.log");
        Process p = CliProcess.builder("tail", "-F", "--poll", "20", log.toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String waiting = err.readLine();
            assertTrue(waiting.contains("cannot open") && waiting.contains("No such file or directory"), waiting);
            Files.writeString(log, "first\nsecond\n");
            assertEquals("first", out.readLine());
            assertEquals("second", out.readLine());
            Files.writeString(log, "third\n", java.nio.file.StandardOpenOption.APPEND);
            assertEquals("third", out.readLine());
            assertTrue(p.isAlive(), "still following");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aMissingFileWithoutFollowingIsOneLine() throws Exception {
        CliProcess p = CliProcess.run("tail", dir.resolve("missing.log").toString());
        assertEquals(1, p.exitCode);
        assertEquals("fileflux: " + dir.resolve("missing.log") + ": No such file or directory", p.stderr.trim());
    }
}
