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

    @Test
    void anInterruptedAtomicCopyLeavesNoTemporaryFile() throws Exception {
        Path src = dir.resolve("src.bin");
        try (var out = Files.newOutputStream(src)) {
            byte[] block = new byte[1 << 20];
            new java.util.Random(5).nextBytes(block);
            for (int i = 0; i < 512; i++) {
                out.write(block);
            }
        }
        Path outDir = Files.createDirectories(dir.resolve("out"));
        Path dst = outDir.resolve("t");
        Process p = CliProcess.builder("cp", "--atomic", "--sync", "--in-flight", "1", src.toString(), dst.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (CpCommand.temporaryFilesOf(dst).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(p.isAlive(), "the copy finished before it could be stopped");
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertEquals(java.util.Set.of(), CpCommand.temporaryFilesOf(dst), "the temporary file was deleted");
        assertFalse(Files.exists(dst), "the target was never created");
    }

    @Test
    void argumentsAreCheckedLikeCp() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "A");
        CliProcess trailing = CliProcess.run("cp", a.toString(), dir.resolve("newdir") + "/");
        assertEquals(1, trailing.exitCode);
        assertTrue(trailing.stderr.contains("Not a directory"), trailing.stderr);
        assertFalse(Files.exists(dir.resolve("newdir")));

        CliProcess empty = CliProcess.run("cp", a.toString(), "");
        assertEquals(1, empty.exitCode);
        assertEquals("fileflux: '': No such file or directory", empty.stderr.trim());

        CliProcess root = CliProcess.run("cp", "/", dir.toString());
        assertEquals(1, root.exitCode);
        assertTrue(root.stderr.trim().startsWith("fileflux: /: Is a directory"), root.stderr);

        CliProcess inFlight = CliProcess.run("cp", "--in-flight", "0", a.toString(), dir.resolve("b").toString());
        assertEquals(1, inFlight.exitCode);
        assertEquals("fileflux: --in-flight must be between 1 and 4096, was 0", inFlight.stderr.trim());
    }

    @Test
    void aNewCopyGetsTheSourcesMode() throws Exception {
        Path a = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        try {
            Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("no POSIX permissions here");
        }
        CliProcess p = CliProcess.run("cp", a.toString(), dir.resolve("copy").toString());
        assertEquals(0, p.exitCode, p.stderr);
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("copy"))));
    }

    @Test
    void aFifoWithNoWriterDoesNotTruncateTheTarget() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
                && mk.exitValue() == 0, "mkfifo is not available");
        Path t = Files.writeString(dir.resolve("t"), "keep me");
        java.util.concurrent.CompletableFuture<Object[]> cp = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> run("cp", fifo.toString(), t.toString()));
        // the writer's open returns once cp has opened the FIFO for reading
        try (var w = Files.newOutputStream(fifo)) {
            assertEquals("keep me", Files.readString(t), "the target was truncated before the source had data");
            w.write("piped".getBytes(StandardCharsets.UTF_8));
        }
        Object[] r = cp.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, r[0], String.valueOf(r[1]));
        assertEquals("piped", Files.readString(t));
    }

    @Test
    void atomicCopyWritesThroughASymbolicLinkLikeAPlainCopy() throws Exception {
        Path src = Files.writeString(dir.resolve("new"), "new");
        Path real = Files.writeString(dir.resolve("real"), "old");
        Path lnk = Files.createSymbolicLink(dir.resolve("lnk"), real.getFileName());
        for (String[] flags : new String[][] {{}, {"--atomic"}}) {
            Files.writeString(real, "old");
            String[] args = new String[flags.length + 3];
            args[0] = "cp";
            System.arraycopy(flags, 0, args, 1, flags.length);
            args[flags.length + 1] = src.toString();
            args[flags.length + 2] = lnk.toString();
            Object[] r = run(args);
            assertEquals(0, r[0], String.valueOf(r[1]));
            assertTrue(Files.isSymbolicLink(lnk), java.util.Arrays.toString(flags) + ": the link was replaced");
            assertEquals("new", Files.readString(real), java.util.Arrays.toString(flags));
        }
    }

    @Test
    void anAtomicCopyRemovesTheTemporaryFileAKilledCopyLeft() throws Exception {
        Path src = Files.writeString(dir.resolve("src"), "data");
        Path t = dir.resolve("t");
        Path left = Files.writeString(dir.resolve(".t.fileflux-0123abcd.tmp"), "left by kill -9");
        Files.setLastModifiedTime(left, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
        Path running = Files.writeString(dir.resolve(".t.fileflux-4567ef.tmp"), "a copy writing now");
        Object[] r = run("cp", "--atomic", src.toString(), t.toString());
        assertEquals(0, r[0], String.valueOf(r[1]));
        assertEquals("data", Files.readString(t));
        assertEquals(java.util.Set.of(running), CpCommand.temporaryFilesOf(t));
    }

    @Test
    void aSparseFileStaysSparse() throws Exception {
        Path src = dir.resolve("sparse");
        try (var ch = java.nio.channels.FileChannel.open(src, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("head".getBytes(StandardCharsets.UTF_8)), 0);
            ch.write(java.nio.ByteBuffer.wrap("tail".getBytes(StandardCharsets.UTF_8)), (1L << 30) - 4);
        }
        Path t = dir.resolve("t");
        Object[] r = run("cp", src.toString(), t.toString());
        assertEquals(0, r[0], String.valueOf(r[1]));
        assertEquals(1L << 30, Files.size(t));
        try (var ch = java.nio.channels.FileChannel.open(t)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
            ch.read(b, (1L << 30) - 4);
            assertEquals("tail", new String(b.array(), StandardCharsets.UTF_8));
        }
        // the unix attribute view has no block count: ask stat(1)
        Process stat = new ProcessBuilder("stat", "-c", "%b", src.toString(), t.toString()).start();
        String[] b = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
        assertTrue(stat.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && stat.exitValue() == 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(Long.parseLong(b[0]) < 1000, "this file system made no holes");
        // the publisher fallback (nio engine, other OSes) writes the holes as zeros; the kernel copy keeps them
        if (io.fileflux.core.Engines.select().name().equals("io_uring")) {
            assertTrue(Long.parseLong(b[1]) <= Long.parseLong(b[0]), "target blocks " + b[1] + ", source " + b[0]);
        }
    }
}
