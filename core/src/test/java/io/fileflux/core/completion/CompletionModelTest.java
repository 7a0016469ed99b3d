package io.fileflux.core.completion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.EngineStats;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared op model, driven by a fake driver that records what it is asked to do. */
class CompletionModelTest {

    private static final Path PATH = Path.of("/fake/file");

    /** Records submissions and cancels; completions are delivered by the test. */
    static final class FakeDriver implements CompletionDriver {
        final OpTable table = new OpTable(2);
        final List<CompletionOp> submitted = new ArrayList<>();
        final List<CompletionOp> cancels = new ArrayList<>();
        boolean refuse;

        @Override
        public OpTable ops() {
            return table;
        }

        @Override
        public void submit(CompletionOp op) {
            if (refuse) {
                throw new IllegalStateException("driver shut down");
            }
            submitted.add(op);
        }

        @Override
        public void cancel(CompletionOp op) {
            cancels.add(op);
        }

        /** What a reaper does with a completion. */
        void reap(long token, int res) {
            CompletionOp op = table.remove(token);
            if (op == null) {
                return;
            }
            if (res >= 0) {
                op.complete(res);
            } else if (res == -125) {
                op.cancelled(125, "ECANCELED");
            } else {
                op.fail(-res, "E" + -res, null);
            }
        }
    }

    /** Records the one outcome of an op. */
    static final class Outcome implements IoCallback {
        int calls;
        int bytes = -1;
        IOException error;

        @Override
        public void completed(int n) {
            calls++;
            bytes = n;
        }

        @Override
        public void failed(IOException e) {
            calls++;
            error = e;
        }
    }

