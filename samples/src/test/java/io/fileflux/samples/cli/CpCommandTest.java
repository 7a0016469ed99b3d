package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux cp}: copies byte-exactly, stays silent off a terminal, fails with one line. */
class CpCommandTest {

    @TempDir
    Path dir;

    /** Runs the CLI, returns exit code and what it printed on standard error. */
    static Object[] run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = FilefluxCli.run(args);
            return new Object[] {code, captured.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void copiesAndFailsWithOneLine() throws Exception {
        byte[] data = new byte[(3 << 20) + 5];
        new Random(1).nextBytes(data);
        Path src = Files.write(dir.resolve("src"), data);
        Path dst = dir.resolve("dst");
        for (String[] flags : new String[][] {{}, {"--sync"}, {"--atomic"}, {"--sync", "--atomic"}}) {
            Files.deleteIfExists(dst);
            String[] args = new String[flags.length + 3];
            args[0] = "cp";
            System.arraycopy(flags, 0, args, 1, flags.length);
            args[flags.length + 1] = src.toString();
            args[flags.length + 2] = dst.toString();
            Object[] r = run(args);
            assertEquals(0, r[0], String.valueOf(r[1]));
            assertEquals("", r[1], "not silent off a terminal");
            assertArrayEquals(data, Files.readAllBytes(dst));
        }

        Object[] missing = run("cp", dir.resolve("missing").toString(), dst.toString());
        assertEquals(1, missing[0]);
        String line = (String) missing[1];
        assertEquals("fileflux: " + dir.resolve("missing") + ": No such file or directory", line.trim());
        assertArrayEquals(data, Files.readAllBytes(dst), "a failed copy touched the target");

        Object[] same = run("cp", src.toString(), src.toString());
        assertEquals(1, same[0]);
        assertTrue(((String) same[1]).contains("same file"), (String) same[1]);
        assertArrayEquals(data, Files.readAllBytes(src));

        Object[] clobber = run("cp", "-n", src.toString(), dst.toString());
        assertEquals(1, clobber[0]);
        assertFalse(((String) clobber[1]).contains("\tat "), "a stack trace");
    }

    @Test
    void progressLineFormat() {
        String l = CpCommand.Progress.line(512L << 20, 1L << 30, 256.0 * (1 << 20), 2.0);
        assertTrue(l.startsWith("[############            ]  50% 512.0 MiB / 1.0 GiB  256.0 MiB/s  ETA 0:02"), l);
    }
}
