package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One overlapped operation: its OVERLAPPED (whose address is the operation's token in the
 * {@link OpTable}), the memory the kernel reads or writes, and the user's buffer and callback.
 *
 * <p>Lifetime: the OVERLAPPED and the data memory are referenced by this object, and this object by the
 * op table, from before the native call until the completion has been dispatched: nothing the kernel may
 * still write is freed, pooled or collected early. A heap buffer is bounced through a native block from
 * the engine's {@link BouncePool}, copied in before a write and out after a read, and the block goes back
 * to the pool only once the completion has arrived.
 *
 * <p>States: {@link #PENDING} → ({@link #CANCEL_REQUESTED}) → {@link #DONE}. Only the completion thread
 * moves an op to DONE, exactly once; {@link #cancel()} is the only other transition.
 */
final class IocpOp implements IoOperation {

    private static final Logger LOG = LoggerFactory.getLogger(IocpOp.class);

    static final int READ = 0;
    static final int WRITE = 1;
    static final int FLUSH = 2;

    static final int PENDING = 0;
    static final int CANCEL_REQUESTED = 1;
    static final int DONE = 2;

    private static final AtomicIntegerFieldUpdater<IocpOp> STATE =
            AtomicIntegerFieldUpdater.newUpdater(IocpOp.class, "state");

    final int kind;
    final long position;
    final long handle;
    final long token;
    final long dataAddress;
    final int length;
    private final OpTable table;
    private final Path path;
    private final IoCallback callback;
    private final Memory overlapped;
    private final ByteBuffer buffer;
    private final BouncePool pool;
    private BouncePool.Block bounce;
    private volatile int state;
    /** A result the engine found itself (synchronous completion, flush): set before the hand-off. */
    private volatile int handoffError;
    private volatile int handoffBytes;

    private IocpOp(OpTable table, int kind, Path path, long handle, long position, IoCallback callback,
                   ByteBuffer buffer, BouncePool pool, BouncePool.Block bounce, long dataAddress, int length) {
        this.table = table;
        this.pool = pool;
        this.kind = kind;
        this.path = path;
        this.handle = handle;
        this.position = position;
        this.callback = callback;
        this.buffer = buffer;
        this.bounce = bounce;
        this.dataAddress = dataAddress;
        this.length = length;
        this.overlapped = new Memory(Win32.OVERLAPPED_SIZE);
        overlapped.clear();
        if (position >= 0) {
            // seed 000: an overlapped handle has no file pointer, every op carries its own 64-bit offset
            overlapped.setInt(Win32.OVERLAPPED_Offset, (int) position);
            overlapped.setInt(Win32.OVERLAPPED_OffsetHigh, (int) (position >>> 32));
        }
        this.token = Pointer.nativeValue(overlapped);
    }

    /**
     * A read of up to {@code dst.remaining()} bytes at {@code position}: a direct buffer is read in
     * place, a heap buffer through a bounce block from {@code pool} (4096-byte aligned).
     */
    static IocpOp read(OpTable table, BouncePool pool, Path path, long handle, ByteBuffer dst, long position,
                       IoCallback callback) {
        int length = dst.remaining();
        if (dst.isDirect()) {
            long address = Pointer.nativeValue(Native.getDirectBufferPointer(dst)) + dst.position();
            return new IocpOp(table, READ, path, handle, position, callback, dst, null, null, address, length);
        }
        BouncePool.Block bounce = pool.acquire(length);
        return new IocpOp(table, READ, path, handle, position, callback, dst, pool, bounce, bounce.address,
                length);
    }

    /** A write of up to {@code src.remaining()} bytes at {@code position}; {@code src} is not touched yet. */
    static IocpOp write(OpTable table, BouncePool pool, Path path, long handle, ByteBuffer src, long position,
                        IoCallback callback) {
        int length = src.remaining();
        if (src.isDirect()) {
            long address = Pointer.nativeValue(Native.getDirectBufferPointer(src)) + src.position();
            return new IocpOp(table, WRITE, path, handle, position, callback, src, null, null, address, length);
        }
        BouncePool.Block bounce = pool.acquire(length);
        new Pointer(bounce.address).getByteBuffer(0, length).put(src.duplicate());
        return new IocpOp(table, WRITE, path, handle, position, callback, src, pool, bounce, bounce.address,
                length);
    }

    /** A {@code FlushFileBuffers}, run off the completion thread and handed back to it. */
    static IocpOp flush(OpTable table, Path path, long handle, IoCallback callback) {
        return new IocpOp(table, FLUSH, path, handle, -1, callback, null, null, null, 0, 0);
    }

    /** Gives a bounce block back when the op never reached the kernel (its submission was refused). */
    void abandon() {
        releaseBounce();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public boolean isDone() {
        return state == DONE;
    }

    /**
     * {@code CancelIoEx} on this op's OVERLAPPED, once. The completion still arrives through the port:
     * {@code ERROR_OPERATION_ABORTED} if the cancel won, the normal result otherwise. A flush cannot be
     * cancelled and completes normally.
     */
    @Override
    public void cancel() {
        if (kind == FLUSH || !STATE.compareAndSet(this, PENDING, CANCEL_REQUESTED)) {
            return;
        }
        int error = table.port().cancel(handle, token);
        // CancelIoEx matches by address: the OVERLAPPED must not be freed (and reused) during the call
        Reference.reachabilityFence(overlapped);
        if (error != Win32.ERROR_SUCCESS && error != Win32.ERROR_NOT_FOUND) {
            LOG.debug("CancelIoEx for {} at {} failed: {}", path, position, Win32.errorName(error));
        }
    }

    /** The NTSTATUS the kernel wrote into {@code OVERLAPPED.Internal}. */
    int ntStatus() {
        return overlapped.getInt(Win32.OVERLAPPED_Internal);
    }

    /** The byte count the kernel wrote into {@code OVERLAPPED.InternalHigh} (valid once complete). */
    int bytesTransferred() {
        return (int) overlapped.getLong(Win32.OVERLAPPED_InternalHigh);
    }

    /** Stores a result found without a packet; {@link OpTable} hands it to the completion thread. */
    void setHandoffResult(int win32Error, int bytes) {
        handoffBytes = bytes;
        handoffError = win32Error;
    }

    int handoffError() {
        return handoffError;
    }

    int handoffBytes() {
        return handoffBytes;
    }

    /**
     * Delivers the outcome to the callback, exactly once, on the completion thread: a read advances the
     * user's buffer by {@code bytes} (copying out of the bounce buffer) before {@code completed(bytes)};
     * {@code ERROR_HANDLE_EOF} (and {@code ERROR_BROKEN_PIPE}, a pipe's end) on a read is
     * {@code completed(0)}; {@code ERROR_OPERATION_ABORTED} is an {@link IoCancelledException}.
     */
    void complete(int win32Error, int bytes) {
        if (STATE.getAndSet(this, DONE) == DONE) {
            throw new IllegalStateException("operation completed twice: " + describe());
        }
        IOException failure = null;
        int count = 0;
        try {
            if (win32Error == Win32.ERROR_SUCCESS) {
                if (bytes < 0 || bytes > length) {
                    throw new IllegalStateException("kernel reported " + bytes + " bytes for " + describe());
                }
                count = bytes;
                transfer(count);
            } else if (kind == READ
                    && (win32Error == Win32.ERROR_HANDLE_EOF || win32Error == Win32.ERROR_BROKEN_PIPE)) {
                count = 0;
            } else if (win32Error == Win32.ERROR_OPERATION_ABORTED) {
                failure = new IoCancelledException(kindName(), path, position, win32Error,
                        Win32.errorName(win32Error));
            } else {
                failure = new FileIoException(kindName(), path, position, win32Error,
                        Win32.errorName(win32Error), null);
            }
        } catch (RuntimeException e) {
            failure = new FileIoException(kindName(), path, position, 0, e.getClass().getSimpleName(),
                    e.getMessage(), e);
        } finally {
            releaseBounce();
        }
        if (failure == null) {
            callback.completed(count);
        } else {
            callback.failed(failure);
        }
    }

    private void transfer(int count) {
        if (kind == READ) {
            if (bounce != null) {
                buffer.put(new Pointer(bounce.address).getByteBuffer(0, count));
            } else {
                buffer.position(buffer.position() + count);
            }
        } else if (kind == WRITE) {
            buffer.position(buffer.position() + count);
        }
    }

    /** The kernel is done with the bounce block once the completion is here: back to the pool. */
    private void releaseBounce() {
        BouncePool.Block b = bounce;
        if (b != null) {
            bounce = null;
            pool.release(b);
        }
    }

    String kindName() {
        switch (kind) {
            case READ:
                return "read";
            case WRITE:
                return "write";
            default:
                return "sync";
        }
    }

    String describe() {
        return kindName() + " of " + length + " bytes at " + position + " on " + path;
    }
}