    @Test
    void tokensAreUniqueNonZeroAndNeverUseReservedBits() {
        FakeDriver d = new FakeDriver();
        Set<Long> tokens = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            List<Long> live = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long t = d.table.register(CompletionOp.sync(d, PATH, 3, true, new Outcome(), 0));
                assertNotEquals(0, t);
                assertEquals(0, t & OpTable.RESERVED_BITS);
                assertTrue(tokens.add(t), "token reused: " + t);
                live.add(t);
            }
            assertEquals(100, d.table.size());
            for (long t : live) {
                d.table.remove(t);
            }
        }
        assertEquals(0, d.table.size());
    }

    @Test
    void staleTokenOfAReusedSlotFindsNothing() {
        FakeDriver d = new FakeDriver();
        CompletionOp first = CompletionOp.sync(d, PATH, 3, true, new Outcome(), 0);
        long t1 = d.table.register(first);
        assertSame(first, d.table.remove(t1));
        assertNull(d.table.remove(t1), "second remove");
        CompletionOp second = CompletionOp.sync(d, PATH, 3, true, new Outcome(), 0);
        long t2 = d.table.register(second);
        assertEquals(t1 & 0xffff_ffffL, t2 & 0xffff_ffffL, "slot reused");
        assertNull(d.table.remove(t1), "stale token");
        assertNull(d.table.remove(t1 | OpTable.RESERVED_BITS), "reserved token");
        assertSame(second, d.table.get(t2));
        assertSame(second, d.table.remove(t2));
    }

    @Test
    void directReadAdvancesPositionBeforeCallback() {
        FakeDriver d = new FakeDriver();
        ByteBuffer dst = ByteBuffer.allocateDirect(64).position(8);
        int[] positionSeen = {-1};
        IoCallback cb = new IoCallback() {
            @Override
            public void completed(int bytes) {
                positionSeen[0] = dst.position();
            }

            @Override
            public void failed(IOException error) {
            }
        };
        CompletionOp op = CompletionOp.read(d, PATH, 3, dst, 100, 100, cb, 0);
        assertEquals(CompletionOp.addressOf(dst) + 8, op.address());
        assertEquals(56, op.length());
        assertFalse(op.bounced());
        d.table.register(op);
        d.reap(op.token(), 20);
        assertEquals(28, positionSeen[0]);
        assertTrue(op.isDone());
    }

    /** A read of a ReusableIoCallback: counts its outcome; reused for one read after another. */
    static final class Reused extends io.fileflux.core.ReusableIoCallback {
        int bytes = -1;

        @Override
        public void completed(int n) {
            bytes = n;
        }

        @Override
        public void failed(IOException error) {
        }
    }

    @Test
    void aReusableCallbacksCompletedOpIsArmedAgainForItsNextReadAndInFlightOnesNever() {
        FakeDriver d = new FakeDriver();
        ByteBuffer first = ByteBuffer.allocateDirect(4096);
        ByteBuffer second = ByteBuffer.allocateDirect(4096).position(100);
        Reused cb = new Reused();
        CompletionOp op = CompletionOp.read(d, PATH, 3, first, 0, 0, cb, 0);
        d.table.register(op);
        CompletionOp whileInFlight = CompletionOp.read(d, PATH, 3, second, 8192, 8192, cb, 0);
        assertNotSame(op, whileInFlight, "an op in flight is never armed again");
        d.reap(op.token(), 10);
        assertEquals(10, cb.bytes);
        assertEquals(10, first.position());

        Reused next = new Reused();
        CompletionOp a = CompletionOp.read(d, PATH, 3, first.clear(), 0, 0, next, 0);
        d.table.register(a);
        long firstToken = a.token();
        d.reap(firstToken, 4096);
        CompletionOp b = CompletionOp.read(d, PATH, 3, second, 4096, 4096, next, 0);
        assertSame(a, b, "the completed op serves the next read");
        assertEquals(OpState.SUBMITTED, b.state());
        assertEquals(4096, b.position());
        assertEquals(CompletionOp.addressOf(second) + 100, b.address());
        assertEquals(3996, b.length());
        d.table.register(b);
        assertNotEquals(firstToken, b.token(), "a new token: a stale completion or cancel cannot reach it");
        d.reap(b.token(), 7);
        assertEquals(7, next.bytes);
        assertEquals(107, second.position());
        assertTrue(b.isDone());
    }

    @Test
    void heapReadGoesThroughAnAlignedBounceBufferAndIsCopiedBack() {
        FakeDriver d = new FakeDriver();
        ByteBuffer dst = ByteBuffer.allocate(16).position(4);
        Outcome out = new Outcome();
        CompletionOp op = CompletionOp.read(d, PATH, 3, dst, 0, 0, out, 0);
        assertTrue(op.bounced());
        assertEquals(0, op.address() % 4096);
        assertEquals(12, op.length());
        new Pointer(op.address()).write(0, new byte[] {1, 2, 3, 4, 5}, 0, 5); // the "kernel" writes
        d.table.register(op);
        d.reap(op.token(), 5);
        assertEquals(5, out.bytes);
        assertEquals(9, dst.position());
        byte[] got = new byte[5];
        dst.get(4, got);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, got);
    }

    @Test
    void heapWriteIsCopiedAtSubmission() {
        FakeDriver d = new FakeDriver();
        ByteBuffer src = ByteBuffer.wrap(new byte[] {9, 8, 7, 6}).position(1);
        Outcome out = new Outcome();
        CompletionOp op = CompletionOp.write(d, PATH, 3, src, 0, 0, out, 0);
        byte[] seen = new byte[3];
        new Pointer(op.address()).read(0, seen, 0, 3);
        assertArrayEquals(new byte[] {8, 7, 6}, seen);
        d.table.register(op);
        d.reap(op.token(), 2);
        assertEquals(3, src.position());
    }

    @Test
    void cancelAsksTheDriverOnceAndTheKernelResultDecides() {
        FakeDriver d = new FakeDriver();
        Outcome won = new Outcome();
        CompletionOp a = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 0, 0, won, 0);
        d.table.register(a);
        a.cancel();
        a.cancel();
        assertEquals(List.of(a), d.cancels);
        assertEquals(OpState.CANCEL_REQUESTED, a.state());
        d.reap(a.token(), -125);
        assertInstanceOf(IoCancelledException.class, won.error);
        assertEquals(1, won.calls);

        Outcome raced = new Outcome();
        CompletionOp b = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 0, 0, raced, 0);
        d.table.register(b);
        b.cancel();
        d.reap(b.token(), 8); // the read finished before the cancel reached it
        assertEquals(8, raced.bytes);
        b.cancel(); // after completion: nothing
        assertEquals(2, d.cancels.size());
    }

    @Test
    void aCancelForCloseEndsAsEngineClosedUnlessTheCallerCancelledFirst() {
        FakeDriver d = new FakeDriver();
        Outcome closed = new Outcome();
        CompletionOp a = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 512, 512, closed, 0);
        d.table.register(a);
        assertTrue(a.cancelForClose());
        assertFalse(a.cancelForClose(), "once");
        a.cancel(); // the caller's cancel after the close's: nothing more
        assertEquals(List.of(a), d.cancels);
        assertEquals(OpState.CLOSE_REQUESTED, a.state());
        assertTrue(a.cancelRequested());
        d.reap(a.token(), -125);
        EngineClosedException e = assertInstanceOf(EngineClosedException.class, closed.error);
        assertEquals("read failed: " + PATH + " at offset 512: ENGINE_CLOSED (engine closed)", e.getMessage());
        assertEquals(1, closed.calls);

        Outcome cancelled = new Outcome();
        CompletionOp b = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 0, 0, cancelled, 0);
        d.table.register(b);
        b.cancel();
        assertFalse(b.cancelForClose(), "the caller's cancel came first");
        d.reap(b.token(), -125);
        assertInstanceOf(IoCancelledException.class, cancelled.error);

        Outcome raced = new Outcome();
        CompletionOp c = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 0, 0, raced, 0);
        d.table.register(c);
        c.cancelForClose();
        d.reap(c.token(), 8); // finished before the cancel reached it: the normal result
        assertEquals(8, raced.bytes);
        assertFalse(c.cancelRequested());
    }

    @Test
    void errorsCarryPathPositionAndErrno() {
        FakeDriver d = new FakeDriver();
        Outcome out = new Outcome();
        CompletionOp op = CompletionOp.read(d, PATH, 3, ByteBuffer.allocateDirect(8), 4096, 4096, out, 0);
        d.table.register(op);
        d.reap(op.token(), -5);
        FileIoException e = assertInstanceOf(FileIoException.class, out.error);
        assertEquals(PATH, e.path());
        assertEquals(4096, e.offset());
        assertEquals(5, e.errorCode());
        assertEquals("E5", e.errorName());
        assertEquals("read", e.operation());
    }

    @Test
    void completingTwiceFailsLoudly() {
        FakeDriver d = new FakeDriver();
        CompletionOp op = CompletionOp.sync(d, PATH, 3, false, new Outcome(), 0);
        op.complete(0);
        assertThrows(IllegalStateException.class, () -> op.complete(0));
    }

    @Test
    void closedTableRefusesRegistrationAndReportsLiveOps() throws InterruptedException {
        FakeDriver d = new FakeDriver();
        CompletionOp op = CompletionOp.sync(d, PATH, 3, true, new Outcome(), 0);
        long t = d.table.register(op);
        assertEquals(List.of(op), d.table.close());
        assertThrows(IllegalStateException.class,
                () -> d.table.register(CompletionOp.sync(d, PATH, 3, true, new Outcome(), 0)));
        assertFalse(d.table.awaitEmpty(1, TimeUnit.MILLISECONDS));
        d.reap(t, 0);
        assertTrue(d.table.awaitEmpty(1, TimeUnit.SECONDS));
    }

    @Test
    void deviceUnregistersAnOpTheDriverRefusedAndChecksDirectAlignment() {
        FakeDriver d = new FakeDriver();
        StubEngine engine = new StubEngine();
        CompletionDevice dev = new CompletionDevice(engine, d, PATH, new FileIdentity(1, 2), true, 3, true, false, 0) {
            @Override
            public long size() {
                return 0;
            }

            @Override
            protected void closeHandle() {
            }
        };
        ByteBuffer aligned = ByteBuffer.allocateDirect(8192 + 4095).alignedSlice(4096);
        IoOperation op = dev.read(aligned, 4096, new Outcome());
        assertEquals(1, d.table.size());
        assertThrows(IllegalArgumentException.class, () -> dev.read(aligned.duplicate().limit(100), 0, new Outcome()));
        assertThrows(IllegalArgumentException.class, () -> dev.read(aligned.duplicate(), 100, new Outcome()));
        assertThrows(IllegalArgumentException.class,
                () -> dev.read(aligned.duplicate().position(512).limit(4608), 0, new Outcome()));
        d.refuse = true;
        assertThrows(IllegalStateException.class, () -> dev.read(aligned.duplicate(), 0, new Outcome()));
        assertEquals(1, d.table.size());
        assertEquals(1, dev.inFlight());
        d.reap(((CompletionOp) op).token(), 8192);
        assertEquals(0, dev.inFlight());
    }

    /** Just enough engine for a device. */
    static final class StubEngine implements FileEngine {
        private final EngineStats stats = new EngineStats();

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EngineStats stats() {
            return stats;
        }

        @Override
        public void close() {
        }
    }
}
