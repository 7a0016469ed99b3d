package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux cat} and {@code fileflux info} run in a child JVM, on real files. */
class CatCommandTest {

    @TempDir
    Path dir;

    @Test
    void catPrintsFilesInOrderAndRanges() throws Exception {
        byte[] a = random(3_000_001, 1);
        byte[] b = random(5, 2);
        Files.write(dir.resolve("a"), a);
        Files.write(dir.resolve("b"), b);
        CliProcess p = CliProcess.run("cat", "--chunk-size", "64k", "--in-flight", "8",
                dir.resolve("a").toString(), dir.resolve("b").toString());
        assertEquals(0, p.exitCode, p.stderr);
        byte[] expected = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertArrayEquals(expected, p.stdout);

        CliProcess range = CliProcess.run("cat", "--offset", "1000", "--length", "1k", dir.resolve("a").toString());
        assertEquals(0, range.exitCode, range.stderr);
        assertArrayEquals(Arrays.copyOfRange(a, 1000, 2024), range.stdout);
    }

    @Test
    void userErrorsAreOneLineWithoutStackTrace() throws Exception {
        CliProcess missing = CliProcess.run("cat", dir.resolve("missing").toString());
        assertEquals(1, missing.exitCode);
        assertEquals("fileflux: " + dir.resolve("missing") + ": No such file or directory", missing.stderr.trim());

        CliProcess directory = CliProcess.run("cat", dir.toString());
        assertEquals(1, directory.exitCode);
        assertTrue(directory.stderr.trim().endsWith("Is a directory"), directory.stderr);
        assertFalse(directory.stderr.contains("\tat "), "no stack trace");

        CliProcess badSize = CliProcess.run("cat", "--chunk-size", "lots", dir.toString());
        assertEquals(2, badSize.exitCode);
        assertTrue(badSize.stderr.contains("not a size: 'lots'"), badSize.stderr);

        CliProcess badEngine = CliProcess.run("cat", "--engine", "floppy", dir.toString());
        assertEquals(1, badEngine.exitCode);
        assertTrue(badEngine.stderr.contains("unknown engine 'floppy'"), badEngine.stderr);
    }

