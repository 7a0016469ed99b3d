package io.fileflux.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Drops a file's pages from the page cache ({@code posix_fadvise(POSIX_FADV_DONTNEED)} after an
 * {@code fsync}: clean pages are evicted without privileges), so the next read of it comes from the
 * device. Linux only; {@link #available()} says whether it works here. Thread-safe.
 */
final class PageCache {

    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final boolean AVAILABLE;

    static {
        boolean ok = false;
        if (Platform.isLinux()) {
            try {
                Native.register(PageCache.class, NativeLibrary.getInstance("libc.so.6"));
                ok = true;
            } catch (UnsatisfiedLinkError e) {
                ok = false;
            }
        }
        AVAILABLE = ok;
    }

    private PageCache() {
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int fsync(int fd) throws LastErrorException;

    /** Returns the error number (it does not set errno). */
    private static native int posix_fadvise(int fd, long offset, long len, int advice);

    /** True if {@link #drop} works on this machine. */
    static boolean available() {
        return AVAILABLE;
    }

    /** Evicts every cached page of {@code file}. */
    static void drop(Path file) throws IOException {
        if (!AVAILABLE) {
            throw new IOException("dropping the page cache needs Linux (posix_fadvise)");
        }
        int fd;
        try {
            fd = open(file.toString(), O_RDONLY);
        } catch (LastErrorException e) {
            throw new IOException(file + ": open failed, errno " + e.getErrorCode(), e);
        }
        try {
            fsync(fd);
            int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            if (err != 0) {
                throw new IOException(file + ": posix_fadvise(DONTNEED) failed, errno " + err);
            }
        } catch (LastErrorException e) {
            throw new IOException(file + ": fsync failed, errno " + e.getErrorCode(), e);
        } finally {
            close(fd);
        }
    }
}
