package io.fileflux.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** Test helpers shared by every module: deterministic file contents, descriptor leaks, waiting. */
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

    /**
     * The descriptors this process has open now, number to target (Linux {@code /proc/self/fd}); empty
     * where that is unknown (Windows, Wine, no procfs). Compare with {@link #fdsOpenedSince} rather
     * than counting: other threads of the test JVM close descriptors of their own at any time.
     */
    public static Map<String, String> fdSnapshot() {
        Map<String, String> out = new TreeMap<>();
        Path fds = Path.of("/proc/self/fd");
        if (isWindows() || !Files.isDirectory(fds)) {
            return out;
        }
        try (var s = Files.list(fds)) {
            s.forEach(fd -> {
                try {
                    out.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
                } catch (IOException | UnsupportedOperationException e) {
                    // closed while listing (the listing's own descriptor, or another thread's)
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * Descriptors open now that were not open (number and target) in {@code before}, other than the
     * JVM's own jar and class-loading files: what a test leaked. Empty where descriptors are unknown.
     */
    public static List<String> fdsOpenedSince(Map<String, String> before) {
        List<String> leaked = new ArrayList<>();
        for (Map.Entry<String, String> fd : fdSnapshot().entrySet()) {
            String target = fd.getValue();
            if (target.equals(before.get(fd.getKey())) || target.endsWith(".jar") || target.endsWith(".jsa")
                    || target.startsWith("/proc/")) {
                continue;
            }
            leaked.add(fd.getKey() + " -> " + target);
        }
        return leaked;
    }

    /** Waits up to {@code timeout} until no descriptor opened since {@code before} is still open. */
    public static void awaitNoFdOpenedSince(Map<String, String> before, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> leaked;
        while (!(leaked = fdsOpenedSince(before)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("descriptors left open after " + timeout + ": " + leaked);
            }
            sleep(5);
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
            sleep(2);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting");
        }
    }

    /**
     * Makes a named pipe with {@code mkfifo(1)}; false where that is not possible (Windows, no mkfifo).
     * The child inherits this JVM's standard streams: piped ones would stay open here until the JDK's
     * process reaper closes them, some time after {@code waitFor} returned, and a test comparing
     * descriptors would see them as leaked whenever the reaper is slow (a loaded machine).
     */
    public static boolean mkfifo(Path path) {
        if (isWindows()) {
            return false;
        }
        try {
            Process mk = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
            return mk.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && mk.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Opens {@code fifo} for writing on another thread, since opening a FIFO for writing waits until
     * a reader opened it; the future completes with the stream then.
     */
    public static java.util.concurrent.CompletableFuture<java.io.OutputStream> fifoWriter(Path fifo) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
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
