package io.fileflux.core.uring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.DeviceReads;
import io.fileflux.core.DeviceReads.Result;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FilefluxOption;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import io.fileflux.core.TestFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registered buffers ({@code READ_FIXED} / {@code WRITE_FIXED}) and registered files
 * ({@code IOSQE_FIXED_FILE}): bytes exact, short reads, cancel and close with fixed ops in flight, buffers
 * outside every registered region on the plain path, and the plain path everywhere when the kernel refuses
 * the tables (simulated through {@link FixedResources#simulateUnsupported}).
 */
class IoUringRegisteredResourcesTest {

    private static final int BLOCK = 4096;

    @TempDir
    Path dir;
    IoUringEngine engine;

    @BeforeEach
    void start() {
        IoUringTestSupport.assumeIoUring();
        engine = newEngine(false);
    }

    /** A plain ring here; the {@code DeferTaskrun} subclass registers from the single issuer of the other kind. */
    IoUringEngine newEngine(boolean fixedFiles) {
        return new IoUringEngine(16, IoUringEngine.parseAsyncThreshold(null), 1, false, fixedFiles);
    }

    @AfterEach
    void stop() {
        FixedResources.simulateUnsupported = false;
        if (engine != null) {
            engine.close();
            assertFalse(engine.isRunning());
            assertEquals(0, engine.stats().openDevices());
            assertEquals(0, engine.ops().size());
        }
    }

    /** Closes a device at the end of a try block, waiting for its close. */
    private record Open(FileDevice device) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            device.closeAsync().get(30, TimeUnit.SECONDS);
        }
    }

    private static ByteBuffer aligned(int size) {
        return ByteBuffer.allocateDirect(size + BLOCK).alignedSlice(BLOCK).limit(size).slice();
    }

    private byte[] file(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Files.write(dir.resolve(name), data);
        return data;
    }

    private static byte[] bytes(ByteBuffer b, int from, int n) {
        byte[] out = new byte[n];
        b.get(from, out);
        return out;
    }

    @Test
    void readsAndWritesInsideARegisteredRegionAreFixedAndExact() throws Exception {
        byte[] data = file("data.bin", 64 * 1024);
        ByteBuffer region = aligned(32 * 1024);
        assertTrue(engine.registerBuffer(region));
        long before = engine.fixedBufferOps();
        try (Open opend = new Open(engine.open(dir.resolve("data.bin")))) {
            FileDevice d = opend.device();
            for (int i = 0; i < 8; i++) {
                ByteBuffer slice = region.slice(i * BLOCK, BLOCK);
                assertEquals(BLOCK, DeviceReads.read(d, slice, 2L * i * BLOCK));
                assertArrayEquals(Arrays.copyOfRange(data, 2 * i * BLOCK, 2 * i * BLOCK + BLOCK),
                        bytes(region, i * BLOCK, BLOCK), "block " + i);
            }
            // a read of the whole region from an offset inside it: position() counts, the end is the region's
            region.clear().position(100);
            assertEquals(region.remaining(), DeviceReads.read(d, region, 5));
            assertArrayEquals(Arrays.copyOfRange(data, 5, 5 + region.capacity() - 100),
                    bytes(region, 100, region.capacity() - 100));
        }
        assertEquals(9, engine.fixedBufferOps() - before, "every read was a READ_FIXED");

        Path out = dir.resolve("out.bin");
        byte[] written = new byte[3 * BLOCK];
        new Random(7).nextBytes(written);
        region.clear().put(written).flip();
        try (Open openw = new Open(engine.open(out, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)))) {
            FileDevice w = openw.device();
            DeviceReads.writeFully(w, region, 0);
        }
        assertArrayEquals(written, Files.readAllBytes(out));
        assertTrue(engine.fixedBufferOps() - before >= 10, "the write was a WRITE_FIXED");
    }

    @Test
    void aShortReadAndEndOfFileIntoARegisteredBuffer() throws Exception {
        byte[] data = file("short.bin", 5000);
        ByteBuffer region = aligned(2 * BLOCK);
        assertTrue(engine.registerBuffer(region));
        long before = engine.fixedBufferOps();
        try (Open opend = new Open(engine.open(dir.resolve("short.bin")))) {
            FileDevice d = opend.device();
            assertEquals(5000, DeviceReads.read(d, region, 0));
            assertEquals(5000, region.position());
            assertArrayEquals(data, bytes(region, 0, 5000));
            region.clear();
            assertEquals(0, DeviceReads.read(d, region, 5000), "end of file");
            assertEquals(0, region.position());
        }
        assertEquals(2, engine.fixedBufferOps() - before);
    }

    @Test
    void directReadsIntoARegisteredBuffer() throws Exception {
        byte[] data = file("direct.bin", 16 * BLOCK);
        ByteBuffer region = aligned(4 * BLOCK);
        assertTrue(engine.registerBuffer(region));
        long before = engine.fixedBufferOps();
        try (Open opend = new Open(engine.open(dir.resolve("direct.bin"),
                Set.of(StandardOpenOption.READ, FilefluxOption.DIRECT)))) {
            FileDevice d = opend.device();
            for (int i = 0; i < 4; i++) {
                assertEquals(BLOCK, DeviceReads.read(d, region.slice(i * BLOCK, BLOCK), (15L - i) * BLOCK));
                assertArrayEquals(Arrays.copyOfRange(data, (15 - i) * BLOCK, (16 - i) * BLOCK),
                        bytes(region, i * BLOCK, BLOCK));
            }
        } catch (java.nio.file.FileSystemException e) {
            org.junit.jupiter.api.Assumptions.abort("O_DIRECT refused by the temporary directory: " + e);
        }
        assertEquals(4, engine.fixedBufferOps() - before);
    }

    @Test
    void buffersOutsideEveryRegisteredRegionTakeThePlainPath() throws Exception {
        byte[] data = file("plain.bin", 4 * BLOCK);
        ByteBuffer big = aligned(4 * BLOCK);
        ByteBuffer inner = big.slice(BLOCK, BLOCK); // only the second block is registered
        assertTrue(engine.registerBuffer(inner));
        long before = engine.fixedBufferOps();
        try (Open opend = new Open(engine.open(dir.resolve("plain.bin")))) {
            FileDevice d = opend.device();
            // straddles the registered block's end, starts before it, lies elsewhere: all plain
            assertEquals(2 * BLOCK, DeviceReads.read(d, big.slice(BLOCK, 2 * BLOCK), 0));
            assertEquals(2 * BLOCK, DeviceReads.read(d, big.slice(0, 2 * BLOCK), BLOCK));
            assertEquals(BLOCK, DeviceReads.read(d, aligned(BLOCK), 0));
            ByteBuffer heap = ByteBuffer.allocate(BLOCK);
            assertEquals(BLOCK, DeviceReads.read(d, heap, 2 * BLOCK));
            assertArrayEquals(Arrays.copyOfRange(data, 2 * BLOCK, 3 * BLOCK), heap.array());
            assertArrayEquals(Arrays.copyOfRange(data, BLOCK, 3 * BLOCK), bytes(big, 0, 2 * BLOCK));
            assertEquals(0, engine.fixedBufferOps() - before, "no op inside the registered region");
            // and one inside it is fixed
            assertEquals(BLOCK, DeviceReads.read(d, inner, 3 * BLOCK));
            assertArrayEquals(Arrays.copyOfRange(data, 3 * BLOCK, 4 * BLOCK), bytes(big, BLOCK, BLOCK));
        }
        assertEquals(1, engine.fixedBufferOps() - before);
    }

    /**
     * A FIFO opened read-write: its reads go to the kernel at once (no poll first) and stay there while
     * nobody writes, so a READ_FIXED is pending in the kernel until a cancel ends it.
     */
    private FileDevice pendingReads(Path fifo) throws Exception {
        return engine.open(fifo, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Test
    void aPendingFixedReadIsCancelledInTheKernel() throws Exception {
        Path fifo = dir.resolve("fifo");
        IoUringTestSupport.mkfifo(fifo);
        ByteBuffer region = aligned(BLOCK);
        assertTrue(engine.registerBuffer(region));
        FileDevice d = pendingReads(fifo);
        Result r = new Result();
        IoOperation op = d.read(region, 0, r);
        IoUringTestSupport.barrier(engine, dir);
        assertFalse(op.isDone(), "nobody writes the FIFO");
        assertEquals(1, engine.fixedBufferOps(), "the pending read is a READ_FIXED");
        op.cancel();
        assertInstanceOf(IoCancelledException.class, r.error());
        assertEquals(1, r.calls.get());
        d.closeAsync().get(30, TimeUnit.SECONDS);
    }

    @Test
    void closingTheEngineEndsFixedReadsInFlight() throws Exception {
        Path fifo = dir.resolve("fifo");
        IoUringTestSupport.mkfifo(fifo);
        ByteBuffer region = aligned(8 * BLOCK);
        assertTrue(engine.registerBuffer(region));
        FileDevice d = pendingReads(fifo);
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Result r = new Result();
            d.read(region.slice(i * BLOCK, BLOCK), 0, r);
            results.add(r);
        }
        IoUringTestSupport.barrier(engine, dir);
        assertEquals(8, engine.fixedBufferOps(), "eight READ_FIXED pending in the kernel");
        engine.close();
        for (Result r : results) {
            assertInstanceOf(EngineClosedException.class, r.error());
            assertEquals(1, r.calls.get());
        }
        assertFalse(engine.isRunning());
        assertFalse(engine.registerBuffer(aligned(BLOCK)), "a closed engine registers nothing");
    }

    @Test
    void withoutKernelSupportEveryOpTakesThePlainPath() throws Exception {
        engine.close();
        FixedResources.simulateUnsupported = true;
        engine = newEngine(true);
        byte[] data = file("fallback.bin", 2 * BLOCK);
        ByteBuffer region = aligned(2 * BLOCK);
        assertFalse(engine.registerBuffer(region), "the kernel refused the table");
        try (Open opend = new Open(engine.open(dir.resolve("fallback.bin")))) {
            FileDevice d = opend.device();
            assertEquals(0, engine.fixedFiles(), "no file slot either");
            assertEquals(2 * BLOCK, DeviceReads.read(d, region, 0));
            assertArrayEquals(data, bytes(region, 0, 2 * BLOCK));
        }
        assertEquals(0, engine.fixedBufferOps());
        assertEquals(0, engine.fixedFileOps());
    }

    @Test
    void registeredFilesNameTheirSlotAndFreeItOnClose() throws Exception {
        engine.close();
        engine = newEngine(true);
        byte[] data = file("files.bin", 3 * BLOCK);
        FileDevice a = engine.open(dir.resolve("files.bin"));
        FileDevice b = engine.open(dir.resolve("files.bin"));
        assertEquals(2, engine.fixedFiles());
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
        assertEquals(BLOCK, DeviceReads.read(b, buf, BLOCK));
        assertArrayEquals(Arrays.copyOfRange(data, BLOCK, 2 * BLOCK), bytes(buf, 0, BLOCK));
        a.closeAsync().get(30, TimeUnit.SECONDS);
        // the slot is emptied by the completion thread after the close: wait for it, bounded
        TestFiles.await(IoUringTestSupport.BOUND, "a's slot emptied", () -> engine.fixedFiles() == 1);
        // the freed slot serves the next device; the read through the other still names its own file
        byte[] other = file("other.bin", BLOCK);
        try (Open openc = new Open(engine.open(dir.resolve("other.bin")))) {
            FileDevice c = openc.device();
            assertEquals(2, engine.fixedFiles());
            buf.clear();
            assertEquals(BLOCK, DeviceReads.read(c, buf, 0));
            assertArrayEquals(other, bytes(buf, 0, BLOCK));
            buf.clear();
            assertEquals(BLOCK, DeviceReads.read(b, buf, 2 * BLOCK));
            assertArrayEquals(Arrays.copyOfRange(data, 2 * BLOCK, 3 * BLOCK), bytes(buf, 0, BLOCK));
        }
        b.closeAsync().get(30, TimeUnit.SECONDS);
        TestFiles.await(IoUringTestSupport.BOUND, "every slot emptied", () -> engine.fixedFiles() == 0);
        assertEquals(3, engine.fixedFileOps());
    }

    @Test
    void registerBufferRefusesWhatCannotBeRegistered() {
        assertThrows(IllegalArgumentException.class, () -> engine.registerBuffer(ByteBuffer.allocate(BLOCK)));
        assertThrows(IllegalArgumentException.class, () -> engine.registerBuffer(ByteBuffer.allocateDirect(0)));
        assertThrows(NullPointerException.class, () -> engine.registerBuffer(null));
    }

    @Test
    void theNioEngineHasNoRegistration() {
        try (FileEngine nio = Engines.create("nio")) {
            assertFalse(nio.registerBuffer(aligned(BLOCK)));
            assertThrows(IllegalArgumentException.class, () -> nio.registerBuffer(ByteBuffer.allocate(BLOCK)));
        }
    }
}
