package io.fileflux.core;

/**
 * An {@link IoCallback} used for one operation after another — never for two at once — so that a device
 * can keep the bookkeeping objects of its last operation here and reuse them for the next: a reader
 * that recycles its callbacks then allocates nothing per operation on the completion engines.
 *
 * <p>Contract for the caller: submit the next operation with this callback only after the previous
 * one's callback method has run (and with a happens-before edge from that run to the submission, as a
 * volatile state flag or a queue gives); use the {@link IoOperation} a device returned only until then.
 * The same object may be returned for the next operation, so a stale handle's {@code cancel()} would
 * cancel that next operation. A callback that breaks the rule still works — the device then allocates
 * afresh — but its stale handles are not safe.
 *
 * <p>Threading: the state kept here is written on the submitting thread and read on the next
 * submitting thread; engines never touch it from their completion threads.
 */
public abstract class ReusableIoCallback implements IoCallback {

    /** {@link AbstractFileDevice}'s wrapper of the last operation (stats and handle accounting). */
    Object deviceState;
    /** The engine's operation object of the last operation. */
    private Object engineState;

    /** For subclasses. */
    protected ReusableIoCallback() {
    }

    /**
     * For engines: the operation object the device's engine kept here for the last operation, or null.
     * An engine reuses it only if it knows the operation completed.
     */
    public final Object engineState() {
        return engineState;
    }

    /** For engines: keeps {@code state} (the operation object just submitted) for the next operation. */
    public final void engineState(Object state) {
        this.engineState = state;
    }
}
