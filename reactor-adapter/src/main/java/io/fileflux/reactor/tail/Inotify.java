package io.fileflux.reactor.tail;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DirectoryWatcher}'s notifications on Linux, straight from the kernel: one inotify descriptor read
 * by the watcher's own thread, which calls the sink as soon as {@code read(2)} returns. The JDK's
 * {@code WatchService} puts a poller thread and a queue between the kernel and its caller: a quarter of a
 * millisecond more from a write to its notification on our machines, which is what a tail following a
 * file rotated by {@code copytruncate} loses lines to. Events map as the JDK maps them: create or rename
 * in is {@code ENTRY_CREATE}, delete or rename out {@code ENTRY_DELETE}, write or attribute change
 * {@code ENTRY_MODIFY}, a queue overflow {@code OVERFLOW}; a watch the kernel dropped (its directory
 * deleted or unmounted) is reported to the sink as gone.
 *
 * <p>Threading: {@link #watch} and {@link #unwatch} from any thread; the sink runs on the thread
 * {@link #open} starts ({@code fileflux-tail-watch}), which {@link #close()} ends (an eventfd wakes it);
 * the descriptors close on that thread once it stops reading.
 */
final class Inotify implements DirectoryWatcher.Notifications {

    private static final Logger LOG = LoggerFactory.getLogger(Inotify.class);

    private static final int IN_CLOEXEC = 02000000;
    private static final int IN_MODIFY = 0x2;
    private static final int IN_ATTRIB = 0x4;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int IN_Q_OVERFLOW = 0x4000;
    private static final int IN_IGNORED = 0x8000;
    private static final int IN_ONLYDIR = 0x01000000;
    private static final int WATCHED = IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
            | IN_ONLYDIR;
    private static final int POLLIN = 1;
    private static final int EINTR = 4;
    /** {@code struct inotify_event}: wd, mask, cookie, len, then the name (NUL-padded to len). */
    private static final int EVENT_HEADER = 16;
    private static final int BUFFER = 64 * 1024;

    private static final boolean AVAILABLE = register();

    private final int fd;
    private final int wakeFd;
    private final DirectoryWatcher.Sink sink;
    private final Charset names;
    private volatile boolean closed;
    // the inotify thread's
    private byte[] scratch = new byte[256];
    private final Map<Integer, LastName> lastNames = new HashMap<>();

    private Inotify(int fd, int wakeFd, DirectoryWatcher.Sink sink) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.sink = sink;
        String enc = System.getProperty("sun.jnu.encoding");
        this.names = enc != null && Charset.isSupported(enc) ? Charset.forName(enc) : Charset.defaultCharset();
    }

    /**
     * Notifications for the default file system on Linux, with their thread started; null where inotify
     * cannot be used (another system, JNA or the C library unavailable, the inotify limit reached): the
     * caller then uses the file system's {@code WatchService}.
     */
    static Inotify open(java.nio.file.FileSystem fs, DirectoryWatcher.Sink sink) {
        if (!AVAILABLE || fs != FileSystems.getDefault()) {
            return null;
        }
        int fd;
        try {
            fd = inotify_init1(IN_CLOEXEC);
        } catch (LastErrorException e) {
            LOG.debug("inotify_init1 failed (errno {}): using the JDK's watch service", e.getErrorCode());
            return null;
        }
        int wake;
        try {
            wake = eventfd(0, IN_CLOEXEC); // EFD_CLOEXEC has IN_CLOEXEC's value (O_CLOEXEC)
        } catch (LastErrorException e) {
            closeQuietly(fd);
            return null;
        }
        Inotify n = new Inotify(fd, wake, sink);
        Thread t = new Thread(n::loop, "fileflux-tail-watch");
        t.setDaemon(true);
        t.start();
        return n;
    }

    @Override
    public Object watch(Path dir) throws IOException {
        try {
            return inotify_add_watch(fd, cPath(dir), WATCHED);
        } catch (LastErrorException e) {
            throw new IOException("cannot watch " + dir + ": inotify_add_watch failed with errno "
                    + e.getErrorCode() + (e.getErrorCode() == 28
                            ? " (the inotify watch limit, fs.inotify.max_user_watches, is reached)" : ""));
        }
    }

    @Override
    public void unwatch(Object key) {
        try {
            inotify_rm_watch(fd, (Integer) key);
        } catch (LastErrorException gone) {
            // the kernel dropped it already (directory deleted)
        }
    }

    @Override
    public void close() {
        closed = true;
        try (Memory one = new Memory(8)) {
            one.setLong(0, 1);
            write(wakeFd, Pointer.nativeValue(one), 8);
        } catch (LastErrorException e) {
            LOG.debug("waking the inotify thread failed (errno {})", e.getErrorCode());
        }
    }

    private void loop() {
        try (Memory fds = new Memory(16); Memory buf = new Memory(BUFFER)) {
            long fdsAt = Pointer.nativeValue(fds);
            long bufAt = Pointer.nativeValue(buf);
            while (!closed) {
                fds.setInt(0, fd); // struct pollfd: int fd, short events, short revents
                fds.setShort(4, (short) POLLIN);
                fds.setShort(6, (short) 0);
                fds.setInt(8, wakeFd);
                fds.setShort(12, (short) POLLIN);
                fds.setShort(14, (short) 0);
                try {
                    poll(fdsAt, 2, -1);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    throw e;
                }
                if (closed || (fds.getShort(14) & POLLIN) != 0) {
                    break;
                }
                if ((fds.getShort(6) & POLLIN) != 0) {
                    long n;
                    try {
                        n = read(fd, bufAt, BUFFER);
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() == EINTR) {
                            continue;
                        }
                        throw e;
                    }
                    dispatch(buf, (int) n);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("the inotify thread failed: tails fall back to polling", e);
        } finally {
            closeQuietly(fd);
            closeQuietly(wakeFd);
        }
    }

    private void dispatch(Memory buf, int n) {
        int at = 0;
        while (at + EVENT_HEADER <= n) {
            int wd = buf.getInt(at);
            int mask = buf.getInt(at + 4);
            int len = buf.getInt(at + 12);
            Path name = len > 0 ? name(wd, buf, at + EVENT_HEADER, len) : null;
            at += EVENT_HEADER + len;
            if ((mask & IN_Q_OVERFLOW) != 0) {
                sink.event(null, StandardWatchEventKinds.OVERFLOW, null, 1);
            } else if ((mask & IN_IGNORED) != 0) {
                sink.gone(wd); // its directory is gone: forgotten, then its listeners told
                lastNames.remove(wd);
            } else {
                WatchEvent.Kind<?> kind = (mask & (IN_CREATE | IN_MOVED_TO)) != 0 ? StandardWatchEventKinds.ENTRY_CREATE
                        : (mask & (IN_DELETE | IN_MOVED_FROM)) != 0 ? StandardWatchEventKinds.ENTRY_DELETE
                        : StandardWatchEventKinds.ENTRY_MODIFY;
                sink.event(wd, kind, name, 1);
            }
        }
    }

    /**
     * The name of an event, as a {@link Path}: the same instance as the directory's previous event when the
     * name is the same (a written log reports the same name thousands of times a second; decoding each
     * would be most of this thread's work and garbage).
     */
    private Path name(int wd, Memory buf, int at, int len) {
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, 2 * scratch.length)];
        }
        buf.read(at, scratch, 0, len);
        int end = 0;
        while (end < len && scratch[end] != 0) {
            end++;
        }
        LastName last = lastNames.get(wd);
        if (last != null && Arrays.equals(last.bytes, 0, last.bytes.length, scratch, 0, end)) {
            return last.path;
        }
        Path p = Path.of(new String(scratch, 0, end, names));
        if (lastNames.size() > 4096) {
            lastNames.clear(); // bounded: many directories come and go
        }
        lastNames.put(wd, new LastName(Arrays.copyOf(scratch, end), p));
        return p;
    }

    /** The last name decoded for a watch (only the inotify thread uses these). */
    private record LastName(byte[] bytes, Path path) {
    }

    private byte[] cPath(Path dir) {
        byte[] b = dir.toString().getBytes(names);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    private static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // nothing more to do
        }
    }

    /** Binds the functions below to the C library; false where that is impossible (not Linux, no JNA). */
    private static boolean register() {
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            NativeLibrary c;
            try {
                c = NativeLibrary.getInstance("libc.so.6"); // glibc, by soname (JNA's search runs ldconfig)
            } catch (UnsatisfiedLinkError notGlibc) {
                c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
            }
            Native.register(Inotify.class, c);
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("inotify through JNA is unavailable: {}", e.toString());
            return false;
        }
    }

    private static native int inotify_init1(int flags) throws LastErrorException;

    private static native int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

    private static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    private static native int eventfd(int initval, int flags) throws LastErrorException;

    private static native int poll(long fds, long nfds, int timeout) throws LastErrorException;

    private static native long read(int fd, long buf, long count) throws LastErrorException;

    private static native long write(int fd, long buf, long count) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;
}
