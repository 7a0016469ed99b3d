package io.fileflux.core.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.completion.CompletionOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IOCP driver fed with every result the kernel can give, on any OS: above all the synchronous paths
 * Wine never takes ({@code ReadFile} returning TRUE, or FALSE with {@code ERROR_HANDLE_EOF}). A fake port
 * plays kernel32: it writes into the op's memory and its OVERLAPPED the way Windows would.
 */
class IocpDriverTest {

    private static final Path PATH = Path.of("data.bin");
    private static final long HANDLE = 0x1234;
    private static final int SKIP = IocpDriver.SKIP_ON_SUCCESS;

    private FakePort port;
    private IocpDriver driver;

    @BeforeEach
    void setUp() {
        port = new FakePort();
        driver = new IocpDriver(port, Runnable::run);
        driver.bindCompletionThread(Thread.currentThread());
    }

    // ---- the four outcomes of ReadFile ----

    @Test
    void synchronousSuccessIsDeliveredAfterTheSubmittingCodeReturns() {
        ByteBuffer dst = ByteBuffer.allocate(16);
        Recorder cb = new Recorder(dst);
        port.kernel = (op, ov) -> {
            write(op, "hello");
            finish(ov, Win32.STATUS_SUCCESS, 5);
            return Win32.ERROR_SUCCESS;
        };
        CompletionOp op = submit(read(dst, 100, cb, SKIP));
        assertEquals(0, cb.calls(), "never on the submitting stack (rule 3.3)");
        assertFalse(op.isDone());
        driver.runReady();
        assertEquals(5, cb.bytes);
        assertEquals(5, cb.positionSeen, "the buffer advanced by n before completed(n)");
        assertEquals("hello", new String(dst.array(), 0, 5, StandardCharsets.US_ASCII));
        assertTrue(op.isDone());
        assertEquals(0, driver.ops().size());
        assertTrue(port.posted.isEmpty());
    }

