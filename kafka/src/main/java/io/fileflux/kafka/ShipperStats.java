package io.fileflux.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A shipper's counters and gauges, for a status line or a metrics registry: lines and bytes shipped
 * (acknowledged by the broker), records and bytes in flight (and their peaks), send errors, rejected
 * records, broker latency, and per file the position acknowledged and the bytes behind.
 *
 * <p>Counters only grow; gauges are current values. {@link ShipperMetrics} binds them to a Micrometer
 * registry (reading them as functions, per-file lag included). Threading: every
 * method is thread-safe and cheap, except {@link #bytesBehind()} which looks at each file's size.
 */
public final class ShipperStats {

    /** The acknowledged position in one file: its identity and the offset just past the last line shipped. */
    public record FileProgress(String identity, long end) {
    }

    private final LongAdder linesShipped = new LongAdder();
    private final LongAdder bytesShipped = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final AtomicLong recordsInFlight = new AtomicLong();
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final AtomicLong peakRecords = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong lastLatencyNanos = new AtomicLong();
    private final Map<Path, FileProgress> files = new ConcurrentHashMap<>();
    private final List<Consumer<Path>> fileListeners = new CopyOnWriteArrayList<>();

    ShipperStats() {
    }

    /** Lines whose records the broker acknowledged. */
    public long linesShipped() {
        return linesShipped.sum();
    }

    /** Bytes of those lines' values. */
    public long bytesShipped() {
        return bytesShipped.sum();
    }

    /** Records taken from the source and not finished yet (waiting to be sent, sent, or waiting for a retry). */
    public long recordsInFlight() {
        return recordsInFlight.get();
    }

    /** Bytes of the values of {@link #recordsInFlight()}. */
    public long bytesInFlight() {
        return bytesInFlight.get();
    }

    /** The most records that were ever in flight at once (never above {@link ShipperOptions#maxInFlight()}). */
    public long peakRecordsInFlight() {
        return peakRecords.get();
    }

    /** The most bytes that were ever in flight at once. */
    public long peakBytesInFlight() {
        return peakBytes.get();
    }

    /** Sends that failed with a retriable error and were retried. */
    public long sendErrors() {
        return sendErrors.sum();
    }

    /** Records Kafka rejected for good (skipped or failing the shipping, as the policy says). */
    public long rejected() {
        return rejected.sum();
    }

    /** The sum of the broker latencies (send to acknowledgement) of every line shipped, in nanoseconds. */
    public long latencyNanosTotal() {
        return latencyNanos.sum();
    }

    /** The broker latency of the last line shipped, in nanoseconds (0 before the first). */
    public long lastLatencyNanos() {
        return lastLatencyNanos.get();
    }

    /** Per file (the path it was read through), the acknowledged position; a snapshot. */
    public Map<Path, FileProgress> files() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /**
     * Per file, the bytes not acknowledged yet: the size of the file now at the path minus the position
     * acknowledged in it; the whole size when the path names another file than the one acknowledged
     * (rotated: the old file's rest is not counted) or when the file shrank; 0 for a path that names no
     * file. Looks at each file's attributes: call it from a thread that may block on the file system.
     */
    public Map<Path, Long> bytesBehind() {
        Map<Path, Long> out = new LinkedHashMap<>();
        for (Map.Entry<Path, FileProgress> e : files.entrySet()) {
            out.put(e.getKey(), behind(e.getKey(), e.getValue()));
        }
        return out;
    }

    /**
     * The bytes of {@code path} not acknowledged yet, as {@link #bytesBehind()} counts them; 0 for a path
     * no line was shipped from. Looks at the file's attributes.
     */
    public long bytesBehind(Path path) {
        FileProgress p = files.get(path);
        return p == null ? 0 : behind(path, p);
    }

    /**
     * Calls {@code listener} with each path the first time a line from it is finished (shipped or
     * skipped), and at once with every path known already; for per-file meters. The listener runs on the
     * producer's network thread (or the caller's, for the known paths): it must be quick.
     */
    public void onNewFile(Consumer<Path> listener) {
        Objects.requireNonNull(listener, "listener");
        fileListeners.add(listener);
        files.keySet().forEach(listener);
    }

    private void progress(SourceLine line) {
        if (line.end() >= 0 && files.put(line.path(), new FileProgress(line.identity(), line.end())) == null) {
            fileListeners.forEach(l -> l.accept(line.path()));
        }
    }

    private static long behind(Path path, FileProgress progress) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            return 0;
        }
        if (progress.end() < 0 || size < progress.end() || !sameFile(path, progress.identity())) {
            return size;
        }
        return size - progress.end();
    }

    /** Whether the file at {@code path} has {@code identity} ({@code DEVHEX:INODE}); true where that cannot be told. */
    private static boolean sameFile(Path path, String identity) {
        int colon = identity.indexOf(':');
        if (colon < 0) {
            return true;
        }
        try {
            Object ino = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return ino instanceof Long l && Long.toUnsignedString(l).equals(identity.substring(colon + 1));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    void taken(int bytes) {
        peak(peakRecords, recordsInFlight.incrementAndGet());
        peak(peakBytes, bytesInFlight.addAndGet(bytes));
    }

    void finished(int bytes) {
        recordsInFlight.decrementAndGet();
        bytesInFlight.addAndGet(-bytes);
    }

    void shipped(SourceLine line, long latency) {
        linesShipped.increment();
        bytesShipped.add(line.value().length);
        latencyNanos.add(latency);
        lastLatencyNanos.set(latency);
        progress(line);
    }

    void skipped(SourceLine line) {
        progress(line);
    }

    void sendError() {
        sendErrors.increment();
    }

    void countRejected() {
        rejected.increment();
    }

    private static void peak(AtomicLong peak, long value) {
        long p;
        while (value > (p = peak.get()) && !peak.compareAndSet(p, value)) {
            // raced another update: look again
        }
    }

    @Override
    public String toString() {
        return "ShipperStats[lines=" + linesShipped() + ", bytes=" + bytesShipped() + ", inFlight=" + recordsInFlight()
                + ", sendErrors=" + sendErrors() + ", rejected=" + rejected() + "]";
    }
}
