package io.fileflux.core.uring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.fileflux.core.FileIoException;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A file copied inside the kernel with {@code copy_file_range(2)}, data extent by data extent
 * ({@code lseek} {@code SEEK_DATA}/{@code SEEK_HOLE}), so that holes stay holes; the target's size is set
 * with {@code ftruncate} at the end. The caller drives it in slices ({@link #copyNext(long)}), so it can
 * check for cancellation and report progress between them.
 *
 * <p>Every method blocks (system calls on the file system): call them from a thread that may block,
 * never from an engine's completion thread. Not thread-safe: one thread at a time (a serial worker).
 *
 * <pre>{@code
 * try (KernelCopy copy = KernelCopy.openSource(src)) {       // null: not a regular file with data
 *     copy.openTarget(dst, false, null);
 *     while (!copy.copyNext(32 << 20)) { }                   // KernelCopy.Unsupported: copy another way
 *     copy.finish(KernelCopy.Sync.NONE);
 * }
 * }</pre>
 */
public final class KernelCopy implements AutoCloseable {

    /** What {@link #finish} does after setting the size. */
    public enum Sync {
        /** No sync: the data reaches the disk when the kernel writes it back. */
        NONE,
        /** {@code fdatasync(2)}: the data and the size. */
        DATASYNC,
        /** {@code fsync(2)}: the data and all metadata. */
        FSYNC
    }

    /**
     * The kernel will not copy between these two files ({@code EXDEV} across file systems,
     * {@code ENOSYS}, {@code EOPNOTSUPP}, {@code EINVAL} on special files, ...) and nothing was copied
     * yet: copy them with reads and writes instead.
     */
    public static final class Unsupported extends FileIoException {
        private static final long serialVersionUID = 1L;

        Unsupported(Path path, int errno) {
            super("copy_file_range", path, 0, errno, errno == 0 ? "NO_DATA" : Errno.name(errno),
                    errno == 0 ? "the source has a size but copy_file_range found no bytes" : Errno.describe(errno));
        }
    }

    private final Path source;
    private final int in;
    private final long size;
    /** {@code loff_t} in at 0, {@code loff_t} out at 8: the offsets copy_file_range advances. */
    private final Memory offsets = new Memory(16);
    private Path target;
    private int out = -1;
    private boolean inClosed;
    /** The file offset reached: every byte before it is copied or known to be a hole. */
    private long position;
    /** End of the data extent that {@link #position} is in, or -1 when unknown. */
    private long extentEnd = -1;
    private long copied;
    /** False when the file system cannot tell holes ({@code SEEK_DATA} refused): all of it is data. */
    private boolean seekData = true;

    private KernelCopy(Path source, int in, long size) {
        this.source = source;
        this.in = in;
        this.size = size;
    }

    /** True where this class can work at all: Linux (the kernel may still refuse a given pair of files). */
    public static boolean supported() {
        return Platform.isLinux();
    }

    /**
     * Opens {@code source} for reading (without blocking on a FIFO) and returns the copy, or null when
     * the source is not a regular file with a positive size ({@code /proc} files report 0 whatever they
     * hold; FIFOs and devices have no extents): copy those with reads and writes.
     *
     * @throws IOException the {@code java.nio.file} exception of a failed open
     */
    public static KernelCopy openSource(Path source) throws IOException {
        int fd;
        try {
            fd = LinuxNative.open(LinuxNative.cPath(source),
                    LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC | LinuxNative.O_NONBLOCK, 0);
        } catch (LastErrorException e) {
            throw Errno.openException(e.getErrorCode(), source, false);
        }
        try {
            Stat st = Stat.of(fd, source);
            if (st.type() != LinuxNative.S_IFREG || st.size() <= 0) {
                closeQuietly(fd);
                return null;
            }
            return new KernelCopy(source, fd, st.size());
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Creates {@code file} (or truncates it; {@code createNew}: fails if it exists) for writing, with
     * {@code permissions} less the umask (null: {@code 0666} less the umask, as {@code open(2)} does).
     */
    public void openTarget(Path file, boolean createNew, Set<PosixFilePermission> permissions) throws IOException {
        if (out >= 0) {
            throw new IllegalStateException("target already open: " + target);
        }
        int flags = LinuxNative.O_WRONLY | LinuxNative.O_CREAT | LinuxNative.O_CLOEXEC
                | (createNew ? LinuxNative.O_EXCL : LinuxNative.O_TRUNC);
        try {
            out = LinuxNative.open(LinuxNative.cPath(file), flags, mode(permissions));
        } catch (LastErrorException e) {
            throw Errno.openException(e.getErrorCode(), file, false);
        }
        target = file;
    }

    /** The source's size when it was opened: what is copied (a source that grows meanwhile is cut there). */
    public long size() {
        return size;
    }

    /** The offset reached: every byte before it is copied, or a hole left as a hole. */
    public long position() {
        return position;
    }

    /** Bytes of data copied so far (holes not counted). */
    public long copied() {
        return copied;
    }

    /**
     * Copies up to about {@code maxBytes} of data from {@link #position()} on, skipping holes.
     *
     * @return true once the whole source is copied (then call {@link #finish})
     * @throws Unsupported    the kernel refused the very first copy: nothing was written
     * @throws FileIoException a later failure, with the offset and errno
     */
    public boolean copyNext(long maxBytes) throws IOException {
        if (out < 0) {
            throw new IllegalStateException("no target open");
        }
        long budget = Math.max(1, maxBytes);
        while (position < size && budget > 0) {
            if (position >= extentEnd && !nextExtent()) {
                break;
            }
            long len = Math.min(budget, extentEnd - position);
            offsets.setLong(0, position);
            offsets.setLong(8, position);
            long n;
            try {
                n = LinuxNative.copyFileRange(in, Pointer.nativeValue(offsets), out, Pointer.nativeValue(offsets) + 8,
                        len);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Errno.EINTR || errno == Errno.EAGAIN) {
                    continue;
                }
                if (copied == 0 && refusal(errno)) {
                    throw new Unsupported(source, errno);
                }
                throw new FileIoException("copy_file_range", source, position, errno, Errno.name(errno),
                        Errno.describe(errno) + " (copying to " + target + ")");
            }
            if (n <= 0) {
                if (copied == 0) {
                    throw new Unsupported(source, 0); // a pseudo-file with a size but no bytes for us
                }
                position = size; // the source shrank while copied: the target gets the size seen at open
                break;
            }
            position += n;
            copied += n;
            budget -= n;
        }
        return position >= size;
    }

    /** Sets the target's size (the trailing hole, if any) and syncs it as asked. */
    public void finish(Sync sync) throws IOException {
        try {
            LinuxNative.ftruncate(out, size);
        } catch (LastErrorException e) {
            throw error("ftruncate", size, e);
        }
        try {
            if (sync == Sync.FSYNC) {
                LinuxNative.fsync(out);
            } else if (sync == Sync.DATASYNC) {
                LinuxNative.fdatasync(out);
            }
        } catch (LastErrorException e) {
            throw error(sync == Sync.FSYNC ? "fsync" : "fdatasync", -1, e);
        }
    }

    /**
     * Closes both files; safe to call more than once. A failed close of the target (delayed write
     * errors on some file systems) is reported; the source's close never fails the copy.
     */
    @Override
    public void close() throws IOException {
        if (!inClosed) {
            inClosed = true;
            closeQuietly(in);
            offsets.close();
        }
        if (out >= 0) {
            int fd = out;
            out = -1;
            try {
                LinuxNative.close(fd);
            } catch (LastErrorException e) {
                throw error("close", -1, e);
            }
        }
    }

    /** Moves {@link #position} to the next data extent; false when only a hole is left. */
    private boolean nextExtent() throws IOException {
        if (!seekData) {
            extentEnd = size;
            return true;
        }
        long data;
        try {
            data = LinuxNative.lseek(in, position, LinuxNative.SEEK_DATA);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == Errno.ENXIO) { // no data at or after position: the rest is a hole
                position = size;
                return false;
            }
            if (errno == Errno.EINVAL || errno == Errno.EOPNOTSUPP) { // no hole support: all data
                seekData = false;
                extentEnd = size;
                return true;
            }
            throw new FileIoException("lseek(SEEK_DATA)", source, position, errno, Errno.name(errno),
                    Errno.describe(errno));
        }
        if (data >= size) {
            position = size;
            return false;
        }
        long hole;
        try {
            hole = LinuxNative.lseek(in, data, LinuxNative.SEEK_HOLE);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw new FileIoException("lseek(SEEK_HOLE)", source, data, errno, Errno.name(errno),
                    Errno.describe(errno));
        }
        position = data;
        extentEnd = Math.min(hole, size);
        return extentEnd > position;
    }

    /** The errors with which the kernel says "not between these files", rather than "I/O failed". */
    private static boolean refusal(int errno) {
        return errno == Errno.EXDEV || errno == Errno.ENOSYS || errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL
                || errno == Errno.EBADF || errno == Errno.EPERM || errno == Errno.ETXTBSY;
    }

    private FileIoException error(String op, long offset, LastErrorException e) {
        int errno = e.getErrorCode();
        return new FileIoException(op, target, offset, errno, Errno.name(errno), Errno.describe(errno));
    }

    private static int mode(Set<PosixFilePermission> permissions) {
        if (permissions == null) {
            return 0666;
        }
        int m = 0;
        for (PosixFilePermission p : permissions) {
            m |= 1 << (8 - p.ordinal()); // OWNER_READ (0) is 0400 ... OTHERS_EXECUTE (8) is 0001
        }
        return m;
    }

    private static void closeQuietly(int fd) {
        try {
            LinuxNative.close(fd);
        } catch (LastErrorException e) {
            // nothing was written through it
        }
    }
}
