package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.completion.CompletionDevice;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * A file open on the {@code iocp} engine: a {@code CreateFileW} handle opened with
 * {@code FILE_FLAG_OVERLAPPED} and bound to the engine's completion port. Reads, writes and syncs go
 * through the shared completion model ({@link CompletionDevice}) to the {@link IocpDriver}. Threading and
 * ownership: see {@link io.fileflux.core.FileDevice}.
 */
final class IocpDevice extends CompletionDevice {

    private final IocpEngine engine;
    private final boolean skipOnSuccess;
    private volatile boolean handleClosed;

    /**
     * @param stream        the handle has no file position (a pipe, a character device)
     * @param skipOnSuccess the handle has {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}
     */
    IocpDevice(IocpEngine engine, Path path, FileIdentity identity, boolean writable, long handle,
               boolean direct, boolean stream, boolean skipOnSuccess) {
        super(engine, engine.driver(), path, identity, writable, handle, direct, stream,
                skipOnSuccess ? IocpDriver.SKIP_ON_SUCCESS : 0);
        this.engine = engine;
        this.skipOnSuccess = skipOnSuccess;
    }

    @Override
    public long size() throws IOException {
        if (handleClosed) {
            throw new ClosedChannelException();
        }
        try (Memory size = new Memory(8)) {
            if (Win32Native.GetFileSizeEx(handle(), Pointer.nativeValue(size)) == 0) {
                int error = Win32Native.lastError();
                throw new FileIoException("size", path(), -1, error, Win32.errorName(error), null);
            }
            return size.getLong(0);
        }
    }

    /** Whether this handle skips the port for synchronous successes (tests). */
    boolean skipsCompletionPortOnSuccess() {
        return skipOnSuccess;
    }

    @Override
    protected void closeHandle() throws IOException {
        handleClosed = true;
        engine.deviceClosed(this);
        if (Win32Native.CloseHandle(handle()) == 0) {
            int error = Win32Native.lastError();
            throw new FileIoException("close", path(), -1, error, Win32.errorName(error), null);
        }
    }
}
