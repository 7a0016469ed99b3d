package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * {@link FileFlux#copy}: the in-kernel copy keeps bytes and holes, falls back to the publishers where the
 * kernel refuses, cleans up on cancel, opens the source before the target, writes through symbolic links
 * in atomic mode and removes stale temporary files of its own pattern.
 */
class FileCopyTest {

    private static final long WAIT_SECONDS = 60; // only stops a hung test

    @TempDir
    Path dir;

    private static WriteOptions uring() {
        assumeTrue(TestEngines.available().contains("io_uring"), "the io_uring engine is not available here");
        WriteOptions o = WriteOptions.defaults().engine("io_uring");
        assumeTrue(FileWriteCopy.kernelCopyApplies(o));
        return o;
    }

    /** Copies and records the name of the thread that reported progress (the kernel copy's worker or a drain). */
    private static long copy(Path src, Path dst, WriteOptions o, long slice, Set<String> threads) {
        Long n = FileWriteCopy.copy(src, dst, o.progress(p -> threads.add(Thread.currentThread().getName())), slice)
                .block(java.time.Duration.ofSeconds(WAIT_SECONDS));
        assertNotNull(n);
        return n;
    }

    private static long blocks(Path p) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(stat.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && stat.exitValue() == 0, out);
        return Long.parseLong(out);
    }

    private static void writeAt(FileChannel ch, long at, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
    }

    private static byte[] readAt(Path p, long at, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                // until full or end of file
            }
            return b.array();
        }
    }

    @Test
    void sparseFileIsCopiedByteExactWithItsHoles() throws Exception {
        WriteOptions o = uring();
        Random rnd = new Random(7);
        Path src = dir.resolve("sparse");
        // data, a hole, data straddling a slice boundary, a hole, data past 4 GiB, a trailing hole to 5 GiB
        long[] at = {0, 3L << 20, (4L << 30) + 12345};
        byte[][] data = {new byte[1 << 20], new byte[(2 << 20) + 7], new byte[100_000]};
        try (FileChannel ch = FileChannel.open(src, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < at.length; i++) {
                rnd.nextBytes(data[i]);
                writeAt(ch, at[i], data[i]);
            }
            ch.truncate(5L << 30);
            writeAt(ch, (5L << 30) - 1, new byte[] {0}); // sets the size; the last block is data
        }
        Path dst = dir.resolve("copy");
        Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        assertEquals(5L << 30, copy(src, dst, o, 1 << 20, threads));
        assertTrue(threads.stream().noneMatch(t -> t.startsWith("fileflux-")), "not the kernel copy: " + threads);
        assertEquals(Files.size(src), Files.size(dst));
        for (int i = 0; i < at.length; i++) {
            assertArrayEquals(data[i], readAt(dst, at[i], data[i].length), "extent " + i);
        }
        assertArrayEquals(new byte[4096], readAt(dst, 2L << 20, 4096), "a hole");
        assertArrayEquals(new byte[4096], readAt(dst, 3L << 30, 4096), "a hole");
        assertTrue(blocks(dst) <= blocks(src), "target " + blocks(dst) + " blocks, source " + blocks(src));
        assertTrue(blocks(dst) < 100_000, "holes filled: " + blocks(dst) + " blocks");
    }

    @Test
    void dataFileAndAtomicCopyAreByteExact() throws Exception {
        WriteOptions o = uring();
        byte[] data = new byte[(5 << 20) + 3];
        new Random(3).nextBytes(data);
        Path src = Files.write(dir.resolve("src"), data);
        for (WriteOptions w : List.of(o, o.atomic(true), o.atomic(true).durability(WriteOptions.Durability.FSYNC),
                o.createNew())) {
            Path dst = dir.resolve("dst");
            Files.deleteIfExists(dst);
            Files.write(dst, new byte[10 << 20]); // a longer file to replace
            if (w.mode() == WriteOptions.Mode.CREATE_NEW) {
                Files.delete(dst);
            }
            assertEquals(data.length, copy(src, dst, w, 1 << 20, java.util.concurrent.ConcurrentHashMap.newKeySet()));
            assertArrayEquals(data, Files.readAllBytes(dst), w.toString());
            assertEquals(List.of(), temporaryFiles(), w.toString());
        }
    }

    @Test
    void emptyFileIsCopied() throws Exception {
        WriteOptions o = uring();
        Path src = Files.createFile(dir.resolve("empty"));
        Path dst = Files.write(dir.resolve("dst"), new byte[100]);
        assertEquals(0, copy(src, dst, o, 1 << 20, java.util.concurrent.ConcurrentHashMap.newKeySet()));
        assertEquals(0, Files.size(dst));
    }

    @Test
    void procFilesAndOtherFileSystemsFallBackToThePublishers() throws Exception {
        WriteOptions o = uring();
        Path dst = dir.resolve("status");
        Path proc = Path.of("/proc/self/limits");
        assumeTrue(Files.isReadable(proc));
        long n = copy(proc, dst, o, 1 << 20, java.util.concurrent.ConcurrentHashMap.newKeySet());
        assertTrue(n > 0 && Files.readString(dst).contains("Max open files"), Files.readString(dst));

        // another file system: copy_file_range refuses (EXDEV) before copying anything
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).type().equals(Files.getFileStore(dir).type()));
        byte[] data = new byte[(3 << 20) + 1];
        new Random(5).nextBytes(data);
        Path src = Files.write(Files.createTempFile(shm, "fileflux-copy", ".bin"), data);
        try {
            Path other = dir.resolve("other");
            Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            assertEquals(data.length, copy(src, other, o.createNew(), 1 << 20, threads));
            assertArrayEquals(data, Files.readAllBytes(other));
        } finally {
            Files.deleteIfExists(src);
        }
    }

    @Test
    void cancelMidCopyClosesBothFilesAndDeletesTheTemporaryFile() throws Exception {
        WriteOptions base = uring();
        Path src = dir.resolve("big");
        try (FileChannel ch = FileChannel.open(src, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeAt(ch, 0, new byte[16 << 20]);
        }
        for (boolean atomic : new boolean[] {false, true}) {
            Path dst = dir.resolve("dst-" + atomic);
            CountDownLatch sliced = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            WriteOptions o = base.atomic(atomic).progress(p -> {
                sliced.countDown();
                try {
                    cancelled.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<Object> signal = new AtomicReference<>();
            Disposable d = FileWriteCopy.copy(src, dst, o, 1 << 20).subscribe(signal::set, signal::set);
            assertTrue(sliced.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(openFds().stream().anyMatch(p -> p.startsWith(dir)), "the copy holds its files");
            d.dispose();
            cancelled.countDown();
            awaitState(() -> openFds().stream().noneMatch(p -> p.startsWith(dir)), "a file stays open: " + openFds());
            awaitState(() -> temporaryFiles().isEmpty(), "a temporary file is left: " + temporaryFiles());
            assertEquals(null, signal.get(), "a signal after cancel");
            if (atomic) {
                assertFalse(Files.exists(dst));
            }
        }
    }

    @Test
    void aFifoWithNoWriterLeavesTheTargetUntouched() throws Exception {
        Path fifo = dir.resolve("fifo");
        assumeTrue(TestFiles.mkfifo(fifo), "named pipes of the POSIX kind");
        for (String engine : TestEngines.available()) {
            Path dst = Files.writeString(dir.resolve("dst"), "keep me");
            AtomicReference<Object> result = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            // the writer's open returns once the copy has opened the FIFO for reading
            java.util.concurrent.CompletableFuture<OutputStream> writer = TestFiles.fifoWriter(fifo);
            Disposable d = FileFlux.copy(fifo, dst, WriteOptions.defaults().engine(engine)).subscribe(
                    n -> result.set(n), e -> {
                        result.set(e);
                        done.countDown();
                    }, done::countDown);
            try {
                OutputStream w = writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals("keep me", Files.readString(dst), engine + ": the target was truncated");
                w.write("from the pipe".getBytes(StandardCharsets.UTF_8));
                w.close();
                assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
                assertEquals(13L, result.get(), engine);
                assertEquals("from the pipe", Files.readString(dst), engine);
            } finally {
                d.dispose();
            }
        }
    }

    @Test
    void atomicCopyWritesThroughASymbolicLink() throws Exception {
        for (String engine : TestEngines.available()) {
            Path src = Files.writeString(dir.resolve("new"), "new content " + engine);
            Path real = Files.writeString(dir.resolve("real-" + engine), "old");
            Path lnk = Files.createSymbolicLink(dir.resolve("lnk-" + engine), real.getFileName());
            for (boolean atomic : new boolean[] {false, true}) {
                FileFlux.copy(src, lnk, WriteOptions.defaults().engine(engine).atomic(atomic))
                        .block(java.time.Duration.ofSeconds(WAIT_SECONDS));
                assertTrue(Files.isSymbolicLink(lnk), engine + " atomic=" + atomic + ": the link was replaced");
                assertEquals("new content " + engine, Files.readString(real), engine + " atomic=" + atomic);
                Files.writeString(real, "old");
            }
            // a dangling link: the file it names is created, as open(2) does
            Path dangling = Files.createSymbolicLink(dir.resolve("dangling-" + engine), Path.of("made-" + engine));
            FileFlux.copy(src, dangling, WriteOptions.defaults().engine(engine).atomic(true))
                    .block(java.time.Duration.ofSeconds(WAIT_SECONDS));
            assertTrue(Files.isSymbolicLink(dangling));
            assertEquals("new content " + engine, Files.readString(dir.resolve("made-" + engine)));
        }
    }

    @Test
    void atomicCopyRemovesOnlyStaleTemporaryFilesOfItsTarget() throws Exception {
        Path src = Files.writeString(dir.resolve("src"), "content");
        Path dst = dir.resolve("dst");
        Instant old = Instant.now().minus(FileWriteCopy.STALE_TEMP_AGE).minusSeconds(3600);
        Path stale = Files.writeString(dir.resolve(".dst.fileflux-1a2b3c.tmp"), "left by kill -9");
        Path fresh = Files.writeString(dir.resolve(".dst.fileflux-4d5e6f.tmp"), "a copy running now");
        Path held = Files.writeString(dir.resolve(".dst.fileflux-778899.tmp"), "old but still open");
        Path other = Files.writeString(dir.resolve(".dst2.fileflux-1a2b3c.tmp"), "another target's");
        Path lookalike = Files.writeString(dir.resolve(".dst.fileflux-XYZ.tmp"), "not our pattern");
        for (Path p : List.of(stale, held, other, lookalike)) {
            Files.setLastModifiedTime(p, FileTime.from(old));
        }
        try (FileChannel open = FileChannel.open(held)) {
            FileFlux.copy(src, dst, WriteOptions.defaults().atomic(true)).block(java.time.Duration.ofSeconds(WAIT_SECONDS));
            assertNotNull(open);
        }
        assertEquals("content", Files.readString(dst));
        assertFalse(Files.exists(stale), "the stale temporary file is still there");
        for (Path p : List.of(fresh, held, other, lookalike)) {
            assertTrue(Files.exists(p), p + " was deleted");
        }
    }

    private List<Path> temporaryFiles() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What this JVM's file descriptors point at. */
    private static List<Path> openFds() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.collect(Collectors.toList())) {
                try {
                    out.add(Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Waits for an observable state; the bound only stops a hung test. */
    private static void awaitState(BooleanSupplier state, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!state.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, message);
            Thread.sleep(5);
        }
    }
}