    @Test
    void synchronousSuccessOnAnotherThreadIsHandedToTheCompletionThreadThroughThePort() {
        driver.bindCompletionThread(new Thread(() -> { }));
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        Recorder cb = new Recorder(dst);
        port.kernel = (op, ov) -> {
            write(op, "abc");
            finish(ov, Win32.STATUS_SUCCESS, 3);
            return Win32.ERROR_SUCCESS;
        };
        CompletionOp op = submit(read(dst, 0, cb, SKIP));
        driver.runReady();
        assertEquals(0, cb.calls());
        assertEquals(List.of(op.token()), port.posted, "the packet carries the token");
        driver.onPacket(IocpPort.KEY_HANDOFF, op.token(), 0);
        assertEquals(3, cb.bytes);
        assertEquals(3, dst.position());
        byte[] got = new byte[3];
        dst.flip().get(got);
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), got, "a direct buffer is read in place");
        assertEquals(0, driver.ops().size());
    }

    @Test
    void trueWithoutSkipOnSuccessWaitsForThePacket() {
        Recorder cb = new Recorder();
        port.kernel = (op, ov) -> {
            write(op, "12345678");
            finish(ov, Win32.STATUS_SUCCESS, 8);
            return Win32.ERROR_SUCCESS;
        };
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, 0));
        driver.runReady();
        assertEquals(0, cb.calls(), "the packet is still coming: delivering now would deliver twice");
        assertTrue(port.posted.isEmpty());
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 8);
        assertEquals(8, cb.bytes);
        assertEquals(1, cb.calls());
    }

    @Test
    void synchronousEndOfFileIsCompletedWithZero() {
        ByteBuffer dst = ByteBuffer.allocate(8);
        Recorder cb = new Recorder();
        port.kernel = (op, ov) -> Win32.ERROR_HANDLE_EOF;
        submit(read(dst, 1L << 40, cb, SKIP));
        assertEquals(0, cb.calls());
        driver.runReady();
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
        assertEquals(0, dst.position());
        assertEquals(0, driver.ops().size());
    }

    @Test
    void synchronousEndOfFileOnAnotherThreadIsPosted() {
        driver.bindCompletionThread(new Thread(() -> { }));
        Recorder cb = new Recorder();
        port.kernel = (op, ov) -> Win32.ERROR_HANDLE_EOF;
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 10, cb, 0));
        assertEquals(List.of(op.token()), port.posted);
        driver.onPacket(IocpPort.KEY_HANDOFF, op.token(), 0);
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void pendingThenEndOfFileThroughThePortIsCompletedWithZero() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 10, cb, SKIP));
        driver.runReady();
        assertEquals(0, cb.calls());
        finish(overlapped(op), Win32.STATUS_END_OF_FILE, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        assertEquals(0, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void pendingThenShortReadThroughThePortIntoAHeapBufferAtItsPosition() {
        ByteBuffer dst = ByteBuffer.allocate(100);
        dst.position(10);
        Recorder cb = new Recorder(dst);
        CompletionOp op = submit(read(dst, 0, cb, SKIP));
        write(op, "short");
        finish(overlapped(op), Win32.STATUS_SUCCESS, 5);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 5);
        assertEquals(5, cb.bytes);
        assertEquals(15, cb.positionSeen);
        assertEquals("short", new String(dst.array(), 10, 5, StandardCharsets.US_ASCII));
    }

    // ---- cancellation ----

    @Test
    void cancelIssuesOneCancelIoExAndTheAbortIsAnIoCancelledException() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 4096, cb, SKIP));
        op.cancel();
        op.cancel();
        assertEquals(List.of(HANDLE + ":" + overlapped(op).address), port.cancels, "one CancelIoEx, this OVERLAPPED");
        assertEquals(0, cb.calls(), "the callback waits for the kernel's packet");
        finish(overlapped(op), Win32.STATUS_CANCELLED, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
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
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, SKIP));
        op.cancel();
        write(op, "ok");
        finish(overlapped(op), Win32.STATUS_SUCCESS, 2);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 2);
        assertEquals(2, cb.bytes);
        assertNull(cb.error);
    }

    @Test
    void shutdownCancelsEveryOpInFlightAndRefusesNewOnes() {
        for (int i = 0; i < 3; i++) {
            submit(read(ByteBuffer.allocate(8), i, new Recorder(), SKIP));
        }
        driver.shutdown();
        assertEquals(3, port.cancels.size());
        assertEquals(3, driver.ops().size(), "the ops stay owned until their packets arrive");
        assertThrows(IllegalStateException.class, () -> driver.ops().register(read(ByteBuffer.allocate(1), 0,
                new Recorder(), 0)));
    }

    @Test
    void anOpAbortedByShutdownEndsWithEngineClosedException() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 4096, cb, SKIP));
        driver.shutdown();
        finish(overlapped(op), Win32.STATUS_CANCELLED, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        EngineClosedException e = assertInstanceOf(EngineClosedException.class, cb.error);
        assertEquals("read failed: " + PATH + " at offset 4096: ENGINE_CLOSED (engine closed)", e.getMessage());
        assertEquals(1, cb.calls());
        assertEquals(0, driver.ops().size());
    }

    @Test
    void anOpCancelledBeforeShutdownStaysCancelledAndIsCancelledAgain() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, SKIP));
        op.cancel();
        driver.shutdown();
        assertEquals(2, port.cancels.size(), "shutdown repeats CancelIoEx: the op may have pended since");
        finish(overlapped(op), Win32.STATUS_CANCELLED, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        assertInstanceOf(IoCancelledException.class, cb.error);
        assertEquals(1, cb.calls());
    }

    // ---- errors ----

    @Test
    void synchronousFailureCarriesCodeNameOffsetAndPath() {
        Recorder cb = new Recorder();
        port.kernel = (op, ov) -> Win32.ERROR_INVALID_USER_BUFFER;
        submit(read(ByteBuffer.allocate(8), 77, cb, SKIP));
        driver.runReady();
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
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, SKIP));
        finish(overlapped(op), 0xC000009A, 0); // STATUS_INSUFFICIENT_RESOURCES
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        FileIoException e = assertInstanceOf(FileIoException.class, cb.error);
        assertEquals(Win32.ERROR_NO_SYSTEM_RESOURCES, e.errorCode());
        assertEquals("ERROR_NO_SYSTEM_RESOURCES", e.errorName());
    }

    @Test
    void aBrokenPipeEndsAReadButFailsAWrite() {
        Recorder read = new Recorder();
        Recorder write = new Recorder();
        for (CompletionOp op : List.of(read(ByteBuffer.allocate(8), -1, read, 0),
                CompletionOp.write(driver, PATH, HANDLE, ByteBuffer.wrap(new byte[4]), 0, -1, write, 0))) {
            submit(op);
            finish(overlapped(op), Win32.STATUS_PIPE_BROKEN, 0);
            driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        }
        assertEquals(0, read.bytes);
        assertNull(read.error);
        assertEquals(Win32.ERROR_BROKEN_PIPE, assertInstanceOf(FileIoException.class, write.error).errorCode());
    }

    @Test
    void aFailedHandOffRefusesTheSubmission() {
        driver.bindCompletionThread(new Thread(() -> { }));
        port.postResult = Win32.ERROR_NO_SYSTEM_RESOURCES;
        port.kernel = (op, ov) -> Win32.ERROR_HANDLE_EOF;
        Recorder cb = new Recorder();
        CompletionOp op = read(ByteBuffer.allocate(8), 0, cb, SKIP);
        long token = driver.ops().register(op);
        assertThrows(IllegalStateException.class, () -> driver.submit(op));
        driver.ops().remove(token); // what CompletionDevice does when submit throws
        assertEquals(0, cb.calls(), "its callback will never run");
    }

    @Test
    void strayPacketsAreIgnored() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, SKIP));
        Overlapped foreign = new Overlapped(op.token(), 0); // same token, another OVERLAPPED
        driver.onPacket(IocpPort.KEY_IO, foreign.address, 1);
        Overlapped stale = new Overlapped(op.token() + (1L << 32), 0); // an old generation of the slot
        driver.onPacket(IocpPort.KEY_IO, stale.address, 1);
        driver.onPacket(IocpPort.KEY_IO, 0, 0);
        driver.onPacket(IocpPort.KEY_HANDOFF, 0xBEEF0, 0);
        driver.onPacket(IocpPort.KEY_WAKE, 0, 0);
        driver.onPacket(99, overlapped(op).address, 0);
        assertEquals(0, cb.calls());
        assertEquals(1, driver.ops().size());
        finish(overlapped(op), Win32.STATUS_SUCCESS, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 0);
        assertEquals(1, cb.calls(), "a second packet for the same op is ignored");
    }

    @Test
    void anImpossibleByteCountIsAnErrorNotAnOverflow() {
        Recorder cb = new Recorder();
        CompletionOp op = submit(read(ByteBuffer.allocate(8), 0, cb, SKIP));
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 9);
        assertInstanceOf(FileIoException.class, cb.error);
    }

    // ---- flush ----

    @Test
    void aFlushRunsOnTheBlockingPoolAndCompletesOnTheCompletionThread() {
        List<Runnable> pool = new ArrayList<>();
        driver = new IocpDriver(port, pool::add);
        driver.bindCompletionThread(new Thread(() -> { }));
        Recorder ok = new Recorder();
        CompletionOp flush = submit(CompletionOp.sync(driver, PATH, HANDLE, true, ok, 0));
        flush.cancel(); // FlushFileBuffers cannot be cancelled
        assertTrue(port.cancels.isEmpty());
        assertEquals(1, pool.size());
        pool.remove(0).run();
        assertEquals(List.of(HANDLE), port.flushed);
        driver.onPacket(IocpPort.KEY_HANDOFF, port.posted.get(0), 0);
        assertEquals(0, ok.bytes);
        port.flushResult = Win32.ERROR_DISK_FULL;
        Recorder failed = new Recorder();
        submit(CompletionOp.sync(driver, PATH, HANDLE, false, failed, 0));
        pool.remove(0).run();
        driver.onPacket(IocpPort.KEY_HANDOFF, port.posted.get(1), 0);
        FileIoException e = assertInstanceOf(FileIoException.class, failed.error);
        assertEquals("sync", e.operation());
        assertEquals("ERROR_DISK_FULL", e.errorName());
    }

    // ---- trampoline: synchronous completions that submit again do not recurse ----

    @Test
    void aChainOfSynchronousCompletionsRunsAtConstantStackDepth() {
        int rounds = 10_000;
        int[] depth = {Integer.MAX_VALUE, 0};
        int[] done = {0};
        port.kernel = (op, ov) -> {
            finish(ov, Win32.STATUS_SUCCESS, 1);
            return Win32.ERROR_SUCCESS;
        };
        IoCallback chain = new IoCallback() {
            @Override
            public void completed(int bytes) {
                int d = Thread.currentThread().getStackTrace().length;
                depth[0] = Math.min(depth[0], d);
                depth[1] = Math.max(depth[1], d);
                if (++done[0] < rounds) {
                    submit(read(ByteBuffer.allocate(1), done[0], this, SKIP)); // onNext → request → read
                }
            }

            @Override
            public void failed(IOException error) {
                throw new AssertionError(error);
            }
        };
        submit(read(ByteBuffer.allocate(1), 0, chain, SKIP));
        driver.runReady();
        assertEquals(rounds, done[0]);
        assertEquals(depth[0], depth[1], "every callback ran at the same stack depth");
        assertEquals(0, driver.ops().size());
    }

    // ---- what goes into native memory ----

    @Test
    void theOverlappedCarriesTheFull64BitOffsetAndTheToken() {
        long position = (5L << 32) + 0x89ABCDEFL;
        CompletionOp op = submit(read(ByteBuffer.allocate(1), position, new Recorder(), SKIP));
        Pointer ov = new Pointer(overlapped(op).address);
        assertEquals(0x89ABCDEF, ov.getInt(Win32.OVERLAPPED_Offset));
        assertEquals(5, ov.getInt(Win32.OVERLAPPED_OffsetHigh));
        assertEquals(0, ov.getLong(Win32.OVERLAPPED_hEvent), "no event: completions come through the port");
        assertEquals(op.token(), Overlapped.tokenAt(overlapped(op).address));
        CompletionOp pipe = submit(read(ByteBuffer.allocate(1), -1, new Recorder(), SKIP));
        assertEquals(0, new Pointer(overlapped(pipe).address).getLong(Win32.OVERLAPPED_Offset),
                "a handle without position gets offset 0");
    }

    @Test
    void aHeapWriteIsStagedInNativeMemoryAndAdvancesTheSourceOnCompletion() {
        Recorder cb = new Recorder();
        ByteBuffer src = ByteBuffer.wrap("xxabcdef".getBytes(StandardCharsets.US_ASCII));
        src.position(2);
        byte[][] staged = new byte[1][];
        port.kernel = (op, ov) -> {
            staged[0] = new Pointer(op.address()).getByteArray(0, op.length());
            return Win32.ERROR_IO_PENDING;
        };
        CompletionOp op = submit(CompletionOp.write(driver, PATH, HANDLE, src, 0, 0, cb, SKIP));
        assertEquals("abcdef", new String(staged[0], StandardCharsets.US_ASCII));
        assertEquals(2, src.position(), "untouched until the kernel reports the count");
        finish(overlapped(op), Win32.STATUS_SUCCESS, 4);
        driver.onPacket(IocpPort.KEY_IO, overlapped(op).address, 4);
        assertEquals(4, cb.bytes);
        assertEquals(6, src.position(), "a short write advances by what was written");
    }

    // ---- helpers ----

    private CompletionOp read(ByteBuffer dst, long position, IoCallback cb, int flags) {
        return CompletionOp.read(driver, PATH, HANDLE, dst, Math.max(position, 0), position, cb, flags);
    }

    /** What CompletionDevice does: register, then hand to the driver. */
    private CompletionOp submit(CompletionOp op) {
        driver.ops().register(op);
        driver.submit(op);
        return op;
    }

    private static Overlapped overlapped(CompletionOp op) {
        return (Overlapped) op.attachment();
    }

    /** What the kernel does to the data memory on a read. */
    private static void write(CompletionOp op, String data) {
        byte[] b = data.getBytes(StandardCharsets.US_ASCII);
        new Pointer(op.address()).write(0, b, 0, b.length);
    }

    /** What the kernel writes into the OVERLAPPED when the operation completes. */
    private static void finish(Overlapped ov, int ntStatus, long bytes) {
        ov.memory.setLong(Win32.OVERLAPPED_Internal, ntStatus & 0xFFFFFFFFL);
        ov.memory.setLong(Win32.OVERLAPPED_InternalHigh, bytes);
    }

    /** The kernel's answer to one ReadFile/WriteFile. */
    private interface Kernel {
        int start(CompletionOp op, Overlapped ov);
    }

    /** kernel32, in Java. */
    private final class FakePort implements IocpPort {
        final List<Long> posted = new ArrayList<>();
        final List<String> cancels = new ArrayList<>();
        final List<Long> flushed = new ArrayList<>();
        Kernel kernel = (op, ov) -> Win32.ERROR_IO_PENDING;
        int postResult = Win32.ERROR_SUCCESS;
        int cancelResult = Win32.ERROR_SUCCESS;
        int flushResult = Win32.ERROR_SUCCESS;

        @Override
        public int startIo(boolean write, long handle, long address, int length, long overlapped) {
            CompletionOp op = driver.ops().get(Overlapped.tokenAt(overlapped));
            assertEquals(HANDLE, handle);
            assertEquals(op.address(), address);
            assertEquals(op.length(), length);
            return kernel.start(op, (Overlapped) op.attachment());
        }

        @Override
        public int flush(long handle) {
            flushed.add(handle);
            return flushResult;
        }

        @Override
        public int postHandoff(long token) {
            if (postResult == Win32.ERROR_SUCCESS) {
                posted.add(token);
            }
            return postResult;
        }

        @Override
        public int cancel(long handle, long overlapped) {
            cancels.add(handle + ":" + overlapped);
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
        private final ByteBuffer watched;
        int completedCalls;
        int failedCalls;
        int bytes = -1;
        int positionSeen = -1;
        IOException error;

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
