package io.fileflux.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one engine: devices open, operations in flight, and totals. Thread-safe; the
 * counters are updated by the engine and read by anyone (tests, {@code ./fileflux info}, the file
 * server's status endpoint).
 */
public final class EngineStats {

    private final AtomicLong openDevices = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder cancelled = new LongAdder();

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

    void opCompleted(boolean wasCancelled) {
        inFlight.decrementAndGet();
        if (wasCancelled) {
            cancelled.increment();
        }
    }

    @Override
    public String toString() {
        return "openDevices=" + openDevices() + ", inFlight=" + inFlight() + ", submitted=" + submitted()
                + ", cancelled=" + cancelled();
    }
}
