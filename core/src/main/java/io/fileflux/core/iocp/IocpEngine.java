package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import io.fileflux.core.EngineStats;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.LocalPaths;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.OpenSpec;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Windows engine: files opened with {@code CreateFileW(FILE_FLAG_OVERLAPPED)}, bound to one I/O
 * completion port that a single daemon thread ({@code fileflux-iocp-N}) reaps with
 * {@code GetQueuedCompletionStatusEx}, and cancelled per operation with {@code CancelIoEx}. Every
 * completion callback runs on that thread. Files are shared for read, write and delete, so a log can be
 * rotated by rename while it is open.
 *
 * <p>With {@value #SKIP_PROPERTY} (default true) handles use
 * {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}: a read that completes synchronously costs no packet.
 *
 * <p>Threading: thread-safe. Ownership: see {@link FileEngine}.
 */
public final class IocpEngine implements FileEngine {

    static final String NAME = "iocp";
    /** System property: set to {@code false} to always take completions through the port. */
    public static final String SKIP_PROPERTY = "fileflux.iocp.skipCompletionPortOnSuccess";

    private static final Logger LOG = LoggerFactory.getLogger(IocpEngine.class);
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final int BATCH = 64;
    private static final int WAIT_TIMEOUT = 258;
    private static final int DRAIN_POLL_MILLIS = 20;

    private final long port;
    private final IocpDriver driver;
    private final Set<IocpDevice> devices = ConcurrentHashMap.newKeySet();
    private final EngineStats stats = new EngineStats();
    private final boolean skipOnSuccess;
    private final Thread thread;
    private final ExecutorService blocking;
    private volatile boolean closed;

    IocpEngine(boolean skipOnSuccess) {
        this.skipOnSuccess = skipOnSuccess;
        this.port = Win32Native.CreateIoCompletionPort(Win32.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            throw new IllegalStateException("CreateIoCompletionPort failed: "
                    + Win32.errorName(Win32Native.lastError()));
        }
        int id = ENGINE_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fileflux-iocp-" + id + "-blocking-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.driver = new IocpDriver(new KernelPort(port), blocking);
        this.thread = new Thread(this::reap, "fileflux-iocp-" + id);
        thread.setDaemon(true);
        driver.bindCompletionThread(thread);
        thread.start();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        LocalPaths.require(path);
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new UnsupportedOperationException("not a path of the default file system: " + path);
        }
        OpenSpec spec = OpenSpec.of(options);
        if (attributes.length > 0) {
            throw new UnsupportedOperationException("file attributes are not supported by the iocp engine: "
                    + attributes[0].name());
        }
        if (closed) {
            throw new IllegalStateException("engine closed");
        }
        if (spec.noFollow() && Files.isSymbolicLink(path)) {
            throw new FileSystemException(path.toString(), null, "Is a symbolic link (NOFOLLOW_LINKS)");
        }
        int access = (spec.read() ? Win32.GENERIC_READ : 0) | (spec.write() ? Win32.GENERIC_WRITE : 0);
        int share = Win32.FILE_SHARE_READ | Win32.FILE_SHARE_WRITE | Win32.FILE_SHARE_DELETE;
        int flags = Win32.FILE_ATTRIBUTE_NORMAL | Win32.FILE_FLAG_OVERLAPPED
                | (spec.direct() ? Win32.FILE_FLAG_NO_BUFFERING : 0)
                | (spec.sync() || spec.dsync() ? Win32.FILE_FLAG_WRITE_THROUGH : 0)
                | (spec.noFollow() ? Win32.FILE_FLAG_OPEN_REPARSE_POINT : 0);
        long handle = Win32Native.CreateFileW(new WString(Win32Paths.toWin32(path)), access, share, 0,
                Win32Paths.disposition(spec), flags, 0);
        if (handle == Win32.INVALID_HANDLE_VALUE) {
            throw Win32Paths.openException(Win32Native.lastError(), path);
        }
        IocpDevice device;
        try {
            FileIdentity identity = identityOf(handle, path);
            if (Win32Native.CreateIoCompletionPort(handle, port, IocpPort.KEY_IO, 0) == 0) {
                int error = Win32Native.lastError();
                throw new FileIoException("open", path, -1, error, Win32.errorName(error),
                        "(CreateIoCompletionPort)");
            }
            boolean skip = skipOnSuccess && Win32Native.SetFileCompletionNotificationModes(handle,
                    (byte) (Win32.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | Win32.FILE_SKIP_SET_EVENT_ON_HANDLE)) != 0;
            boolean stream = Win32Native.GetFileType(handle) != Win32.FILE_TYPE_DISK;
            device = new IocpDevice(this, path, identity, spec.write(), handle, spec.direct(), stream, skip);
        } catch (IOException | RuntimeException | Error e) {
            Win32Native.CloseHandle(handle);
            throw e;
        }
        devices.add(device);
        if (closed) { // close() may have missed it: the device owns the handle now
            device.closeAsync();
            throw new IllegalStateException("engine closed");
        }
        return device;
    }

    /**
     * Volume serial number + file index from {@code GetFileInformationByHandle}. Handles that are not
     * disk files (a named pipe) have no such identity and get {@code 0:0}. A directory is refused.
     */
    private static FileIdentity identityOf(long handle, Path path) throws IOException {
        try (Memory info = new Memory(Win32.BY_HANDLE_FILE_INFORMATION_SIZE)) {
            info.clear();
            if (Win32Native.GetFileInformationByHandle(handle, Pointer.nativeValue(info)) == 0) {
                return new FileIdentity(0, 0);
            }
            if ((info.getInt(Win32.BHFI_dwFileAttributes) & Win32.FILE_ATTRIBUTE_DIRECTORY) != 0) {
                throw new FileSystemException(path.toString(), null, "Is a directory");
            }
            long volume = info.getInt(Win32.BHFI_dwVolumeSerialNumber) & 0xFFFFFFFFL;
            long index = ((long) info.getInt(Win32.BHFI_nFileIndexHigh) << 32)
                    | (info.getInt(Win32.BHFI_nFileIndexLow) & 0xFFFFFFFFL);
            return new FileIdentity(volume, index);
        }
    }

    /** The completion loop: dequeue a batch, dispatch each packet, run queued synchronous results. */
    private void reap() {
        try (Memory entries = new Memory((long) BATCH * Win32.OVERLAPPED_ENTRY_SIZE);
             Memory removed = new Memory(4)) {
            long entriesAddress = Pointer.nativeValue(entries);
            for (;;) {
                boolean stopping = closed;
                int ok = Win32Native.GetQueuedCompletionStatusEx(port, entriesAddress, BATCH,
                        Pointer.nativeValue(removed), stopping ? DRAIN_POLL_MILLIS : Win32.INFINITE, 0);
                if (ok != 0) {
                    int n = removed.getInt(0);
                    for (int i = 0; i < n; i++) {
                        long entry = (long) i * Win32.OVERLAPPED_ENTRY_SIZE;
                        dispatch(entries.getLong(entry + Win32.OVERLAPPED_ENTRY_lpCompletionKey),
                                entries.getLong(entry + Win32.OVERLAPPED_ENTRY_lpOverlapped),
                                entries.getInt(entry + Win32.OVERLAPPED_ENTRY_dwNumberOfBytesTransferred));
                    }
                } else {
                    int error = Win32Native.lastError();
                    if (error != WAIT_TIMEOUT) {
                        // the port itself is unusable: nothing more will ever be dequeued
                        LOG.error("GetQueuedCompletionStatusEx failed, the iocp engine stops: {}",
                                Win32.errorName(error));
                        closed = true;
                        break;
                    }
                }
                if (stopping) {
                    driver.shutdown(); // again: an op registered just before close may have pended since
                    if (driver.ops().size() == 0) {
                        break;
                    }
                }
            }
        } finally {
            Win32Native.CloseHandle(port);
        }
    }

    private void dispatch(long key, long overlapped, int bytes) {
        try {
            driver.onPacket(key, overlapped, bytes);
            driver.runReady();
        } catch (Throwable t) {
            LOG.error("completion dispatch failed (key {}, OVERLAPPED 0x{})", key, Long.toHexString(overlapped), t);
        }
    }

    IocpDriver driver() {
        return driver;
    }

    void deviceClosed(IocpDevice device) {
        devices.remove(device);
    }

    /** The completion thread (tests). */
    Thread completionThread() {
        return thread;
    }

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return NAME + " (I/O completion port, JNA " + Native.VERSION + ", skip-on-success "
                + (skipOnSuccess ? "on" : "off") + ")";
    }

    /**
     * Refuses new work, closes every device (each closes its handle after its last completion), cancels
     * every op in flight, and, unless called from a callback on the completion thread, waits up to 10 s
     * for the completion thread to drain the last packets and close the port.
     */
    @Override
    public void close() {
        Engines.checkCloseable(this);
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (IocpDevice device : devices) {
            device.closeForEngine();
        }
        driver.shutdown();
        blocking.shutdown(); // after the op table closed: a flush it refuses is reported as the engine's close
        Win32Native.PostQueuedCompletionStatus(port, 0, IocpPort.KEY_WAKE, 0);
        if (Thread.currentThread() == thread) {
            return; // the loop finishes the shutdown after this callback returns
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("iocp engine: {} ops still in flight 10 s after close", driver.ops().size());
        }
    }

    /** {@link IocpPort} on kernel32. */
    private static final class KernelPort implements IocpPort {
        private final long port;

        KernelPort(long port) {
            this.port = port;
        }

        @Override
        public int startIo(boolean write, long handle, long address, int length, long overlapped) {
            // lpNumberOfBytesRead is NULL: with an OVERLAPPED the count comes from the completion
            int ok = write
                    ? Win32Native.WriteFile(handle, address, length, 0, overlapped)
                    : Win32Native.ReadFile(handle, address, length, 0, overlapped);
            return ok != 0 ? Win32.ERROR_SUCCESS : Win32Native.lastError();
        }

        @Override
        public int flush(long handle) {
            return Win32Native.FlushFileBuffers(handle) != 0 ? Win32.ERROR_SUCCESS : Win32Native.lastError();
        }

        @Override
        public int postHandoff(long token) {
            return Win32Native.PostQueuedCompletionStatus(port, 0, KEY_HANDOFF, token) != 0
                    ? Win32.ERROR_SUCCESS : Win32Native.lastError();
        }

        @Override
        public int cancel(long handle, long overlapped) {
            return Win32Native.CancelIoEx(handle, overlapped) != 0 ? Win32.ERROR_SUCCESS : Win32Native.lastError();
        }

        @Override
        public int ntStatusToWin32(int status) {
            return Win32Native.ntStatusToWin32(status);
        }
    }
}
