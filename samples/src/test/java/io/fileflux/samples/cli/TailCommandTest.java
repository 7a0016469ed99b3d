package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux tail} in a child JVM, on real files. */
class TailCommandTest {

    /** Bytes in a pipe (64 KiB) from which its writer is about to block. */
    static final int PIPE_FULL = 48 << 10;

    @TempDir
    Path dir;

    @Test
    @org.junit.jupiter.api.Timeout(300)
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
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void aMissingFileWithoutFollowingIsOneLine() throws Exception {
        CliProcess p = CliProcess.run("tail", dir.resolve("missing.log").toString());
        assertEquals(1, p.exitCode);
        assertEquals("fileflux: " + dir.resolve("missing.log") + ": No such file or directory", p.stderr.trim());
    }

    /** A log of {@code lines} numbered lines of about 40 bytes. */
    private Path numberedLog(String name, int lines) throws Exception {
        Path log = dir.resolve(name);
        StringBuilder sb = new StringBuilder(lines * 40);
        for (int i = 0; i < lines; i++) {
            sb.append(String.format("line %08d of the numbered test log.....%n", i));
        }
        Files.writeString(log, sb.toString());
        return log;
    }

    /** The offset a checkpoint file saved (IDENTITY@OFFSET), or -1 if there is none. */
    private static long savedOffset(Path ckpt) throws Exception {
        if (!Files.exists(ckpt)) {
            return -1;
        }
        String text = Files.readString(ckpt).trim();
        return Long.parseLong(text.substring(text.lastIndexOf('@') + 1));
    }

    private static void assertPrefixOf(byte[] file, byte[] printed) {
        assertTrue(printed.length <= file.length, "printed more than the file");
        assertArrayEquals(Arrays.copyOf(file, printed.length), printed, "output is the file's first bytes");
    }

