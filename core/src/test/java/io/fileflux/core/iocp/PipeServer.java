package io.fileflux.core.iocp;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server end of a named pipe ({@code \\.\pipe\fileflux-test-PID-N}) that writes only when told
 * ({@link #write}): a client read on it pends until then, until it is cancelled, or until this end is
 * closed. Windows only. Public so that other
 * modules' Windows tests (the read publisher's cancellation under Wine) can use it from the core test-jar.
 */
public final class PipeServer implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private WinNT.HANDLE handle;

    /** Creates the server end of a new pipe (one instance, byte mode, overlapped). */
    public PipeServer() {
        name = "\\\\.\\pipe\\fileflux-test-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
        handle = Kernel32.INSTANCE.CreateNamedPipe(name,
                WinBase.PIPE_ACCESS_DUPLEX,
                WinBase.PIPE_TYPE_BYTE | WinBase.PIPE_READMODE_BYTE | WinBase.PIPE_WAIT,
                1, 4096, 4096, 0, null);
        if (WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
            throw new IllegalStateException("CreateNamedPipe failed: " + Kernel32.INSTANCE.GetLastError());
        }
    }

    /** The path a client opens. */
    public Path path() {
        return Path.of(name);
    }

    /** Writes {@code bytes} to the client (synchronously: this end is not overlapped). */
    public void write(byte[] bytes) {
        IntByReference written = new IntByReference();
        if (!Kernel32.INSTANCE.WriteFile(handle, bytes, bytes.length, written, null)) {
            throw new IllegalStateException("WriteFile on the pipe failed: " + Kernel32.INSTANCE.GetLastError());
        }
    }

    /** Closes the server end; true if {@code CloseHandle} succeeded (false if already closed). */
    public boolean closeServer() {
        if (handle == null) {
            return false;
        }
        boolean ok = Kernel32.INSTANCE.CloseHandle(handle);
        handle = null;
        return ok;
    }

    @Override
    public void close() {
        closeServer();
    }
}
