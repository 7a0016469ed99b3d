package io.fileflux.core.completion;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import io.fileflux.core.ReusableIoCallback;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One operation of a completion-queue engine, from submission to completion: what the kernel needs
 * (handle, native address, length, offset), the token it is known by, its state, and the references
 * that must stay alive while the kernel may touch them.
 *
 * <p>Ownership: the op strongly holds the caller's buffer, the direct buffer
 * the kernel actually uses (the caller's own if it is direct, otherwise a bounce buffer) and the
 * driver's {@link #attach(Object) attachment} (an {@code OVERLAPPED}, for instance). The driver's
 * {@link OpTable} holds the op from registration until its completion is reaped, so none of that
 * memory can be collected, pooled or reused while the kernel may still write into it — also after
 * a cancel.
 *
 * <p>Heap buffers: the kernel cannot address a heap {@code ByteBuffer}, so a read into one goes
 * through a direct, 4096-aligned bounce buffer of at most {@value #MAX_BOUNCE} bytes (reused from
 * {@link BounceBuffers} once a completion has been reaped) that is copied into the caller's buffer on
 * completion (a longer request completes short, which the device
 * contract allows), and a write copies the caller's bytes into one at submission. Direct buffers
 * are the fast path: the kernel reads or writes them in place.
 *
 * <p>Reuse: the op of a {@link ReusableIoCallback} is kept in it and armed again for that callback's next
 * read or write once its completion has run (state {@code COMPLETED}); the callback's contract makes sure
 * nobody holds it meanwhile. Everything else gets a new op per operation.
 *
 * <p>Threading: {@link #cancel()}, {@link #isDone()} and the accessors are thread-safe. The result
 * methods ({@link #complete}, {@link #fail}, {@link #cancelled}) are called by the driver, once, on
 * its completion thread (or on the submitting thread for a failure found before the kernel saw the
 * op).
 */
public final class CompletionOp implements IoOperation {

    /** The largest bounce buffer used for a heap {@code ByteBuffer}, in bytes. */
    public static final int MAX_BOUNCE = 4 << 20;

    /** The largest transfer of one op (Linux's {@code MAX_RW_COUNT}), in bytes. */
    public static final int MAX_TRANSFER = 0x7ffff000;

    private static final AtomicReferenceFieldUpdater<CompletionOp, OpState> STATE =
            AtomicReferenceFieldUpdater.newUpdater(CompletionOp.class, OpState.class, "state");

    // Set by arm(), before the op is registered and handed to the driver (which publishes them to the
    // completion thread); an op of a ReusableIoCallback is armed again for its next operation only after
    // its completion ran (see reusable()).
    private OpKind kind;
    private final CompletionDriver driver;
    private Path path;
    private long handle;
    private long position;
    private long offset;
    private IoCallback callback;
    private ByteBuffer buffer;
    private ByteBuffer ioBuffer;
    private int bufferStart;
    private long address;
    private int length;
    private boolean metadata;
    private int driverFlags;
    /** The last direct buffer armed with, and its native address: a pooled buffer read again needs no look-up. */
    private ByteBuffer addressed;
    private long addressedBase;
    private volatile OpState state = OpState.SUBMITTED;
    /** Assigned by {@link OpTable#register} before the op is handed to the driver. */
    private long token;
    private Object attachment;
    /** Driver-owned (completion thread): which step of a multi-request op was issued last. */
    private int driverStage;

    private CompletionOp(OpKind kind, CompletionDriver driver, Path path, long handle, long position,
                         long offset, IoCallback callback, ByteBuffer buffer, boolean metadata,
                         int driverFlags) {
        this.driver = Objects.requireNonNull(driver, "driver");
        arm(kind, path, handle, position, offset, callback, buffer, metadata, driverFlags);
    }

    /** Sets every field of one operation; the op is then SUBMITTED, with no token, attachment or stage. */
    private void arm(OpKind kind, Path path, long handle, long position, long offset, IoCallback callback,
                     ByteBuffer buffer, boolean metadata, int driverFlags) {
        this.kind = kind;
        this.path = path;
        this.handle = handle;
        this.position = position;
        this.offset = offset;
        this.callback = Objects.requireNonNull(callback, "callback");
        this.buffer = buffer;
        this.metadata = metadata;
        this.driverFlags = driverFlags;
        if (buffer == null) {
            this.ioBuffer = null;
            this.bufferStart = 0;
            this.address = 0;
            this.length = 0;
        } else if (buffer.isDirect()) {
            this.ioBuffer = buffer;
            this.bufferStart = buffer.position();
            this.length = Math.min(buffer.remaining(), MAX_TRANSFER);
            if (buffer != addressed) {
                addressedBase = addressOf(buffer);
                addressed = buffer;
            }
            this.address = addressedBase + bufferStart;
        } else {
            int n = Math.min(buffer.remaining(), MAX_BOUNCE);
            ByteBuffer bounce = BounceBuffers.acquire(n);
            if (kind == OpKind.WRITE) {
                bounce.put(0, buffer, buffer.position(), n);
            }
            this.ioBuffer = bounce;
            this.bufferStart = buffer.position();
            this.length = n;
            this.address = addressOf(bounce);
        }
        this.token = 0;
        this.attachment = null;
        this.driverStage = 0;
        this.state = OpState.SUBMITTED;
    }

    /**
     * The op of {@code callback}'s last operation if it can serve the next one — the callback is a
     * {@link ReusableIoCallback} of this driver whose last op has completed — else null.
     */
    private static CompletionOp reusable(IoCallback callback, CompletionDriver driver) {
        if (callback instanceof ReusableIoCallback r && r.engineState() instanceof CompletionOp op
                && op.driver == driver && op.state == OpState.COMPLETED) {
            return op;
        }
        return null;
    }

    /** A new op, or {@code callback}'s last one armed again; a reusable callback keeps it for its next operation. */
    private static CompletionOp of(OpKind kind, CompletionDriver driver, Path path, long handle, long position,
                                   long offset, IoCallback callback, ByteBuffer buffer, int driverFlags) {
        Objects.requireNonNull(callback, "callback");
        CompletionOp op = reusable(callback, driver);
        if (op != null) {
            op.arm(kind, path, handle, position, offset, callback, buffer, false, driverFlags);
            return op;
        }
        op = new CompletionOp(kind, driver, path, handle, position, offset, callback, buffer, false, driverFlags);
        if (callback instanceof ReusableIoCallback r) {
            r.engineState(op);
        }
        return op;
    }

    /**
     * A read of up to {@code dst.remaining()} bytes at {@code position}.
     *
     * @param handle the native handle (fd, {@code HANDLE} value) the driver passes to the kernel
     * @param offset the offset the kernel sees: {@code position}, or -1 for a stream (FIFO) that has
     *               no position
     * @param driverFlags opaque to this package: what the driver told the device at open time
     */
    public static CompletionOp read(CompletionDriver driver, Path path, long handle, ByteBuffer dst,
                                    long position, long offset, IoCallback callback, int driverFlags) {
        return of(OpKind.READ, driver, path, handle, position, offset, callback, Objects.requireNonNull(dst, "dst"),
                driverFlags);
    }

    /** A write of up to {@code src.remaining()} bytes at {@code position}; see {@link #read}. */
    public static CompletionOp write(CompletionDriver driver, Path path, long handle, ByteBuffer src,
                                     long position, long offset, IoCallback callback, int driverFlags) {
        return of(OpKind.WRITE, driver, path, handle, position, offset, callback, Objects.requireNonNull(src, "src"),
                driverFlags);
    }

    /** An fsync ({@code metadata}) or fdatasync of the whole file. */
    public static CompletionOp sync(CompletionDriver driver, Path path, long handle, boolean metadata,
                                    IoCallback callback, int driverFlags) {
        return new CompletionOp(OpKind.SYNC, driver, path, handle, -1, -1, callback, null, metadata, driverFlags);
    }

    /** The native address of a direct buffer's first byte (index 0, not its position). */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** What the op does. */
    public OpKind kind() {
        return kind;
    }

    /** The token the driver submits the op with (valid once registered in an {@link OpTable}). */
    public long token() {
        return token;
    }

    void token(long token) {
        this.token = token;
    }

    /** The path of the device, for error messages. */
    public Path path() {
        return path;
    }

    /** The native handle the op runs on. */
    public long handle() {
        return handle;
    }

    @Override
    public long position() {
        return position;
    }

    /** The file offset the kernel is given: the position, or -1 on a stream without position. */
    public long offset() {
        return offset;
    }

    /** The native address of the first byte the kernel transfers (0 for a sync). */
    public long address() {
        return address;
    }

    /** The number of bytes the kernel is asked to transfer (0 for a sync). */
    public int length() {
        return length;
    }

    /** For a sync: true for fsync (data and metadata), false for fdatasync. */
    public boolean metadata() {
        return metadata;
    }

    /**
     * Flags the driver attached to the device at open time and gets back with every op (io_uring: whether
     * the file is a regular buffered file that may be punted to io-wq). Opaque to this package.
     */
    public int driverFlags() {
        return driverFlags;
    }

    /** True if the kernel transfers through a bounce buffer because the caller's buffer is on the heap. */
    public boolean bounced() {
        return buffer != null && ioBuffer != buffer;
    }

    /**
     * Keeps {@code nativeMemory} (an {@code OVERLAPPED}, an iovec, ...) strongly reachable until the
     * op completes. Call before handing the op to the kernel.
     */
    public void attach(Object nativeMemory) {
        this.attachment = nativeMemory;
    }

    /** What {@link #attach} stored, or null. */
    public Object attachment() {
        return attachment;
    }

    /**
     * The step a driver that runs this op as several kernel requests (e.g. a poll, then the read)
     * reached; 0 at first. Read and written only by the driver's completion thread.
     */
    public int driverStage() {
        return driverStage;
    }

    /** Sets {@link #driverStage()}. */
    public void driverStage(int stage) {
        this.driverStage = stage;
    }

    /** The op's current state. */
    public OpState state() {
        return state;
    }

    @Override
    public boolean isDone() {
        return state == OpState.COMPLETED;
    }

    /**
     * Requests a kernel cancel, at most once; later calls and calls after completion do nothing.
     * The buffer stays owned by the engine until the op's completion arrives.
     */
    @Override
    public void cancel() {
        if (STATE.compareAndSet(this, OpState.SUBMITTED, OpState.CANCEL_REQUESTED)) {
            driver.cancel(this);
        }
    }

    /**
     * The engine is closing with this op in flight: requests a kernel cancel like {@link #cancel()}, and
     * a cancelled completion then fails with {@link EngineClosedException}. Does nothing if a cancel
     * was requested already (the op then ends as that cancel decides) or the op completed.
     *
     * @return true if this call requested the cancel
     */
    public boolean cancelForClose() {
        if (STATE.compareAndSet(this, OpState.SUBMITTED, OpState.CLOSE_REQUESTED)) {
            driver.cancel(this);
            return true;
        }
        return false;
    }

    /** True once {@link #cancel()} or {@link #cancelForClose()} requested a kernel cancel (until completion). */
    public boolean cancelRequested() {
        OpState s = state;
        return s == OpState.CANCEL_REQUESTED || s == OpState.CLOSE_REQUESTED;
    }

    /**
     * The kernel transferred {@code bytes} bytes (0 on a read: end of file). Advances the caller's
     * buffer by {@code bytes} (copying out of the bounce buffer first for a heap read), then calls
     * {@link IoCallback#completed(int)}.
     *
     * @throws IllegalStateException if the op already completed
     */
    public void complete(int bytes) {
        finish();
        if (bytes < 0 || (bytes > length && kind != OpKind.SYNC)) {
            releaseBounce();
            callback.failed(new FileIoException(kind.label(), path, position, 0, "BAD_RESULT",
                    "kernel reported " + bytes + " bytes for a request of " + length));
            return;
        }
        if (buffer != null) {
            if (kind == OpKind.READ && ioBuffer != buffer) {
                buffer.put(bufferStart, ioBuffer, 0, bytes);
            }
            buffer.position(bufferStart + bytes);
        }
        releaseBounce();
        callback.completed(bytes);
    }

    /**
     * The operation failed with a native error: calls {@link IoCallback#failed} with a
     * {@link FileIoException} carrying path, position, code and name.
     *
     * @param errorCode the native error number (errno, Win32 error)
     * @param errorName its symbolic name ({@code EIO}, {@code ERROR_HANDLE_EOF})
     * @param detail    a short description, or null
     * @throws IllegalStateException if the op already completed
     */
    public void fail(int errorCode, String errorName, String detail) {
        finish();
        releaseBounce();
        callback.failed(new FileIoException(kind.label(), path, position, errorCode, errorName, detail));
    }

    /**
     * The kernel ended the op because it was cancelled: calls {@link IoCallback#failed} with an
     * {@link IoCancelledException}, or with an {@link EngineClosedException} if the cancel came from
     * {@link #cancelForClose()}.
     *
     * @throws IllegalStateException if the op already completed
     */
    public void cancelled(int errorCode, String errorName) {
        OpState previous = finish();
        releaseBounce();
        callback.failed(previous == OpState.CLOSE_REQUESTED
                ? new EngineClosedException(kind.label(), path, position)
                : new IoCancelledException(kind.label(), path, position, errorCode, errorName));
    }

    /**
     * The kernel is done with the op: its bounce buffer (if any) may serve another op, and the op lets go
     * of the caller's buffer (an op kept for reuse must not hold an emitted buffer reachable).
     */
    private void releaseBounce() {
        if (ioBuffer != null && ioBuffer != buffer) {
            BounceBuffers.release(ioBuffer);
        }
        ioBuffer = null;
        buffer = null;
    }

    private OpState finish() {
        OpState previous = STATE.getAndSet(this, OpState.COMPLETED);
        if (previous == OpState.COMPLETED) {
            throw new IllegalStateException("op completed twice: " + this);
        }
        return previous;
    }

    @Override
    public String toString() {
        return kind.label() + "[token=" + Long.toHexString(token) + ", path=" + path + ", position=" + position
                + ", length=" + length + ", state=" + state + "]";
    }
}
