package io.fileflux.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device contract, written once and run against every engine: one subclass per engine supplies
 * {@link #createEngine()}. Each test gets a fresh engine, so its counters prove nothing leaked.
 */
public abstract class DeviceConformanceTest {

    protected static final int CHUNK = 64 * 1024;

    @TempDir
    protected Path dir;
    protected FileEngine engine;

    /** A new engine instance for one test; closed after it. */
    protected abstract FileEngine createEngine();

    /** A pipe whose writer never writes: a read on it stays in flight until a cancel or a close ends it. */
    protected interface SilentPipe extends AutoCloseable {
        /** The path a device opens to read the pipe. */
        Path path();

        /** Closes the writer's end. */
        @Override
        void close() throws IOException;
    }

    /**
     * A new {@link SilentPipe}: by default a FIFO with a writer that never writes (opened read-write,
     * so that opening it does not wait for a reader); skips the test where there are no FIFOs.
     * Engines of other platforms override it (a named pipe on Windows).
     */
    protected SilentPipe silentPipe() throws IOException {
        Path fifo = dir.resolve("silent-" + System.nanoTime());
        org.junit.jupiter.api.Assumptions.assumeTrue(TestFiles.mkfifo(fifo), "named pipes of the POSIX kind");
        java.io.RandomAccessFile writer = new java.io.RandomAccessFile(fifo.toFile(), "rw");
        return new SilentPipe() {
            @Override
            public Path path() {
                return fifo;
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }

    @BeforeEach
    void openEngine() {
        engine = createEngine();
    }

    @AfterEach
    void closeEngine() {
        TestFiles.await(Duration.ofSeconds(10), "all devices closed: " + engine.stats(),
                () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
        engine.close();
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 10 * 1024 * 1024 + 3})
    void readsWholeFile(int size) throws Exception {
        Path file = dir.resolve("f" + size);
        byte[] expected = TestFiles.create(file, size, size);
        FileDevice device = engine.open(file);
        try {
            assertEquals(size, device.size());
            assertArrayEquals(expected, DeviceReads.readRange(device, 0, -1, CHUNK, true));
            assertArrayEquals(expected, DeviceReads.readRange(device, 0, -1, CHUNK, false), "heap buffers");
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsRangesAtOddOffsets() throws Exception {
        Path file = dir.resolve("ranges");
        byte[] expected = TestFiles.create(file, 1_000_003, 7);
        FileDevice device = engine.open(file);
        try {
            long[][] ranges = {{1, 1}, {12345, 777}, {4095, 4097}, {999_999, 4}, {65_537, 300_001}};
            for (long[] r : ranges) {
                byte[] got = DeviceReads.readRange(device, r[0], r[1], 10_007, true);
                assertArrayEquals(Arrays.copyOfRange(expected, (int) r[0], (int) (r[0] + r[1])), got,
                        "range " + r[0] + "+" + r[1]);
            }
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readAtOrPastEndReturnsZero() throws Exception {
        Path file = dir.resolve("short");
        TestFiles.create(file, 100, 1);
        FileDevice device = engine.open(file);
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            assertEquals(10, DeviceReads.read(device, b, 90), "a read straddling EOF is short");
            assertEquals(10, b.position(), "position advanced by the count");
            assertEquals(0, DeviceReads.read(device, ByteBuffer.allocateDirect(64), 100));
            assertEquals(0, DeviceReads.read(device, ByteBuffer.allocateDirect(64), 1L << 40));
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    /** True if the engine's {@link FileDevice#readCached} answers from the page cache (false: always -1). */
    protected boolean readsFromPageCache() {
        return false;
    }

    @Test
    void readCachedReadsWhatTheCacheHoldsOrNothing() throws Exception {
        Path file = dir.resolve("cached");
        byte[] expected = TestFiles.create(file, 100_003, 9); // just written: in the page cache
        FileDevice device = engine.open(file);
        try {
            long[][] reads = {{0, 4096}, {12_345, 777}, {99_000, 5000}};
            for (boolean direct : new boolean[] {true, false}) {
                for (long[] r : reads) {
                    int len = (int) r[1];
                    ByteBuffer b = direct ? ByteBuffer.allocateDirect(len + 3) : ByteBuffer.allocate(len + 3);
                    b.position(3);
                    int n = device.readCached(b, r[0]);
                    if (!readsFromPageCache() && n == -1) {
                        assertEquals(3, b.position(), "nothing read");
                        continue;
                    }
                    int want = (int) Math.min(len, expected.length - r[0]);
                    assertEquals(want, n, "read at " + r[0] + (direct ? " (direct)" : " (heap)"));
                    assertEquals(3 + n, b.position(), "position advanced by the count");
                    byte[] got = new byte[n];
                    b.flip().position(3);
                    b.get(got);
                    assertArrayEquals(Arrays.copyOfRange(expected, (int) r[0], (int) r[0] + n), got);
                }
            }
            int atEnd = device.readCached(ByteBuffer.allocate(10), expected.length);
            assertTrue(atEnd == 0 || (!readsFromPageCache() && atEnd == -1), "at the end: " + atEnd);
            assertThrows(IllegalArgumentException.class, () -> device.readCached(ByteBuffer.allocate(1), -1));
            assertThrows(IllegalArgumentException.class, () -> device.readCached(ByteBuffer.allocate(0), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> device.readCached(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0));
            assertEquals(0, device.inFlight(), "a read on the calling thread holds nothing afterwards");
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
        assertThrows(IllegalStateException.class, () -> device.readCached(ByteBuffer.allocate(1), 0));
    }

    @Test
    void readsDataPastFourGigabytesInASparseFile() throws Exception {
        Path file = dir.resolve("sparse");
        long offset = 5L * 1024 * 1024 * 1024 + 12345;
        byte[] data = TestFiles.bytes(100_000, 42);
        TestFiles.sparse(file, offset, data);
        FileDevice device = engine.open(file);
        try {
            assertEquals(offset + data.length, device.size());
            assertArrayEquals(data, DeviceReads.readRange(device, offset, data.length, CHUNK, true));
            byte[] hole = DeviceReads.readRange(device, 4L * 1024 * 1024 * 1024 - 10, 20, 20, true);
            assertArrayEquals(new byte[20], hole, "the hole across the 4 GiB line reads as zeros");
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsManyInFlightOutOfOrder() throws Exception {
        Path file = dir.resolve("many");
        byte[] expected = TestFiles.create(file, 4 * 1024 * 1024, 3);
        FileDevice device = engine.open(file);
        try {
            int n = expected.length / 4096;
            List<ByteBuffer> buffers = new ArrayList<>();
            List<DeviceReads.Result> results = new ArrayList<>();
            for (int i = n - 1; i >= 0; i--) { // submitted in reverse offset order
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                DeviceReads.Result r = new DeviceReads.Result();
                device.read(b, i * 4096L, r);
                buffers.add(0, b);
                results.add(0, r);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(4096, results.get(i).get());
                byte[] got = new byte[4096];
                buffers.get(i).flip().get(got);
                assertArrayEquals(Arrays.copyOfRange(expected, i * 4096, (i + 1) * 4096), got, "block " + i);
            }
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void identityIsStableAcrossOpensAndDiffersBetweenFiles() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path link = dir.resolve("a-link");
        TestFiles.create(a, 10, 1);
        TestFiles.create(b, 10, 2);
        Files.createLink(link, a);
        FileDevice a1 = engine.open(a);
        FileDevice a2 = engine.open(a);
        FileDevice l = engine.open(link);
        FileDevice b1 = engine.open(b);
        try {
            assertEquals(a1.identity(), a2.identity());
            assertEquals(a1.identity(), l.identity(), "a hard link names the same file");
            assertNotEquals(a1.identity(), b1.identity());
            assertEquals(a1.identity(), FileIdentity.parse(a1.identity().toString()));
        } finally {
            for (FileDevice d : List.of(a1, a2, l, b1)) {
                d.closeAsync().get(10, TimeUnit.SECONDS);
            }
        }
        Path moved = dir.resolve("a-rotated");
        Files.move(a, moved);
        TestFiles.create(a, 10, 3);
        FileDevice rotated = engine.open(moved);
        FileDevice fresh = engine.open(a);
        try {
            assertEquals(b1.identity().getClass(), rotated.identity().getClass());
            assertEquals(a1.identity(), rotated.identity(), "identity follows the file across a rename");
            assertNotEquals(rotated.identity(), fresh.identity(), "a new file at the old path is another file");
        } finally {
            rotated.closeAsync().get(10, TimeUnit.SECONDS);
            fresh.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void writesAtPositionsAndReadsBack() throws Exception {
        Path file = dir.resolve("w");
        FileDevice device = engine.open(file, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW));
        try {
            byte[] first = TestFiles.bytes(100_000, 1);
            byte[] second = TestFiles.bytes(5_000, 2);
            DeviceReads.writeFully(device, ByteBuffer.wrap(second), 100_000); // out of order
            DeviceReads.writeFully(device, direct(first), 0);
            DeviceReads.Result sync = new DeviceReads.Result();
            device.sync(false, sync);
            assertEquals(0, sync.get());
            assertEquals(105_000, device.size());
            byte[] all = DeviceReads.readRange(device, 0, -1, CHUNK, true);
            assertArrayEquals(first, Arrays.copyOfRange(all, 0, 100_000));
            assertArrayEquals(second, Arrays.copyOfRange(all, 100_000, 105_000));
            long far = 4L * 1024 * 1024 * 1024 + 7;
            DeviceReads.writeFully(device, direct(second), far);
            assertArrayEquals(second, DeviceReads.readRange(device, far, second.length, CHUNK, false));
            DeviceReads.Result fsync = new DeviceReads.Result();
            device.sync(true, fsync);
            assertEquals(0, fsync.get());
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer tail = ByteBuffer.allocate(5_000);
            ch.read(tail, 100_000);
            assertArrayEquals(TestFiles.bytes(5_000, 2), tail.array(), "written bytes are on the file");
        }
    }

    @Test
    void createNewRefusesAnExistingFileAndTruncateEmptiesIt() throws Exception {
        Path file = dir.resolve("exists");
        TestFiles.create(file, 1000, 1);
        assertThrows(FileAlreadyExistsException.class, () -> engine.open(file,
                Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)));
        FileDevice d = engine.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        try {
            assertEquals(0, d.size());
        } finally {
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void createsWithPosixPermissions() throws Exception {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"));
        Path file = dir.resolve("perm");
        FileDevice d = engine.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        d.closeAsync().get(10, TimeUnit.SECONDS);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void openFailuresAreJavaNioFileExceptions() throws Exception {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> engine.open(dir.resolve("missing")));
        assertTrue(missing.getFile().endsWith("missing"), missing.getMessage());
        FileSystemException directory = assertThrows(FileSystemException.class, () -> engine.open(dir));
        assertTrue(directory.getMessage().contains(dir.toString()), directory.getMessage());
        assertThrows(NoSuchFileException.class, () -> engine.open(dir.resolve("no/such/dir/file")));
    }

    @Test
    void unreadableFileIsAccessDenied() throws Exception {
        assumeFalse(TestFiles.isRoot(), "root reads any file");
        assumeFalse(System.getProperty("os.name").startsWith("Windows"));
        Path file = dir.resolve("secret");
        TestFiles.create(file, 10, 1);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assertThrows(AccessDeniedException.class, () -> engine.open(file));
    }

    @Test
    void badArgumentsFailFast() throws Exception {
        Path file = dir.resolve("args");
        TestFiles.create(file, 10, 1);
        FileDevice d = engine.open(file);
        try {
            DeviceReads.Result r = new DeviceReads.Result();
            assertThrows(IllegalArgumentException.class, () -> d.read(ByteBuffer.allocate(1), -1, r));
            assertThrows(IllegalArgumentException.class, () -> d.read(ByteBuffer.allocate(0), 0, r));
            assertThrows(IllegalArgumentException.class,
                    () -> d.read(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0, r));
            assertThrows(NullPointerException.class, () -> d.read(null, 0, r));
            assertThrows(IllegalStateException.class, () -> d.write(ByteBuffer.allocate(1), 0, r),
                    "not opened for writing");
            assertThrows(IllegalArgumentException.class,
                    () -> engine.open(file, Set.of(StandardOpenOption.APPEND)));
            assertEquals(0, d.inFlight());
        } finally {
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeWaitsForOperationsInFlightThenClosesTheHandle() throws Exception {
        Path file = dir.resolve("close");
        TestFiles.create(file, 8 * 1024 * 1024, 9);
        var fdsBefore = TestFiles.fdSnapshot();
        FileDevice d = engine.open(file);
        List<DeviceReads.Result> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            DeviceReads.Result r = new DeviceReads.Result();
            d.read(ByteBuffer.allocateDirect(256 * 1024), i * 256 * 1024L, r);
            results.add(r);
        }
        var closed = d.closeAsync();
        assertTrue(d.isClosing());
        assertThrows(IllegalStateException.class,
                () -> d.read(ByteBuffer.allocate(1), 0, new DeviceReads.Result()));
        closed.get(10, TimeUnit.SECONDS);
        for (DeviceReads.Result r : results) {
            assertTrue(r.isDone(), "every callback ran before the handle closed");
        }
        assertEquals(0, d.inFlight());
        assertFalse(TestFiles.isOpen(file), "no descriptor left open on the file");
        assertEquals(List.of(), TestFiles.fdsOpenedSince(fdsBefore), "no descriptor left behind");
        assertTrue(closed == d.closeAsync(), "closing twice returns the same future");
    }

    /**
     * A FIFO (named pipe) streams like {@code cat} reads it: each read returns what the writer wrote
     * so far (a short read, whatever the position), and 0 once the writer closed.
     */
    @Test
    void fifoReadsWhatWasWrittenThenEndOfFileOnceTheWriterCloses() throws Exception {
        Path fifo = dir.resolve("pipe");
        org.junit.jupiter.api.Assumptions.assumeTrue(TestFiles.mkfifo(fifo), "named pipes of the POSIX kind");
        java.util.concurrent.CompletableFuture<java.io.OutputStream> writer = TestFiles.fifoWriter(fifo);
        FileDevice d = engine.open(fifo);
        try (java.io.OutputStream out = writer.get(10, TimeUnit.SECONDS)) {
            out.write("first".getBytes());
            out.flush();
            ByteBuffer buf = ByteBuffer.allocate(100);
            DeviceReads.Result r = new DeviceReads.Result();
            d.read(buf, 12345, r);
            assertEquals(5, r.get(), "a pipe read returns what is there, not a full buffer");
            assertEquals("first", new String(buf.array(), 0, 5));
            DeviceReads.Result second = new DeviceReads.Result();
            d.read(buf.clear(), 0, second);
            out.write("second".getBytes());
            out.flush();
            assertEquals(6, second.get());
            assertEquals("second", new String(buf.array(), 0, 6));
        }
        DeviceReads.Result end = new DeviceReads.Result();
        d.read(ByteBuffer.allocate(10), 0, end);
        assertEquals(0, end.get(), "end of file once the last writer closed");
        d.closeAsync().get(10, TimeUnit.SECONDS);
        assertFalse(TestFiles.isOpen(fifo));
    }

    /**
     * The engine's counters after known work: bytes written and read are counted once each (an
     * end-of-file read adds 0), a cancelled read is counted as cancelled and not as an error, and a read
     * ended by the engine's close is an {@link IoErrorKind#ENGINE_CLOSED} error.
     */
    @Test
    void statsCountBytesCancelsAndErrorsByKind() throws Exception {
        Path file = dir.resolve("stats");
        FileDevice device = engine.open(file, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW));
        try {
            DeviceReads.writeFully(device, direct(TestFiles.bytes(70_000, 3)), 0);
            assertEquals(70_000, engine.stats().bytesWritten());
            byte[] back = DeviceReads.readRange(device, 0, -1, CHUNK, true);
            assertEquals(70_000, back.length);
            assertEquals(70_000, engine.stats().bytesRead());
            assertEquals(0, engine.stats().errors());
        } finally {
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
        try (SilentPipe pipe = silentPipe()) {
            FileDevice d = engine.open(pipe.path());
            DeviceReads.Result cancelled = new DeviceReads.Result();
            d.read(ByteBuffer.allocate(64), 0, cancelled).cancel();
            assertInstanceOf(IoCancelledException.class, cancelled.error());
            assertEquals(1, engine.stats().cancelled());
            assertEquals(0, engine.stats().errors());
            DeviceReads.Result closed = new DeviceReads.Result();
            d.read(ByteBuffer.allocate(64), 0, closed);
            engine.close();
            assertInstanceOf(EngineClosedException.class, closed.error());
            assertEquals(1, engine.stats().errors(IoErrorKind.ENGINE_CLOSED));
            assertEquals(1, engine.stats().errors());
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
        assertEquals(70_000, engine.stats().bytesRead(), "nothing read from the pipe");
        assertEquals(0, engine.stats().inFlight());
    }

    /** A read waiting on a silent pipe ends cancelled when cancelled, and the device then closes. */
    @Test
    void cancellingAReadWaitingOnAPipeEndsItAndTheDeviceCloses() throws Exception {
        Path fifo;
        try (SilentPipe pipe = silentPipe()) {
            fifo = pipe.path();
            FileDevice d = engine.open(fifo);
            DeviceReads.Result r = new DeviceReads.Result();
            IoOperation op = d.read(ByteBuffer.allocate(64), 0, r);
            assertFalse(r.future.isDone(), "nothing written: the read waits");
            op.cancel();
            assertInstanceOf(IoCancelledException.class, r.error());
            d.closeAsync().get(10, TimeUnit.SECONDS);
            assertEquals(0, d.inFlight());
        }
        assertFalse(TestFiles.isOpen(fifo), "the device's descriptor is closed (the writer's too, now)");
    }

    /**
     * Closing the engine with a read in flight (on a pipe nobody writes, so it is in flight for sure)
     * ends it with {@link EngineClosedException} — the same type and wording on every engine — exactly
     * once, closes the device's handle, and refuses later submissions with a clear
     * {@code IllegalStateException}.
     */
    @Test
    void closingTheEngineEndsAReadInFlightWithEngineClosedExceptionAndClosesTheDevice() throws Exception {
        var fdsBefore = TestFiles.fdSnapshot();
        try (SilentPipe pipe = silentPipe()) {
            FileDevice d = engine.open(pipe.path());
            DeviceReads.Result r = new DeviceReads.Result();
            d.read(ByteBuffer.allocate(64), 0, r);
            assertFalse(r.future.isDone(), "nothing written: the read waits");
            engine.close();
            EngineClosedException e = assertInstanceOf(EngineClosedException.class, r.error());
            assertEquals("read failed: " + pipe.path() + " at offset 0: ENGINE_CLOSED (engine closed)",
                    e.getMessage());
            assertEquals(pipe.path(), e.path());
            assertEquals("read", e.operation());
            assertEquals(EngineClosedException.ERROR_NAME, e.errorName());
            d.closeAsync().get(10, TimeUnit.SECONDS);
            assertEquals(1, r.calls.get(), "the callback ran exactly once");
            assertEquals(0, d.inFlight());
            assertTrue(d.isClosing());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> d.read(ByteBuffer.allocate(64), 0, new DeviceReads.Result()));
            assertEquals("read on a closed engine: " + pipe.path(), refused.getMessage());
            assertEquals(0, engine.stats().openDevices());
            assertEquals(0, engine.stats().inFlight());
        }
        assertEquals(List.of(), TestFiles.fdsOpenedSince(fdsBefore), "no descriptor left behind");
    }

    @Test
    void aDeviceOfAClosedEngineRefusesEveryOperationWithIllegalStateException() throws Exception {
        Path file = dir.resolve("after-close");
        TestFiles.create(file, 1000, 1);
        var fdsBefore = TestFiles.fdSnapshot();
        FileDevice d = engine.open(file, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        engine.close();
        d.closeAsync().get(10, TimeUnit.SECONDS);
        DeviceReads.Result r = new DeviceReads.Result();
        IllegalStateException read = assertThrows(IllegalStateException.class,
                () -> d.read(ByteBuffer.allocateDirect(64), 0, r));
        assertEquals("read on a closed engine: " + file, read.getMessage());
        IllegalStateException write = assertThrows(IllegalStateException.class,
                () -> d.write(ByteBuffer.wrap(new byte[] {1}), 0, r));
        assertEquals("write on a closed engine: " + file, write.getMessage());
        IllegalStateException sync = assertThrows(IllegalStateException.class, () -> d.sync(true, r));
        assertEquals("sync on a closed engine: " + file, sync.getMessage());
        assertEquals(0, r.calls.get(), "a refused operation never calls back");
        assertEquals(0, engine.stats().openDevices());
        assertFalse(TestFiles.isOpen(file));
        assertEquals(List.of(), TestFiles.fdsOpenedSince(fdsBefore), "no descriptor left behind");
    }

    @Test
    void aClosedEngineOpensNothingAndTruncatesNothing() throws Exception {
        Path file = dir.resolve("keep");
        Files.writeString(file, "important data");
        engine.close();
        assertThrows(IllegalStateException.class,
                () -> engine.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)));
        assertThrows(IllegalStateException.class,
                () -> engine.open(dir.resolve("new"), Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE)));
        assertEquals("important data", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("new")));
    }

    @Test
    void callbacksRunOffTheSubmittingThread() throws Exception {
        Path file = dir.resolve("thread");
        TestFiles.create(file, 1000, 1);
        FileDevice d = engine.open(file);
        try {
            DeviceReads.Result r = new DeviceReads.Result();
            d.read(ByteBuffer.allocateDirect(1000), 0, r);
            assertEquals(1000, r.get());
            assertNotEquals(Thread.currentThread(), r.thread());
        } finally {
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void cancelEndsEachOperationExactlyOnce() throws Exception {
        Path file = dir.resolve("cancel");
        TestFiles.create(file, 4 * 1024 * 1024, 5);
        FileDevice d = engine.open(file);
        List<DeviceReads.Result> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            DeviceReads.Result r = new DeviceReads.Result();
            IoOperation op = d.read(ByteBuffer.allocateDirect(256 * 1024), i * 256 * 1024L, r);
            op.cancel();
            results.add(r);
        }
        for (DeviceReads.Result r : results) {
            try {
                assertEquals(256 * 1024, r.get(), "a cancel that lost the race leaves the normal result");
            } catch (IOException e) {
                assertInstanceOf(IoCancelledException.class, e);
            }
        }
        d.closeAsync().get(10, TimeUnit.SECONDS);
        assertEquals(0, engine.stats().inFlight());
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b;
    }
}
