package io.fileflux.core.uring;

import io.fileflux.core.DeviceReads.Result;

import static io.fileflux.core.DeviceReads.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kernel cancellation: reads on a FIFO nobody writes stay pending in the kernel until an
 * {@code IORING_OP_ASYNC_CANCEL} ends them with {@code -ECANCELED}.
 */
class IoUringCancellationTest {

    @TempDir
    Path dir;
    IoUringEngine engine;

    @BeforeEach
    void start() {
        IoUringTestSupport.assumeIoUring();
        engine = newEngine();
    }

    /** The engine under test: a plain ring here; {@code DeferTaskrun} subclasses run every test on the other kind. */
    IoUringEngine newEngine() {
        return new IoUringEngine(16);
    }

    @AfterEach
    void stop() {
        engine.close();
        assertFalse(engine.isRunning());
        assertEquals(0, engine.stats().openDevices());
        assertEquals(0, engine.stats().inFlight());
        assertEquals(0, engine.ops().size());
    }

    private Path fifo(String name) {
        Path p = dir.resolve(name);
        IoUringTestSupport.mkfifo(p);
        return p;
    }

    @Test
    void pendingFifoReadIsCancelledInTheKernel() throws Exception {
        Path fifo = fifo("fifo");
        FileDevice dev = engine.open(fifo); // must not block although nobody writes
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        Result r = new Result();
        IoOperation op = dev.read(buf, 0, r);
        IoUringTestSupport.barrier(engine, dir); // the read is in the kernel now
        assertFalse(op.isDone(), "a FIFO read with no data must stay pending");
        assertEquals(1, engine.ops().size(), "the op (and its buffer) is owned by the engine");
        op.cancel();
        IoCancelledException e = assertInstanceOf(IoCancelledException.class, r.error());
        assertEquals(Errno.ECANCELED, e.errorCode());
        assertEquals("ECANCELED", e.errorName());
        assertTrue(op.isDone());
        assertEquals(1, r.calls.get());
        assertEquals(0, buf.position(), "nothing was read");
        IoUringTestSupport.awaitZero(dev::inFlight); // released just after the callback returns
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals(1, engine.stats().cancelled());
    }

    @Test
    void opsSubmittedByAThreadThatExitsAreNotCancelled() throws Exception {
        // io_uring cancels a task's requests when the task exits; the engine submits on its own thread
        Path fifo = fifo("orphan");
        FileDevice pipe = engine.open(fifo);
        byte[] data = new byte[8 << 20];
        Path f = Files.write(dir.resolve("orphan-file"), data);
        FileDevice file = engine.open(f);
        Result pending = new Result();
        List<Result> reads = new ArrayList<>();
        AtomicReference<Path> task = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                // /proc/self/task/TID of this thread: gone once the kernel has finished its exit
                Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
                task.set(Path.of("/proc/self/task").resolve(self.getFileName()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            pipe.read(ByteBuffer.allocateDirect(16), 0, pending);
            for (int i = 0; i < 8; i++) {
                Result r = new Result();
                reads.add(r);
                file.read(ByteBuffer.allocateDirect(1 << 20), (long) i << 20, r);
            }
        });
        t.start();
        t.join();
        for (Result r : reads) {
            assertEquals(1 << 20, r.get());
        }
        // join() returns when the Java thread ended; the kernel cancels a task's io_uring requests in its
        // exit, before the task leaves /proc. Once it left, a cancelled read's completion is in the ring,
        // ahead of the barrier's
        assertTrue(task.get() != null, "the submitter found its task id");
        TestFiles.await(IoUringTestSupport.BOUND, "the submitter's task " + task.get() + " gone",
                () -> !Files.exists(task.get()));
        IoUringTestSupport.barrier(engine, dir);
        assertFalse(pending.future.isDone(), "the FIFO read must survive its submitter's exit");
        try (OutputStream out = Files.newOutputStream(fifo, StandardOpenOption.WRITE)) {
            out.write("xyz".getBytes());
        }
        assertEquals(3, pending.get());
        pipe.closeAsync().get(5, TimeUnit.SECONDS);
        file.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void fifoReadCompletesWhenDataArrives() throws Exception {
        Path fifo = fifo("fifo");
        FileDevice dev = engine.open(fifo);
        ByteBuffer buf = ByteBuffer.allocateDirect(100);
        Result r = new Result();
        dev.read(buf, 0, r);
        try (OutputStream out = Files.newOutputStream(fifo, StandardOpenOption.WRITE)) {
            out.write("abc".getBytes());
        }
        assertEquals(3, r.get());
        assertEquals(3, buf.position());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void sixtyFourPendingReadsCancelledAtOnce() throws Exception {
        Path fifo = fifo("fifo64");
        FileDevice dev = engine.open(fifo);
        List<IoOperation> ops = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // 64 ops on a 16-entry SQ
            Result r = new Result();
            results.add(r);
            ops.add(dev.read(ByteBuffer.allocateDirect(512), 0, r));
        }
        IoUringTestSupport.barrier(engine, dir); // all 64 are in the kernel now
        assertEquals(64, dev.inFlight());
        ops.forEach(IoOperation::cancel);
        for (Result r : results) {
            assertInstanceOf(IoCancelledException.class, r.error());
            assertEquals(1, r.calls.get());
        }
        IoUringTestSupport.awaitZero(dev::inFlight); // released just after the callback returns
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals(64, engine.stats().cancelled());
    }

    @Test
    void closingADeviceWaitsForItsPendingOps() throws Exception {
        Path fifo = fifo("fifoclose");
        FileDevice dev = engine.open(fifo);
        Result r = new Result();
        IoOperation op = dev.read(ByteBuffer.allocateDirect(64), 0, r);
        var closed = dev.closeAsync();
        IoUringTestSupport.barrier(engine, dir); // the read is in the kernel, and the engine went on past the close
        assertFalse(closed.isDone(), "the fd stays open while the kernel holds a read on it");
        assertTrue(TestFiles.isOpen(fifo), "the fd stays open while the kernel holds a read on it");
        assertEquals(1, engine.stats().openDevices());
        op.cancel();
        closed.get(5, TimeUnit.SECONDS);
        assertInstanceOf(IoCancelledException.class, r.error());
        IoUringTestSupport.awaitZero(() -> engine.stats().openDevices()); // counted just after the future
    }

    @Test
    void engineCloseCancelsPendingOps() throws Exception {
        Path fifo = fifo("fifoengine");
        FileDevice dev = engine.open(fifo);
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Result r = new Result();
            results.add(r);
            dev.read(ByteBuffer.allocate(128), 0, r); // heap: bounce buffers held until the CQE
        }
        engine.close();
        for (Result r : results) {
            assertInstanceOf(EngineClosedException.class, r.error());
        }
        assertTrue(dev.closeAsync().isDone());
    }

