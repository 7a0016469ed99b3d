package io.fileflux.samples.cli;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Notices that the reader of standard output has gone (a pipe whose reader exited, as {@code head}
 * does) without writing to it: a following {@code tail} may print nothing for hours, and should exit
 * at once, as GNU {@code tail -f} does. On Linux, when standard output is a pipe or a socket, one
 * daemon thread blocks in {@code poll(2)} on descriptor 1 asking for no event: only an error or a
 * hang-up (the reader closed its end) wakes it. Elsewhere nothing is watched and a closed pipe is
 * noticed at the next write ({@code EPIPE}).
 *
 * <p>Threading: {@link #watch} starts the thread; {@code onClosed} runs on it, once, and must not block.
 */
final class StdoutClosed {

    private static final short POLLERR = 0x008;
    private static final short POLLHUP = 0x010;

    /** The one libc function needed. */
    interface LibC extends Library {
        int poll(Memory fds, long nfds, int timeout);
    }

    private StdoutClosed() {
    }

    /** glibc by its soname (the name "c" makes JNA run {@code ldconfig -p}: a subprocess per start), else JNA's search. */
    private static LibC loadC() {
        try {
            return Native.load("libc.so.6", LibC.class);
        } catch (UnsatisfiedLinkError notGlibc) {
            return Native.load("c", LibC.class);
        }
    }

    /** Starts watching standard output if it can be watched here; returns true if it is watched. */
    static boolean watch(Runnable onClosed) {
        if (!isPipeOrSocket()) {
            return false;
        }
        LibC libc;
        try {
            libc = loadC();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
        Thread t = new Thread(() -> {
            Memory pollfd = new Memory(8); // struct pollfd { int fd; short events; short revents; }
            pollfd.setInt(0, 1);
            pollfd.setShort(4, (short) 0);
            for (;;) {
                pollfd.setShort(6, (short) 0);
                int n = libc.poll(pollfd, 1, -1);
                if (n > 0 && (pollfd.getShort(6) & (POLLERR | POLLHUP)) != 0) {
                    onClosed.run();
                    return;
                }
                if (n < 0 && Native.getLastError() != 4) { // anything but EINTR: give up watching
                    return;
                }
            }
        }, "fileflux-stdout-watch");
        t.setDaemon(true);
        t.start();
        return true;
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
