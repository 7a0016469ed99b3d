package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

/**
 * A file open on the {@code iocp} engine: a {@code CreateFileW} handle opened with
 * {@code FILE_FLAG_OVERLAPPED} and bound to the engine's completion port. Threading and ownership: see
 * {@link io.fileflux.core.FileDevice}.
 */
final class IocpDevice extends AbstractFileDevice {

    private final IocpEngine engine;
    private final long handle;
    private final boolean skipOnSuccess;
    private volatile boolean handleClosed;

    IocpDevice(IocpEngine engine, Path path, FileIdentity identity, boolean writable, long handle,
               boolean skipOnSuccess) {
        super(engine, path, identity, writable);
        this.engine = engine;
        this.handle = handle;
        this.skipOnSuccess = skipOnSuccess;
    }

    @Override
    public long size() throws IOException {
        if (handleClosed) {
            throw new java.nio.channels.ClosedChannelException();
        }
        try (Memory size = new Memory(8)) {
            if (Win32Native.GetFileSizeEx(handle, Pointer.nativeValue(size)) == 0) {
                int error = Win32Native.lastError();
                throw new FileIoException("size", path(), -1, error, Win32.errorName(error), null);
            }
            return size.getLong(0);
        }
    }

    @Override
    protected IoOperation submitRead(ByteBuffer dst, long position, IoCallback callback) {
        return start(IocpOp.read(engine.table(), engine.bounces(), path(), handle, dst, position, callback));
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        return start(IocpOp.write(engine.table(), engine.bounces(), path(), handle, src, position, callback));
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        // FlushFileBuffers blocks and has no overlapped form: it runs on the engine's blocking pool and its
        // result is handed to the completion thread; data and metadata are flushed together on Windows
        OpTable table = engine.table();
        IocpOp op = IocpOp.flush(table, path(), handle, callback);
        table.register(op);
        try {
            engine.blocking().execute(() -> {
                int ok = Win32Native.FlushFileBuffers(handle);
                op.setHandoffResult(ok != 0 ? Win32.ERROR_SUCCESS : Win32Native.lastError(), 0);
                table.completeLater(op);
            });
        } catch (RejectedExecutionException e) {
            table.unregister(op);
            throw new IllegalStateException("engine closed", e);
        }
        return op;
    }

    private IocpOp start(IocpOp op) {
        OpTable table = engine.table();
        table.register(op);
        if (engine.isClosed()) {
            table.unregister(op);
            op.abandon();
            throw new IllegalStateException("engine closed");
        }
        int ok;
        int error;
        try {
            // lpNumberOfBytesRead is NULL: with an OVERLAPPED the count comes from the completion
            ok = op.kind == IocpOp.READ
                    ? Win32Native.ReadFile(handle, op.dataAddress, op.length, 0, op.token)
                    : Win32Native.WriteFile(handle, op.dataAddress, op.length, 0, op.token);
            error = ok != 0 ? Win32.ERROR_SUCCESS : Win32Native.lastError();
        } catch (RuntimeException | Error e) {
            table.unregister(op); // the kernel never took it
            op.abandon();
            throw e;
        }
        table.submitted(op, ok != 0, error, skipOnSuccess);
        return op;
    }

    /** Whether this handle skips the port for synchronous successes (tests). */
    boolean skipsCompletionPortOnSuccess() {
        return skipOnSuccess;
    }

    @Override
    protected void closeHandle() throws IOException {
        handleClosed = true;
        if (Win32Native.CloseHandle(handle) == 0) {
            int error = Win32Native.lastError();
            throw new FileIoException("close", path(), -1, error, Win32.errorName(error), null);
        }
    }
}