    @Test
    void cancelRacingCompletionsInALoop() throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(5).nextBytes(data);
        Path f = Files.write(dir.resolve("race"), data);
        for (int round = 0; round < 200; round++) {
            FileDevice dev = engine.open(f);
            List<IoOperation> ops = new ArrayList<>();
            List<Result> results = new ArrayList<>();
            List<ByteBuffer> bufs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Result r = new Result();
                ByteBuffer b = ByteBuffer.allocateDirect(32 << 10);
                results.add(r);
                bufs.add(b);
                ops.add(dev.read(b, (long) i * (32 << 10), r));
            }
            if (round % 2 == 0) {
                ops.forEach(IoOperation::cancel);
            }
            var closed = dev.closeAsync(); // races the completions
            if (round % 2 == 1) {
                ops.forEach(IoOperation::cancel);
            }
            closed.get(5, TimeUnit.SECONDS);
            for (int i = 0; i < results.size(); i++) {
                Result r = results.get(i);
                assertEquals(1, r.calls.get());
                Throwable e = r.error();
                if (e == null) {
                    int n = r.get();
                    assertEquals(32 << 10, n);
                    assertEquals(n, bufs.get(i).position());
                    assertEquals(data[i * (32 << 10)], bufs.get(i).get(0));
                } else if (!(e instanceof IoCancelledException)) {
                    fail("unexpected failure", e);
                } else {
                    assertEquals(0, bufs.get(i).position());
                }
            }
            IoUringTestSupport.awaitZero(dev::inFlight); // released just after the callback returns
        }
        IoUringTestSupport.awaitZero(() -> engine.stats().openDevices());
    }

    @Test
    void engineCloseRacingCompletionsLeavesNothingBehind() throws Exception {
        byte[] data = new byte[256 << 10];
        Path f = Files.write(dir.resolve("engine-race"), data);
        Path fifo = fifo("engine-race-fifo");
        for (int round = 0; round < 30; round++) {
            IoUringEngine e = new IoUringEngine(8);
            FileDevice dev = e.open(f);
            FileDevice pipe = e.open(fifo);
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Result r = new Result();
                results.add(r);
                (i % 4 == 0 ? pipe : dev).read(ByteBuffer.allocateDirect(16 << 10), (long) (i % 16) * (16 << 10), r);
            }
            e.close();
            assertFalse(e.isRunning());
            for (Result r : results) {
                assertEquals(1, r.calls.get());
                Throwable err = r.error();
                assertTrue(err == null || err instanceof EngineClosedException, String.valueOf(err));
            }
            assertEquals(0, e.stats().openDevices());
            assertEquals(0, e.stats().inFlight());
        }
    }

    @Test
    void writeOnlyDevicesAreRefusedForWritesOnFifoOpenedForReading() throws IOException {
        Path fifo = fifo("ro");
        FileDevice dev = engine.open(fifo, Set.of(StandardOpenOption.READ));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> dev.write(ByteBuffer.allocate(1).put((byte) 1).flip(), 0, new Result()));
        dev.closeAsync();
    }
}
