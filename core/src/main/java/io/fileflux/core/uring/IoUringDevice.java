package io.fileflux.core.uring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.completion.BounceBuffers;
import io.fileflux.core.completion.CompletionDevice;
import io.fileflux.core.completion.CompletionOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file open on the io_uring engine: an fd from {@code open(2)}; reads, writes and syncs go
 * through the shared completion model to the engine's ring. {@link #size()} is an {@code fstat}.
 * The fd is closed only after the last CQE of its ops (see {@link io.fileflux.core.AbstractFileDevice}).
 *
 * <p>Threading and ownership: see {@link io.fileflux.core.FileDevice}.
 */
final class IoUringDevice extends CompletionDevice {

    /** Driver flag: a regular file without O_DIRECT, whose reads and writes may be punted to io-wq. */
    static final int BUFFERED_REGULAR = 1;
    /**
     * Driver flag: a FIFO opened for reading. Each read first waits for {@code POLLIN} with
     * {@code IORING_OP_POLL_ADD}, then reads: the fd was opened {@code O_NONBLOCK} (so that open did
     * not wait for a writer), and a FIFO reader that was opened that way sees no hang-up before a
     * writer came — the read stays pending while nobody writes and reaches end of file (0) once the
     * last writer closed, like {@code cat}.
     */
    static final int POLL_FIRST = 2;
    /** Driver flags from this bit up: 1 + the device's slot in the ring's registered file table, 0 for none. */
    private static final int FILE_SLOT_SHIFT = 8;

    private final IoUringEngine engine;
    private final int fd;
    /** Slot in the ring's registered file table, or -1. */
    private final int fileSlot;
    /** {@link #readCachedNow} may try: a buffered regular file whose kernel and file system take RWF_NOWAIT. */
    private volatile boolean cachedReads;
    /** Guarded by {@code this}: fstat never runs on a closed (and maybe reused) fd number. */
    private boolean fdClosed;

    IoUringDevice(IoUringEngine engine, Path path, FileIdentity identity, boolean writable, int fd, boolean direct,
                  boolean stream, int driverFlags, int fileSlot) {
        super(engine, engine, path, identity, writable, fd, direct, stream, driverFlags);
        this.engine = engine;
        this.fd = fd;
        this.fileSlot = fileSlot;
        this.cachedReads = (driverFlags & BUFFERED_REGULAR) != 0;
    }

    /**
     * {@code preadv2(RWF_NOWAIT)} on a buffered regular file: what the page cache holds, or -1 (EAGAIN: a
     * page is not cached or is locked by a writer; or a file system or kernel without the flag, after which
     * this device stops trying). Heap buffers go through a bounce buffer. The handle is held by the caller
     * ({@link io.fileflux.core.AbstractFileDevice#readCached}), so the fd cannot close meanwhile.
     */
    @Override
    protected int readCachedNow(ByteBuffer dst, long position) throws IOException {
        if (!cachedReads) {
            return -1;
        }
        int n = Math.min(dst.remaining(), CompletionOp.MAX_BOUNCE);
        ByteBuffer bounce = dst.isDirect() ? null : BounceBuffers.acquire(n);
        try {
            Memory scratch = Scratch.get();
            long base = bounce != null ? CompletionOp.addressOf(bounce) : CompletionOp.addressOf(dst) + dst.position();
            scratch.setLong(Scratch.IOVEC, base);
            scratch.setLong(Scratch.IOVEC + 8, n);
            long got;
            try {
                got = LinuxNative.preadv2(fd, Pointer.nativeValue(scratch) + Scratch.IOVEC, 1, position,
                        LinuxNative.RWF_NOWAIT);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                switch (errno) {
                    case Errno.EAGAIN, Errno.EINTR:
                        return -1;
                    case Errno.EOPNOTSUPP, Errno.EINVAL, Errno.ENOSYS:
                        cachedReads = false; // this kernel or file system has no such read: submit always
                        return -1;
                    default:
                        throw new FileIoException("read", path(), position, errno, Errno.name(errno),
                                Errno.describe(errno));
                }
            }
            int count = (int) got;
            if (bounce != null) {
                dst.put(bounce.limit(count));
            } else {
                dst.position(dst.position() + count);
            }
            return count;
        } finally {
            if (bounce != null) {
                BounceBuffers.release(bounce);
            }
        }
    }

    /** The driver flags naming registered file slot {@code slot} (-1: none). */
    static int fileSlotFlags(int slot) {
        return (slot + 1) << FILE_SLOT_SHIFT;
    }

    /** The registered file slot named by an op's driver flags, or -1. */
    static int fileSlot(int driverFlags) {
        return (driverFlags >>> FILE_SLOT_SHIFT) - 1;
    }

    @Override
    public synchronized long size() throws IOException {
        if (fdClosed) {
            throw new java.nio.channels.ClosedChannelException();
        }
        return Stat.of(fd, path()).size();
    }

    @Override
    protected void closeHandle() {
        synchronized (this) {
            fdClosed = true;
            IoUringEngine.closeFd(fd);
        }
        engine.releaseFileSlot(fileSlot); // no op names it any more; the table's own file reference goes with it
        engine.deviceClosed(this);
    }

    @Override
    public String toString() {
        return "IoUringDevice[" + path() + ", fd=" + fd + (fileSlot >= 0 ? ", file slot " + fileSlot : "") + "]";
    }
}
