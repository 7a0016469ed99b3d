package io.fileflux.samples.cli;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices that the reader of standard output has gone (a pipe whose reader exited, as {@code head}
 * does) without writing to it: a following {@code tail} may print nothing for hours, and should exit
 * at once, as GNU {@code tail -f} does. On Linux, when standard output is a pipe or a socket, one
 * daemon thread blocks in {@code poll(2)} on descriptor 1 asking for no event (only an error or a
 * hang-up, the reader closing its end, wakes it) and on an {@code eventfd} that {@link #close} signals.
 * Elsewhere nothing is watched and a closed pipe is noticed at the next write ({@code EPIPE}).
 *
 * <p>The watch must be closed when the command is done: the JVM waits up to 300 ms at exit for a thread
 * that sits in a native call, and would for this one.
 *
 * <p>Threading: {@link #watch} starts the thread; {@code onClosed} runs on it, at most once, and must not
 * block; {@link #close} may be called from any thread, more than once.
 */
final class StdoutClosed implements AutoCloseable {

    private static final short POLLIN = 0x001;
    private static final short POLLERR = 0x008;
    private static final short POLLHUP = 0x010;
    private static final int EINTR = 4;
    private static final int EFD_CLOEXEC = 0x80000;
    /** Nothing watched: closing it does nothing. */
    private static final StdoutClosed NONE = new StdoutClosed(null, -1, null);

    /** The libc functions needed. */
    interface LibC extends Library {
        int poll(Memory fds, long nfds, int timeout);

        int eventfd(int initval, int flags);

        long write(int fd, Memory buf, long count);

        int close(int fd);
    }

    private final LibC libc;
    private final int wake;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StdoutClosed(LibC libc, int wake, Thread thread) {
        this.libc = libc;
        this.wake = wake;
        this.thread = thread;
    }

    /** glibc by its soname (the name "c" makes JNA run {@code ldconfig -p}: a subprocess per start), else JNA's search. */
    private static LibC loadC() {
        try {
            return Native.load("libc.so.6", LibC.class);
        } catch (UnsatisfiedLinkError notGlibc) {
            return Native.load("c", LibC.class);
        }
    }

    /** Starts watching standard output if it can be watched here; close what it returns when done. */
    static StdoutClosed watch(Runnable onClosed) {
        if (!isPipeOrSocket()) {
            return NONE;
        }
        LibC libc;
        int wake;
        try {
            libc = loadC();
            wake = libc.eventfd(0, EFD_CLOEXEC);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return NONE;
        }
        if (wake < 0) {
            return NONE;
        }
        Thread t = new Thread(() -> {
            Memory fds = new Memory(16); // two struct pollfd { int fd; short events; short revents; }
            fds.setInt(0, 1);
            fds.setShort(4, (short) 0);
            fds.setInt(8, wake);
            fds.setShort(12, POLLIN);
            for (;;) {
                fds.setShort(6, (short) 0);
                fds.setShort(14, (short) 0);
                int n = libc.poll(fds, 2, -1);
                if (n < 0 && Native.getLastError() != EINTR) {
                    return; // anything but EINTR: give up watching
                }
                if (n > 0 && fds.getShort(14) != 0) {
                    return; // closed
                }
                if (n > 0 && (fds.getShort(6) & (POLLERR | POLLHUP)) != 0) {
                    onClosed.run();
                    return;
                }
            }
        }, "fileflux-stdout-watch");
        t.setDaemon(true);
        t.start();
        return new StdoutClosed(libc, wake, t);
    }

    /** Stops watching: the thread leaves its native call and ends; then the eventfd is closed. */
    @Override
    public void close() {
        if (thread == null || !closed.compareAndSet(false, true)) {
            return;
        }
        Memory one = new Memory(8);
        one.setLong(0, 1);
        libc.write(wake, one, 8);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            libc.close(wake); // else left open: the thread may still poll it
        }
    }

    private static boolean isPipeOrSocket() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("pipe:") || target.startsWith("socket:");
        } catch (Exception e) {
            return false;
        }
    }
}