    /** Collects a stream's bytes on a daemon thread. */
    private static Supplier<byte[]> collect(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            byte[] b = new byte[8192];
            int n;
            try {
                while ((n = in.read(b)) > 0) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return () -> {
            synchronized (buf) {
                return buf.toByteArray();
            }
        };
    }

    private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // stops a hung test only
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Starts the command line with its standard output going into a FIFO that the test reads (or
     * stalls) at will, and that stays readable to its end after the process has exited.
     */
    private Process startIntoFifo(InputStream[] reader, String... args) throws Exception {
        Path fifo = dir.resolve("stdout.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        java.util.concurrent.CompletableFuture<InputStream> in = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                // opens once the child's side is open for writing; available() is what the pipe holds
                return new java.io.FileInputStream(fifo.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Process p = CliProcess.builder(args).redirectOutput(fifo.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        reader[0] = in.get(300, TimeUnit.SECONDS); // a child JVM may take long to start: stops a hung test only
        return p;
    }

    @Test
    @Timeout(300)
    @EnabledOnOs(OS.LINUX)
    void sigtermWhileStdoutIsStalledExitsAndSavesNoCheckpointPastWhatWasPrinted() throws Exception {
        Path log = numberedLog("big.log", 100_000);
        Path ckpt = dir.resolve("big.ckpt");
        InputStream[] reader = new InputStream[1];
        Process p = startIntoFifo(reader, "tail", "--from-start", "--checkpoint", ckpt.toString(), log.toString());
        InputStream out = reader[0];
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        printed.write(out.read()); // started; from now on nobody reads: the pipe fills and writes block
        await("the pipe to stdout is full", () -> {
            try {
                return out.available() >= PIPE_FULL;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(p.isAlive());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "exits although standard output is blocked"); // a hung test only
        out.transferTo(printed);
        out.close();
        byte[] file = Files.readAllBytes(log);
        assertPrefixOf(file, printed.toByteArray());
        assertTrue(printed.size() < file.length, "the reader really was behind");
        assertTrue(savedOffset(ckpt) <= printed.size(),
                "checkpoint " + savedOffset(ckpt) + " covers only what reached stdout (" + printed.size() + ")");
    }

    @Test
    @Timeout(300)
    @EnabledOnOs(OS.LINUX)
    void checkpointIsSavedUnderASustainedBacklogSoAKillLosesLittle() throws Exception {
        Path log = numberedLog("backlog.log", 300_000);
        Path ckpt = dir.resolve("backlog.ckpt");
        InputStream[] reader = new InputStream[1];
        Process p = startIntoFifo(reader, "tail", "--from-start", "--checkpoint", ckpt.toString(), log.toString());
        InputStream out = reader[0];
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        long saved = -1;
        // a slow reader, until a checkpoint is saved: the tail's queue never drains, so it is saved under the backlog
        while (saved <= 0) {
            int n = out.read(b);
            assertTrue(n > 0, "the whole file was printed before any checkpoint was saved");
            printed.write(b, 0, n);
            Thread.sleep(5); // pacing only: slower than the tail reads
            saved = savedOffset(ckpt);
        }
        p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook
        out.transferTo(printed);
        out.close();
        byte[] file = Files.readAllBytes(log);
        assertPrefixOf(file, printed.toByteArray());
        assertTrue(printed.size() < file.length, "the reader really was behind");
        assertTrue(saved > 0, "a checkpoint was saved while the backlog lasted");
        long last = savedOffset(ckpt);
        assertTrue(last >= saved && last <= printed.size(),
                "checkpoint " + last + " covers only what reached stdout (" + printed.size() + ")");
        // bytes are copied as read: the checkpoint is just past the last byte printed, maybe within a line
        // (a restart prints the rest of it)
    }

    @Test
    @Timeout(300)
    void followingAMissingNameWithACheckpointWaitsForIt() throws Exception {
        Path log = dir.resolve("late.log");
        Path ckpt = dir.resolve("late.ckpt");
        Process p = CliProcess.builder("tail", "-F", "--poll", "20", "--checkpoint", ckpt.toString(),
                log.toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String waiting = err.readLine();
            assertTrue(waiting.contains("cannot open") && waiting.contains("No such file or directory"), waiting);
            assertTrue(p.isAlive(), "waits instead of failing");
            Files.writeString(log, "first\nsecond\n");
            assertEquals("first", out.readLine());
            assertEquals("second", out.readLine());
            await("checkpoint saved", () -> {
                try {
                    return savedOffset(ckpt) == 13;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            p.destroy();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void printsTheFileBytesExactly() throws Exception {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes("dos line\r\nunix line\n".getBytes(StandardCharsets.US_ASCII));
        content.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xc3, ' ', (byte) 0x80, '\n'});
        content.writeBytes("caf\u00e9 \u20ac\n".getBytes(StandardCharsets.UTF_8));
        byte[] longLine = new byte[(3 << 20) / 2]; // over the 1 MiB line maximum
        Arrays.fill(longLine, (byte) 'x');
        content.writeBytes(longLine);
        content.writeBytes("\nlone\rcr\r\nno newline at the end".getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = content.toByteArray();
        Path f = dir.resolve("exact.txt");
        Files.write(f, bytes);
        CliProcess all = CliProcess.run("tail", "--from-start", "--chunk-size", "64k", f.toString());
        assertEquals(0, all.exitCode, all.stderr);
        assertArrayEquals(bytes, all.stdout);
        CliProcess last = CliProcess.run("tail", "-n", "3", f.toString());
        assertEquals(0, last.exitCode, last.stderr);
        byte[] tail3 = new byte[longLine.length + 1];
        Arrays.fill(tail3, (byte) 'x');
        tail3[longLine.length] = '\n';
        assertEquals(new String(tail3, StandardCharsets.ISO_8859_1) + "lone\rcr\r\nno newline at the end",
                new String(last.stdout, StandardCharsets.ISO_8859_1));
    }

    @Test
    @Timeout(300)
    void followingPrintsAnUnterminatedLastLineAtOnceAndItsRestWithoutANewline() throws Exception {
        Path log = dir.resolve("partial.log");
        Files.writeString(log, "one\npart");
        Process p = CliProcess.builder("tail", "-f", log.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Supplier<byte[]> out = collect(p.getInputStream());
            await("'one\\npart' printed", () -> new String(out.get(), StandardCharsets.ISO_8859_1).equals("one\npart"));
            byte[] rest = {'i', 'a', 'l', '\r', '\n', (byte) 0xe9, 'x'};
            Files.write(log, rest, StandardOpenOption.APPEND);
            byte[] expected = Files.readAllBytes(log);
            await("the rest printed", () -> Arrays.equals(out.get(), expected));
            Files.writeString(log, "y\n", StandardOpenOption.APPEND);
            byte[] whole = Files.readAllBytes(log);
            await("its end printed", () -> Arrays.equals(out.get(), whole));
        } finally {
            p.destroy();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void lineCountsAsGnuTail() throws Exception {
        Path f = dir.resolve("seq.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 15; i++) {
            sb.append(i).append('\n');
        }
        Files.writeString(f, sb.toString());
        assertEquals("13\n14\n15\n", stdout(CliProcess.run("tail", "-n", "+13", f.toString())));
        assertEquals("13\n14\n15\n", stdout(CliProcess.run("tail", "-n", "-3", f.toString())));
        assertEquals("13\n14\n15\n", stdout(CliProcess.run("tail", "-n3", f.toString())));
        assertEquals(sb.toString(), stdout(CliProcess.run("tail", "-n", "+0", f.toString())));
        assertEquals(sb.toString(), stdout(CliProcess.run("tail", "-n", "1k", f.toString())));
        CliProcess bad = CliProcess.run("tail", "-n", "3x", f.toString());
        assertEquals(2, bad.exitCode);
        assertTrue(bad.stderr.startsWith("invalid number of lines: '3x'"), bad.stderr);
    }

    private static String stdout(CliProcess p) {
        assertEquals(0, p.exitCode, p.stderr);
        return new String(p.stdout, StandardCharsets.ISO_8859_1);
    }

    @Test
    @Timeout(300)
    void standardInputIsReadToItsEndKeepingTheLastLines() throws Exception {
        Process p = CliProcess.builder("tail", "-n", "3", "-").start();
        Supplier<byte[]> out = collect(p.getInputStream());
        Supplier<byte[]> err = collect(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            for (int i = 1; i <= 15; i++) {
                in.write((i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(err.get(), StandardCharsets.UTF_8));
        await("output", () -> new String(out.get(), StandardCharsets.US_ASCII).equals("13\n14\n15\n"));
    }

    @Test
    @Timeout(300)
    @EnabledOnOs(OS.LINUX)
    void aFifoIsReadToItsEndKeepingTheLastLines() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Process p = CliProcess.builder("tail", "-n", "2", fifo.toString()).start();
        Supplier<byte[]> out = collect(p.getInputStream());
        Supplier<byte[]> err = collect(p.getErrorStream());
        try (OutputStream w = Files.newOutputStream(fifo)) { // opens once the tail opened it for reading
            for (int i = 1; i <= 2000; i++) {
                w.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            w.write("unterminated".getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(err.get(), StandardCharsets.UTF_8));
        await("output", () -> new String(out.get(), StandardCharsets.US_ASCII).equals("line 2000\nunterminated"));
    }

    @Test
    void badOptionValuesAndCheckpointProblemsAreOneClearLine() throws Exception {
        Path f = dir.resolve("small.txt");
        Files.writeString(f, "a\nb\n");
        CliProcess poll = CliProcess.run("tail", "--poll", "0", f.toString());
        assertEquals(2, poll.exitCode);
        assertTrue(poll.stderr.startsWith("--poll must be >= 1 (ms), was 0"), poll.stderr);
        assertEquals(CliProcess.run("tail", "--chunk-size", "lots", f.toString()).exitCode, poll.exitCode,
                "same exit code as another bad option value");

        Path nowhere = dir.resolve("no-such-dir").resolve("small.ckpt");
        CliProcess noDir = CliProcess.run("tail", "--checkpoint", nowhere.toString(), f.toString());
        assertEquals(1, noDir.exitCode);
        assertEquals(0, noDir.stdout.length, "nothing printed before the error");
        assertEquals(1, noDir.stderr.strip().lines().count(), noDir.stderr);
        assertTrue(noDir.stderr.contains(nowhere.getParent().toString()) && noDir.stderr.contains("does not exist"),
                noDir.stderr);

        Path empty = dir.resolve("empty.ckpt");
        Files.writeString(empty, "");
        CliProcess corrupt = CliProcess.run("tail", "--checkpoint", empty.toString(), f.toString());
        assertEquals(1, corrupt.exitCode);
        assertEquals(1, corrupt.stderr.strip().lines().count(), corrupt.stderr);
        assertTrue(corrupt.stderr.contains(empty.toString()) && corrupt.stderr.contains("delete it"), corrupt.stderr);
        assertFalse(corrupt.stderr.contains("Exception"), corrupt.stderr);
    }

    @Test
    @Timeout(300)
    void aNameReplacedByADirectoryIsReportedAsUntrackable() throws Exception {
        Path log = dir.resolve("moving.log");
        Files.writeString(log, "a\n");
        Process p = CliProcess.builder("tail", "-F", "--poll", "20", log.toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            assertEquals("a", out.readLine());
            Files.delete(log);
            Files.createDirectory(log);
            String line;
            do {
                line = err.readLine();
            } while (line != null && !line.contains("untrackable"));
            assertEquals("fileflux tail: '" + log + "' has been replaced with an untrackable file; "
                    + "reading the old file until a regular file is there again", line);
            Files.delete(log);
            Files.writeString(log, "b\n");
            assertEquals("b", out.readLine(), "a regular file at the name again is followed");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void severalFilesGetGnuHeadersUnlessQuiet() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a1\na2\na3\n");
        Path b = Files.writeString(dir.resolve("b.log"), "b1\nb2");
        CliProcess both = CliProcess.run("tail", "-n", "2", a.toString(), b.toString());
        assertEquals(0, both.exitCode, both.stderr);
        assertEquals("==> " + a + " <==\na2\na3\n\n==> " + b + " <==\nb1\nb2",
                new String(both.stdout, StandardCharsets.UTF_8));
        CliProcess quiet = CliProcess.run("tail", "-q", "-n", "+2", dir + "/*.log");
        assertEquals(0, quiet.exitCode, quiet.stderr);
        assertEquals("a2\na3\nb2", new String(quiet.stdout, StandardCharsets.UTF_8));
        CliProcess missing = CliProcess.run("tail", a.toString(), dir.resolve("none.log").toString());
        assertEquals(1, missing.exitCode);
        assertTrue(missing.stderr.contains("cannot open '" + dir.resolve("none.log") + "'"), missing.stderr);
    }

    @Test
    @Timeout(300)
    @EnabledOnOs(OS.LINUX)
    void followingAGlobFindsFilesCreatedLaterAndExitsAtOnceWhenStdoutCloses() throws Exception {
        Files.writeString(dir.resolve("a.log"), "a1\n");
        Process p = CliProcess.builder("tail", "-F", "--poll", "20", dir + "/*.log").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("==> " + dir.resolve("a.log") + " <==", out.readLine());
            assertEquals("a1", out.readLine());
            Files.writeString(dir.resolve("b.log"), "b1\n");
            assertEquals("", out.readLine());
            assertEquals("==> " + dir.resolve("b.log") + " <==", out.readLine());
            assertEquals("b1", out.readLine());
            Files.writeString(dir.resolve("a.log"), "a2\n", StandardOpenOption.APPEND);
            assertEquals("", out.readLine());
            assertEquals("==> " + dir.resolve("a.log") + " <==", out.readLine());
            assertEquals("a2", out.readLine());
        } // like head exiting: the pipe's reader is gone, and nothing more is written to the files
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "exits without having to write first"); // a hung test only
        assertEquals(141, p.exitValue());
    }
}
