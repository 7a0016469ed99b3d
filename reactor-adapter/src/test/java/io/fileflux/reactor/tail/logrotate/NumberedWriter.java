package io.fileflux.reactor.tail.logrotate;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An application writing numbered lines ({@code 000000001\n}...) to a log with O_APPEND, at a paced
 * rate, that reopens its log when told to (as after logrotate's postrotate signal), at once or some
 * time later (a late writer keeps writing the renamed file meanwhile).
 *
 * <p>Threading: its own thread writes; {@link #reopen}, {@link #written} and {@link #finish} from any.
 */
final class NumberedWriter implements AutoCloseable {

    private final Path path;
    private final long total;
    private final int linesPerMilli;
    private final AtomicLong written = new AtomicLong();
    private final Thread thread;
    /** When the writer should reopen (System.nanoTime), or 0. */
    private volatile long reopenAt;
    private volatile boolean paused;
    private volatile Throwable failure;

    NumberedWriter(Path path, long total, int linesPerMilli) {
        this.path = path;
        this.total = total;
        this.linesPerMilli = linesPerMilli;
        this.thread = new Thread(this::run, "numbered-writer");
    }

    NumberedWriter start() {
        thread.start();
        return this;
    }

    static String line(long n) {
        return String.format("%09d", n);
    }

    private void run() {
        try {
            FileOutputStream out = new FileOutputStream(path.toFile(), true);
            try {
                for (long n = 1; n <= total; n++) {
                    while (paused) {
                        LockSupport.parkNanos(100_000);
                    }
                    long at = reopenAt;
                    if (at != 0 && System.nanoTime() - at >= 0) {
                        out.close();
                        out = new FileOutputStream(path.toFile(), true);
                        reopenAt = 0;
                    }
                    out.write((line(n) + "\n").getBytes(StandardCharsets.US_ASCII));
                    written.set(n);
                    if (n % linesPerMilli == 0) {
                        LockSupport.parkNanos(1_000_000); // pacing only
                    }
                }
            } finally {
                out.close();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    /** Reopens the log (a new file if it was renamed away) after {@code delayMillis}. */
    void reopen(long delayMillis) {
        reopenAt = System.nanoTime() + delayMillis * 1_000_000 + 1;
    }

    /** Stops writing before the next line until {@link #resume()}. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    long written() {
        return written.get();
    }

    long total() {
        return total;
    }

    /** Waits until every line is written (bounded: a hung writer fails the test). */
    void finish() throws InterruptedException {
        thread.join(120_000);
        if (thread.isAlive()) {
            throw new AssertionError("writer still running");
        }
        if (failure != null) {
            throw new AssertionError("writer failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        paused = false;
        thread.join(120_000);
    }
}
