package io.fileflux.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Test helpers shared by every module: deterministic file contents, fd counting, waiting. */
public final class TestFiles {

    private TestFiles() {
    }

    /** {@code size} pseudo-random bytes from {@code seed}. */
    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code size} pseudo-random bytes to a new file in {@code dir} and returns them. */
    public static byte[] create(Path file, int size, long seed) throws IOException {
        byte[] b = bytes(size, seed);
        Files.write(file, b);
        return b;
    }

    /**
     * Creates a sparse file whose {@code data} starts at {@code offset} (past 4 GiB for offset tests);
     * everything before it is a hole.
     */
    public static void sparse(Path file, long offset, byte[] data) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(data);
        }
    }

    /** Open file descriptors of this process (Linux {@code /proc/self/fd}), or -1 if unknown. */
    public static int openFds() {
        if (isWindows()) {
            return -1; // under Wine, /proc of the Linux host is visible as Z:\proc but is not ours
        }
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (var s = Files.list(fds)) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** True if some descriptor of this process is open on {@code file} (Linux only; false elsewhere). */
    public static boolean isOpen(Path file) {
        if (isWindows()) {
            return false;
        }
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return false;
        }
        Path target = file.toAbsolutePath().normalize();
        try (var s = Files.list(fds)) {
            return s.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} otherwise. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    /** True on Windows (including a Windows JVM under Wine). */
    public static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    /** True when the tests run as root (permission tests cannot deny root). */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