    @Test
    void aBadFileIsReportedAndTheOthersArePrintedLikeCat() throws Exception {
        Files.writeString(dir.resolve("a"), "A\n");
        Files.writeString(dir.resolve("b"), "B\n");
        CliProcess p = CliProcess.run("cat", dir.resolve("a").toString(), dir.resolve("missing").toString(),
                dir.resolve("a") + "/", "", dir.resolve("b").toString());
        assertEquals(1, p.exitCode);
        assertEquals("A\nB\n", new String(p.stdout, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(
                "fileflux: " + dir.resolve("missing") + ": No such file or directory",
                "fileflux: " + dir.resolve("a") + "/: Not a directory",
                "fileflux: '': No such file or directory"), p.stderr.lines().toList());
    }

    @Test
    void dashIsStandardInputAndAtSignsAreFileNames() throws Exception {
        Files.writeString(dir.resolve("a"), "A\n");
        Files.writeString(dir.resolve("@notes"), "at\n");
        Process p = CliProcess.builder("cat", dir.resolve("a").toString(), "-", dir.resolve("@notes").toString())
                .start();
        try (var in = p.getOutputStream()) {
            in.write("from stdin\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals("A\nfrom stdin\nat\n", out);
    }

    @Test
    void aFifoIsPrintedAsWrittenAndEndsWhenItsWriterCloses() throws Exception {
        Path fifo = dir.resolve("pipe");
        org.junit.jupiter.api.Assumptions.assumeTrue(io.fileflux.core.TestFiles.mkfifo(fifo), "named pipes");
        for (String engine : List.of("io_uring", "nio")) {
            if (engine.equals("io_uring") && io.fileflux.core.Engines.probeAll().stream().noneMatch(st -> st.name().equals("io_uring") && st.available())) {
                continue;
            }
            Process p = CliProcess.builder("cat", "--engine", engine, fifo.toString()).start();
            try (var w = Files.newOutputStream(fifo)) { // opens once cat has opened the FIFO
                w.write("through the pipe\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), engine);
            assertEquals(0, p.exitValue(), engine);
            assertEquals("through the pipe\n", out, engine);
        }
    }

    @Test
    void closingStdoutEarlyStopsReading() throws Exception {
        Path big = dir.resolve("big");
        try (var out = Files.newOutputStream(big)) {
            byte[] block = random(1 << 20, 3);
            for (int i = 0; i < 256; i++) {
                out.write(block);
            }
        }
        Process p = CliProcess.builder("cat", "--chunk-size", "64k", big.toString()).start();
        InputStream in = p.getInputStream();
        byte[] first = in.readNBytes(100);
        assertEquals(100, first.length);
        in.close(); // like `| head -c 100`
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cat exits when its stdout closes");
        assertEquals(CatCommand.EXIT_BROKEN_PIPE, p.exitValue());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliProcess.copy(p.getErrorStream(), err);
        assertEquals("", err.toString().trim(), "quiet on a closed pipe");
    }

    /**
     * Regression (issue 11, repro 8): a range that runs into a read error printed only part of what was read
     * before the failing offset. The range is this JVM's memory through {@code /proc/PID/mem}: a 16 MiB
     * mapping of a file cut to 8 MiB after it was mapped, so every read past 8 MiB fails with EIO.
     */
    @Test
    void aReadErrorComesAfterEveryChunkReadBeforeIt() throws Exception {
        int good = 8 << 20;
        byte[] content = random(good, 4);
        Path file = dir.resolve("cut-short.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(content));
            ch.write(ByteBuffer.wrap(new byte[1]), 2L * good - 1); // 16 MiB long, to be mapped whole
            MappedByteBuffer mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, 2L * good);
            ch.truncate(good); // the mapping's second half is now past the end of the file
            long address = mappedAddress(file);
            allowAnyProcessToReadThisOne();
            String mem = "/proc/" + ProcessHandle.current().pid() + "/mem";
            for (String engine : availableEngines()) {
                CliProcess p = CliProcess.run("cat", "--engine", engine, "--chunk-size", "1m",
                        "--offset", Long.toString(address), "--length", "16m", mem);
                assumeFalse(p.stderr.contains("Permission denied"), "this kernel refuses to read " + mem + ": " + p.stderr);
                assertEquals(1, p.exitCode, engine + ": " + p.stderr);
                assertEquals(good, p.stdout.length, engine + ": every byte before the failing offset; " + p.stderr);
                assertArrayEquals(content, p.stdout, engine);
                List<String> err = p.stderr.lines().toList();
                assertEquals(1, err.size(), engine + ": one line: " + p.stderr);
                assertTrue(err.get(0).startsWith("fileflux: read failed: " + mem + " at offset " + (address + good)),
                        engine + ": " + err.get(0));
            }
            java.lang.ref.Reference.reachabilityFence(mapping);
        }
    }

    /** The start address of this JVM's mapping of {@code file}, from {@code /proc/self/maps}. */
    private static long mappedAddress(Path file) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith(" " + file)) {
                return Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16);
            }
        }
        throw new AssertionError(file + " is not in /proc/self/maps");
    }

    /**
     * Where Yama restricts ptrace to ancestors ({@code ptrace_scope} 1), lets the child {@code cat} read this
     * JVM's memory: {@code prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY)}. Without Yama the call fails harmlessly.
     */
    private static void allowAnyProcessToReadThisOne() {
        com.sun.jna.Function.getFunction("c", "prctl").invokeInt(new Object[] {0x59616d61, -1L, 0L, 0L, 0L});
    }

    private static List<String> availableEngines() {
        return io.fileflux.core.Engines.probeAll().stream()
                .filter(st -> st.available() && !st.name().equals("iocp"))
                .map(st -> st.name()).toList();
    }

    @Test
    void infoShowsEnginesAndTheChoice() throws Exception {
        CliProcess p = CliProcess.run("info");
        assertEquals(0, p.exitCode, p.stderr);
        String out = new String(p.stdout);
        assertTrue(out.contains("nio"), out);
        assertTrue(out.contains("Chosen:"), out);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void moreReadsInFlightThanDirectMemoryFailsAtOnceWithTheAdvice() throws Exception {
        Path big = dir.resolve("big");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(32L << 20); // sparse: the check comes before any read
        }
        List<String> cmd = new java.util.ArrayList<>(CliProcess.builder("cat", "--chunk-size", "4m", "--in-flight", "4",
                big.toString()).command());
        int at = 0;
        while (!cmd.get(at).endsWith("java")) {
            at++; // after the java executable (CliProcess may put a wrapper before it)
        }
        cmd.add(at + 1, "-XX:MaxDirectMemorySize=8m");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "exited");
        assertEquals(1, p.exitValue(), err);
        assertTrue(err.contains("reading " + big + ": cannot allocate 4 read buffers of 4194304 bytes (16 MiB)"
                + " within the JVM's direct memory (8 MiB, -XX:MaxDirectMemorySize)"), err);
        assertTrue(err.contains("lower --chunk-size"), err);
        assertFalse(err.contains("\tat "), "no stack trace");
    }
}
