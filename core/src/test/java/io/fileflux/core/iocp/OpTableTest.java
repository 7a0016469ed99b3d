package io.fileflux.core.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The completion handling of the iocp engine fed with the results the kernel can give, on any OS: above
 * all the synchronous paths Wine never takes (ReadFile returning TRUE, or FALSE with ERROR_HANDLE_EOF).
 * The "kernel" here writes into the op's native memory the way Windows would.
 */
class OpTableTest {

    private static final Path PATH = Path.of("data.bin");
    private static final long HANDLE = 0x1234;

    private FakePort port;
    private OpTable table;
    private BouncePool pool;

    @BeforeEach
    void setUp() {
        port = new FakePort();
        table = new OpTable(port);
        pool = new BouncePool();
        table.bindCompletionThread(Thread.currentThread());
    }

    // ---- the four outcomes of ReadFile ----

    @Test
    void synchronousSuccessIsDeliveredAfterTheSubmittingCodeReturns() {
        ByteBuffer dst = ByteBuffer.allocate(16);
        Recorder cb = new Recorder(dst);
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, dst, 100, cb);
        table.register(op);
        kernelReads(op, "hello");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 5);
        table.submitted(op, true, 0, true);
        assertEquals(0, cb.calls(), "never on the submitting stack (rule 3.3)");
        assertFalse(op.isDone());
        table.runReady();
        assertEquals(5, cb.bytes);
        assertEquals(5, dst.position(), "the buffer advanced by n before completed(n)");
        assertEquals(5, cb.positionSeen);
        assertEquals("hello", new String(dst.array(), 0, 5, StandardCharsets.US_ASCII));
        assertTrue(op.isDone());
        assertTrue(table.isEmpty());
        assertTrue(port.posted.isEmpty());
    }

    @Test
    void synchronousSuccessOnAnotherThreadIsHandedToTheCompletionThreadThroughThePort() {
        table.bindCompletionThread(new Thread(() -> { }));
        Recorder cb = new Recorder();
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, dst, 0, cb);
        table.register(op);
        kernelReads(op, "abc");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 3);
        table.submitted(op, true, 0, true);
        table.runReady();
        assertEquals(0, cb.calls());
        assertEquals(List.of(op.token), port.posted);
        table.onPacket(IocpPort.KEY_HANDOFF, op.token, 0);
        assertEquals(3, cb.bytes);
        assertEquals(3, dst.position());
        byte[] got = new byte[3];
        dst.flip().get(got);
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), got, "a direct buffer is read in place");
        assertTrue(table.isEmpty());
    }

    @Test
    void trueWithoutSkipOnSuccessWaitsForThePacket() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        table.register(op);
        kernelReads(op, "12345678");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 8);
        table.submitted(op, true, 0, false);
        table.runReady();
        assertEquals(0, cb.calls(), "the packet is still coming: delivering now would deliver twice");
        assertTrue(port.posted.isEmpty());
        table.onPacket(IocpPort.KEY_IO, op.token, 8);
        assertEquals(8, cb.bytes);
        assertEquals(1, cb.calls());
    }

    @Test
    void synchronousEndOfFileIsCompletedWithZero() {
        Recorder cb = new Recorder();
        ByteBuffer dst = ByteBuffer.allocate(8);
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, dst, 1L << 40, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_HANDLE_EOF, true);
        assertEquals(0, cb.calls());
        table.runReady();
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
        assertEquals(0, dst.position());
        assertTrue(table.isEmpty());
    }

    @Test
    void synchronousEndOfFileOnAnotherThreadIsPosted() {
        table.bindCompletionThread(new Thread(() -> { }));
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 10, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_HANDLE_EOF, false);
        assertEquals(List.of(op.token), port.posted);
        table.onPacket(IocpPort.KEY_HANDOFF, op.token, 0);
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void pendingThenEndOfFileThroughThePortIsCompletedWithZero() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 10, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        table.runReady();
        assertEquals(0, cb.calls());
        kernelCompletes(op, Win32.STATUS_END_OF_FILE, 0);
        table.onPacket(IocpPort.KEY_IO, op.token, 0);
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void pendingThenShortReadThroughThePort() {
        Recorder cb = new Recorder();
        ByteBuffer dst = ByteBuffer.allocate(100);
        dst.position(10);
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, dst, 0, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        kernelReads(op, "short");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 5);
        table.onPacket(IocpPort.KEY_IO, op.token, 5);
        assertEquals(5, cb.bytes);
        assertEquals(15, dst.position(), "a heap buffer receives the bytes at its own position");
        assertEquals("short", new String(dst.array(), 10, 5, StandardCharsets.US_ASCII));
    }

    // ---- cancellation ----

    @Test
    void cancelIssuesOneCancelIoExAndTheAbortIsAnIoCancelledException() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 4096, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        op.cancel();
        op.cancel();
        assertEquals(List.of(HANDLE + ":" + op.token), port.cancels, "one CancelIoEx for this OVERLAPPED");
        assertEquals(0, cb.calls(), "the callback waits for the kernel's packet");
        kernelCompletes(op, Win32.STATUS_CANCELLED, 0);
        table.onPacket(IocpPort.KEY_IO, op.token, 0);
        IoCancelledException e = assertInstanceOf(IoCancelledException.class, cb.error);
        assertEquals(Win32.ERROR_OPERATION_ABORTED, e.errorCode());
        assertEquals("ERROR_OPERATION_ABORTED", e.errorName());
        assertEquals(4096, e.offset());
        assertEquals(PATH, e.path());
        op.cancel();
        assertEquals(1, port.cancels.size(), "no cancel after completion");
    }

    @Test
    void aCancelThatLostTheRaceLeavesTheNormalResult() {
        port.cancelResult = Win32.ERROR_NOT_FOUND;
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        op.cancel();
        kernelReads(op, "ok");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 2);
        table.onPacket(IocpPort.KEY_IO, op.token, 2);
        assertEquals(2, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void cancelAllReachesEveryOperationInFlight() {
        List<IocpOp> ops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), i, new Recorder());
            table.register(op);
            table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
            ops.add(op);
        }
        table.cancelAll();
        assertEquals(3, port.cancels.size());
        assertEquals(3, table.size());
    }

    // ---- errors ----

    @Test
    void synchronousFailureCarriesCodeNameOffsetAndPath() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 77, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_INVALID_USER_BUFFER, true);
        table.runReady();
        FileIoException e = assertInstanceOf(FileIoException.class, cb.error);
        assertFalse(e instanceof IoCancelledException);
        assertEquals(Win32.ERROR_INVALID_USER_BUFFER, e.errorCode());
        assertEquals("ERROR_INVALID_USER_BUFFER", e.errorName());
        assertEquals(77, e.offset());
        assertEquals("read", e.operation());
        assertTrue(e.getMessage().contains("data.bin"), e.getMessage());
    }

    @Test
    void anUnknownNtStatusIsTranslatedByThePort() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        kernelCompletes(op, 0xC000009A, 0); // STATUS_INSUFFICIENT_RESOURCES
        table.onPacket(IocpPort.KEY_IO, op.token, 0);
        FileIoException e = assertInstanceOf(FileIoException.class, cb.error);
        assertEquals(Win32.ERROR_NO_SYSTEM_RESOURCES, e.errorCode());
        assertEquals("ERROR_NO_SYSTEM_RESOURCES", e.errorName());
    }

    @Test
    void aBrokenPipeEndsAReadButFailsAWrite() {
        Recorder read = new Recorder();
        IocpOp r = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, read);
        Recorder write = new Recorder();
        IocpOp w = IocpOp.write(table, pool, PATH, HANDLE, ByteBuffer.wrap(new byte[4]), 0, write);
        for (IocpOp op : List.of(r, w)) {
            table.register(op);
            table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
            kernelCompletes(op, Win32.STATUS_PIPE_BROKEN, 0);
            table.onPacket(IocpPort.KEY_IO, op.token, 0);
        }
        assertEquals(0, read.bytes);
        assertNull(read.error);
        assertEquals(Win32.ERROR_BROKEN_PIPE, assertInstanceOf(FileIoException.class, write.error).errorCode());
    }

    @Test
    void aFailedHandOffRefusesTheSubmission() {
        table.bindCompletionThread(new Thread(() -> { }));
        port.postResult = Win32.ERROR_NO_SYSTEM_RESOURCES;
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        table.register(op);
        assertThrows(IllegalStateException.class, () -> table.submitted(op, false, Win32.ERROR_HANDLE_EOF, true));
        assertTrue(table.isEmpty(), "the op is unregistered: its callback will never run");
        assertEquals(0, cb.calls());
    }

    @Test
    void unknownAndWakeUpPacketsAreIgnored() {
        table.onPacket(IocpPort.KEY_WAKE, 0, 0);
        table.onPacket(IocpPort.KEY_IO, 0xDEAD0, 12);
        table.onPacket(IocpPort.KEY_HANDOFF, 0xBEEF0, 0);
        assertTrue(table.isEmpty());
    }

    @Test
    void anOperationCompletesExactlyOnce() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        op.complete(Win32.ERROR_SUCCESS, 0);
        assertThrows(IllegalStateException.class, () -> op.complete(Win32.ERROR_SUCCESS, 0));
        assertEquals(1, cb.calls());
    }

    @Test
    void anImpossibleByteCountIsAnErrorNotAnOverflow() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8), 0, cb);
        op.complete(Win32.ERROR_SUCCESS, 9);
        assertInstanceOf(FileIoException.class, cb.error);
    }

    // ---- trampoline: synchronous completions that submit again do not recurse ----

    @Test
    void aChainOfSynchronousCompletionsRunsAtConstantStackDepth() {
        int rounds = 10_000;
        int[] depth = {Integer.MAX_VALUE, 0};
        int[] done = {0};
        IoCallback chain = new IoCallback() {
            @Override
            public void completed(int bytes) {
                int d = Thread.currentThread().getStackTrace().length;
                depth[0] = Math.min(depth[0], d);
                depth[1] = Math.max(depth[1], d);
                if (++done[0] < rounds) {
                    submitSynchronousRead(this, done[0]); // what a publisher does from onNext → request
                }
            }

            @Override
            public void failed(IOException error) {
                throw new AssertionError(error);
            }
        };
        submitSynchronousRead(chain, 0);
        table.runReady();
        assertEquals(rounds, done[0]);
        assertEquals(depth[0], depth[1], "every callback ran at the same stack depth");
        assertTrue(table.isEmpty());
    }

    private void submitSynchronousRead(IoCallback callback, long position) {
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(1), position, callback);
        table.register(op);
        kernelCompletes(op, Win32.STATUS_SUCCESS, 1);
        table.submitted(op, true, 0, true);
    }

    // ---- what the op puts in native memory ----

    @Test
    void theOverlappedCarriesTheFull64BitOffset() {
        long position = (5L << 32) + 0x89ABCDEFL;
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(1), position, new Recorder());
        Pointer ov = new Pointer(op.token);
        assertEquals(0x89ABCDEF, ov.getInt(Win32.OVERLAPPED_Offset));
        assertEquals(5, ov.getInt(Win32.OVERLAPPED_OffsetHigh));
        assertEquals(0, ov.getLong(Win32.OVERLAPPED_Internal));
        assertEquals(0, ov.getLong(Win32.OVERLAPPED_hEvent), "no event: completions come through the port");
    }

    @Test
    void aHeapWriteIsCopiedToNativeMemoryAndAdvancesTheSourceOnCompletion() {
        Recorder cb = new Recorder();
        ByteBuffer src = ByteBuffer.wrap("xxabcdef".getBytes(StandardCharsets.US_ASCII));
        src.position(2);
        IocpOp op = IocpOp.write(table, pool, PATH, HANDLE, src, 0, cb);
        assertEquals(6, op.length);
        byte[] staged = new Pointer(op.dataAddress).getByteArray(0, 6);
        assertEquals("abcdef", new String(staged, StandardCharsets.US_ASCII));
        assertEquals(2, src.position(), "untouched until the kernel reports the count");
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        kernelCompletes(op, Win32.STATUS_SUCCESS, 4);
        table.onPacket(IocpPort.KEY_IO, op.token, 4);
        assertEquals(4, cb.bytes);
        assertEquals(6, src.position(), "a short write advances by what was written");
    }

    @Test
    void aDirectBufferIsUsedInPlaceAtItsPosition() {
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        dst.position(10);
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, dst, 0, new Recorder());
        ByteBuffer view = dst.duplicate().clear();
        new Pointer(op.dataAddress).setByte(0, (byte) 42);
        assertEquals(42, view.get(10));
        assertEquals(54, op.length);
    }

    @Test
    void bounceBlocksAreAlignedAndReturnToThePoolOnlyAfterTheCompletion() {
        Recorder cb = new Recorder();
        IocpOp op = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(5000), 0, cb);
        assertEquals(0, op.dataAddress % BouncePool.ALIGNMENT, "usable with FILE_FLAG_NO_BUFFERING");
        table.register(op);
        table.submitted(op, false, Win32.ERROR_IO_PENDING, true);
        assertEquals(0, pool.pooled(), "in flight: the kernel may still write the block");
        kernelCompletes(op, Win32.STATUS_SUCCESS, 0);
        table.onPacket(IocpPort.KEY_IO, op.token, 0);
        assertEquals(1, pool.pooled());
        IocpOp next = IocpOp.read(table, pool, PATH, HANDLE, ByteBuffer.allocate(8000), 0, new Recorder());
        assertEquals(op.dataAddress, next.dataAddress, "the 8 KiB block is reused");
        assertEquals(0, pool.pooled());
        next.abandon();
        assertEquals(1, pool.pooled(), "a refused submission gives its block back");
    }

    @Test
    void thePoolKeepsABoundedNumberOfBlocksAndNoneAboveOneMebibyte() {
        List<BouncePool.Block> blocks = new ArrayList<>();
        for (int i = 0; i < BouncePool.PER_CLASS + 5; i++) {
            blocks.add(pool.acquire(4096));
        }
        BouncePool.Block big = pool.acquire((1 << 20) + 1);
        assertEquals((1 << 20) + 1, big.capacity);
        assertEquals(0, big.address % BouncePool.ALIGNMENT);
        blocks.forEach(pool::release);
        pool.release(big);
        assertEquals(BouncePool.PER_CLASS, pool.pooled());
        assertEquals(4096, pool.acquire(1).capacity);
        assertEquals(1 << 20, pool.acquire(1 << 20).capacity);
    }

    // ---- helpers ----

    /** What the kernel does to the data memory on a read. */
    private static void kernelReads(IocpOp op, String data) {
        byte[] b = data.getBytes(StandardCharsets.US_ASCII);
        new Pointer(op.dataAddress).write(0, b, 0, b.length);
    }

    /** What the kernel writes into the OVERLAPPED when the operation completes. */
    private static void kernelCompletes(IocpOp op, int ntStatus, long bytes) {
        Pointer ov = new Pointer(op.token);
        ov.setLong(Win32.OVERLAPPED_Internal, ntStatus & 0xFFFFFFFFL);
        ov.setLong(Win32.OVERLAPPED_InternalHigh, bytes);
    }

    /** The native side, in Java. */
    private static final class FakePort implements IocpPort {
        final List<Long> posted = new ArrayList<>();
        final List<String> cancels = new ArrayList<>();
        int postResult = Win32.ERROR_SUCCESS;
        int cancelResult = Win32.ERROR_SUCCESS;

        @Override
        public int postHandoff(long token) {
            if (postResult == Win32.ERROR_SUCCESS) {
                posted.add(token);
            }
            return postResult;
        }

        @Override
        public int cancel(long handle, long token) {
            cancels.add(handle + ":" + token);
            return cancelResult;
        }

        @Override
        public int ntStatusToWin32(int status) {
            int known = Win32.knownNtStatusToWin32(status);
            if (known >= 0) {
                return known;
            }
            return status == 0xC000009A ? Win32.ERROR_NO_SYSTEM_RESOURCES : 317;
        }
    }

    /** Records the one callback an op must make. */
    private static final class Recorder implements IoCallback {
        int completedCalls;
        int failedCalls;
        int bytes = -1;
        int positionSeen = -1;
        IOException error;
        private final ByteBuffer watched;

        Recorder() {
            this(null);
        }

        /** Also records {@code watched.position()} as seen inside {@code completed}. */
        Recorder(ByteBuffer watched) {
            this.watched = watched;
        }

        int calls() {
            return completedCalls + failedCalls;
        }

        @Override
        public void completed(int n) {
            completedCalls++;
            bytes = n;
            positionSeen = watched != null ? watched.position() : -1;
        }

        @Override
        public void failed(IOException e) {
            failedCalls++;
            error = e;
        }
    }
}
