package io.fileflux.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one engine: devices open, operations in flight, bytes transferred, failures by
 * kind, and totals. Thread-safe; the counters are updated by the engine (on its completion threads,
 * without locks) and read by anyone (tests, {@code ./fileflux info}, metrics such as the
 * {@code fileflux-micrometer} binder).
 */
public final class EngineStats {

    private static final IoErrorKind[] KINDS = IoErrorKind.values();

    private final AtomicLong openDevices = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder[] errors = new LongAdder[KINDS.length];

    /** Counters at zero (an engine creates its own). */
    public EngineStats() {
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    /** Devices opened and not yet closed (handle still open). */
    public long openDevices() {
        return openDevices.get();
    }

    /** Operations submitted whose callback has not run yet. */
    public long inFlight() {
        return inFlight.get();
    }

    /** Operations submitted since the engine started. */
    public long submitted() {
        return submitted.sum();
    }

    /** Operations that ended cancelled since the engine started. */
    public long cancelled() {
        return cancelled.sum();
    }

    /** Bytes transferred by reads that completed (an end-of-file read counts 0). */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes transferred by writes that completed. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Operations that failed with an error of {@code kind} (cancelled ones are not errors). */
    public long errors(IoErrorKind kind) {
        return errors[kind.ordinal()].sum();
    }

    /** Operations that failed, of every kind. */
    public long errors() {
        long n = 0;
        for (LongAdder e : errors) {
            n += e.sum();
        }
        return n;
    }

    void deviceOpened() {
        openDevices.incrementAndGet();
    }

    void deviceClosed() {
        openDevices.decrementAndGet();
    }

    void opSubmitted() {
        submitted.increment();
        inFlight.incrementAndGet();
    }

    /** An op that never reached the engine (its submission threw): no longer in flight, no outcome. */
    void opWithdrawn() {
        inFlight.decrementAndGet();
    }

    void readCompleted(int bytes) {
        inFlight.decrementAndGet();
        if (bytes > 0) {
            bytesRead.add(bytes);
        }
    }

    void writeCompleted(int bytes) {
        inFlight.decrementAndGet();
        if (bytes > 0) {
            bytesWritten.add(bytes);
        }
    }

    void opCompleted() {
        inFlight.decrementAndGet();
    }

    void opFailed(Throwable error) {
        inFlight.decrementAndGet();
        if (error instanceof IoCancelledException) {
            cancelled.increment();
        } else {
            errors[IoErrorKind.of(error).ordinal()].increment();
        }
    }

    @Override
    public String toString() {
        return "openDevices=" + openDevices() + ", inFlight=" + inFlight() + ", submitted=" + submitted()
                + ", cancelled=" + cancelled() + ", bytesRead=" + bytesRead() + ", bytesWritten=" + bytesWritten()
                + ", errors=" + errors();
    }
}
