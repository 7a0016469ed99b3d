package io.fileflux.reactor.internal;

import io.fileflux.core.FileDevice;
import io.fileflux.reactor.Delivery;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BooleanSupplier;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The serial drain loop every Fileflux subscription runs (read, tail, write): a work-in-progress
 * counter so that one thread at a time runs {@link #drainOnce()}, and the ways in.
 * <ul>
 *   <li>{@link #drain()} runs the loop on the calling thread: for the subscriber's own calls
 *       ({@code request}, {@code cancel}, an upstream's {@code onNext}), whose thread already runs
 *       user code.</li>
 *   <li>{@link #wake()} runs it as a task on the delivery scheduler: for everything else — engine
 *       completions, device closes, timers, watchers. An engine's completion thread thereby never runs a
 *       subscriber's code, and never waits for it.</li>
 *   <li>{@link #wakeAfter} first runs a prelude that calls no user code on the waking thread, inside the
 *       drain, then does as {@code wake()}: a tail's watcher reads new bytes there.</li>
 * </ul>
 * The loop never stays stuck: if {@code drainOnce} throws (a subscriber breaking §2.13, a failed
 * allocation), {@link #drainFailed(Throwable)} stops the subscription inside the drain and the loop goes
 * on. It also holds what every subscription shares: a §3.9 request check, and "close the device, then
 * come back into the drain" so that terminal signals are sent from the drain, after the handle is closed.
 *
 * <p>Internal to Fileflux; not an API.
 */
public abstract class DrainLoop implements Runnable {

    private final Executor executor;

    private volatile int wip;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<DrainLoop> WIP =
            AtomicIntegerFieldUpdater.newUpdater(DrainLoop.class, "wip");

    /** A non-positive request (§3.9), recorded by {@link #checkRequest(long)}. */
    private volatile Throwable badRequest;
    /** Set once the device given to {@link #closeThenWake} is closed; {@link #closeError} is written before. */
    private volatile boolean deviceClosed;
    private Throwable closeError;
    /** Drain-owned: the terminal signal was sent, or (cancelled) never will be. */
    private boolean signalled;

    /** @param scheduler where woken drains run; null: {@link Delivery#defaultExecutor()} */
    protected DrainLoop(Scheduler scheduler) {
        this.executor = scheduler != null ? scheduler::schedule : Delivery.defaultExecutor();
    }

    /** Runs the drain on this thread now, or makes the thread already running it go round once more. */
    protected final void drain() {
        if (WIP.getAndIncrement(this) == 0) {
            loop();
        }
    }

    /** Runs the drain on the delivery scheduler, or makes the thread already running it go round once more. */
    public final void wake() {
        if (WIP.getAndIncrement(this) == 0) {
            schedule();
        }
    }

    /**
     * As {@link #wake()}, but when no thread runs the drain, first runs {@code prelude} on this thread,
     * inside the drain (it may use drain-owned state; the drain's next pass, on the delivery scheduler, sees
     * what it did). For work that must happen as soon as a notification arrives and runs no user code: a
     * tail reading bytes before they can be truncated away. A prelude that returns false found that a pass
     * would do nothing: the drain is released without one, unless another wake-up came meanwhile. A prelude
     * that throws is ignored: the pass that follows meets the same condition and reports it.
     */
    public final void wakeAfter(BooleanSupplier prelude) {
        if (WIP.getAndIncrement(this) == 0) {
            boolean pass = true;
            try {
                pass = prelude.getAsBoolean();
            } catch (Throwable ignored) {
                // the drain's own pass, scheduled below, handles whatever made it fail
            }
            if (!pass && WIP.compareAndSet(this, 1, 0)) {
                return;
            }
            schedule();
        }
    }

    /** Hands the drain (held by this thread) to the delivery scheduler. */
    private void schedule() {
        try {
            executor.execute(this);
        } catch (Throwable e) {
            // the scheduler was disposed (or memory ran out): the subscription must still end
            try {
                ForkJoinPool.commonPool().execute(this);
            } catch (Throwable again) {
                loop(); // last resort: a drain that runs here beats one that never runs
            }
        }
    }

    /** The scheduled task of {@link #wake()}. */
    @Override
    public final void run() {
        loop();
    }

    private void loop() {
        int missed = 1;
        for (;;) {
            try {
                drainOnce();
            } catch (Throwable t) {
                drainFailedSafely(t);
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainFailedSafely(Throwable t) {
        try {
            drainFailed(t);
        } catch (Throwable again) {
            t.addSuppressed(again);
            Operators.onErrorDropped(t, reactor.util.context.Context.empty());
        }
    }

    /** One pass of the state machine: everything that can be done now. Runs only inside the drain. */
    protected abstract void drainOnce();

    /**
     * {@link #drainOnce()} threw {@code t}: stop the subscription (as if cancelled: cancel what is in
     * flight, release buffers, close the device) and route {@code t}. Runs inside the drain.
     */
    protected abstract void drainFailed(Throwable t);

    /**
     * §3.9: returns true for a positive request; records an {@link IllegalArgumentException} for the
     * drain to terminate with otherwise.
     */
    protected final boolean checkRequest(long n) {
        if (n > 0) {
            return true;
        }
        if (badRequest == null) {
            badRequest = new IllegalArgumentException(
                    "§3.9 violated: positive request amount required but it was " + n);
        }
        return false;
    }

    /** The recorded §3.9 violation, or null. */
    protected final Throwable badRequest() {
        return badRequest;
    }

    /**
     * Closes {@code device} and wakes the drain once its handle is closed ({@link #deviceClosed()}); the
     * close's failure, if any, is then {@link #closeError()}. Nothing but bookkeeping runs in the close's
     * own completion.
     */
    protected final void closeThenWake(FileDevice device) {
        device.closeAsync().whenComplete((v, e) -> {
            closeError = e;
            deviceClosed = true;
            wake();
        });
    }

    /**
     * Once, from the drain: the terminal signal ({@code onError(error)}, or {@code onComplete()} for null),
     * unless the subscription was cancelled (§1.8: no signal after cancel). Later calls do nothing.
     */
    protected final void signalOnce(CoreSubscriber<?> actual, Throwable error, boolean cancelled) {
        if (signalled) {
            return;
        }
        signalled = true;
        if (!cancelled) {
            terminate(actual, error);
        }
    }

    /** True once the device given to {@link #closeThenWake} is closed. */
    protected final boolean deviceClosed() {
        return deviceClosed;
    }

    /** Why the close of {@link #closeThenWake} failed, or null; read after {@link #deviceClosed()}. */
    protected final Throwable closeError() {
        return closeError;
    }

    /**
     * Sends {@code item}; returns null, or what the subscriber threw. §2.13: a subscriber that throws is
     * treated as having cancelled — the caller stops the subscription, and the error is passed to
     * {@link Operators#onErrorDropped} here — except for an {@link OutOfMemoryError} (Reactor's operators
     * rethrow it from a mapper, and dropping it would leave a {@code block()} waiting forever): the caller
     * then ends the stream with an I/O error saying so.
     */
    public static <T> Throwable onNext(CoreSubscriber<? super T> actual, T item) {
        try {
            actual.onNext(item);
            return null;
        } catch (Throwable t) {
            if (!(t instanceof OutOfMemoryError)) {
                Operators.onErrorDropped(t, actual.currentContext());
            }
            return t;
        }
    }

    /** Sends {@code onError(error)} or, for null, {@code onComplete()}; a throw is routed to onErrorDropped. */
    public static void terminate(CoreSubscriber<?> actual, Throwable error) {
        try {
            if (error != null) {
                actual.onError(error);
            } else {
                actual.onComplete();
            }
        } catch (Throwable t) {
            Operators.onErrorDropped(t, actual.currentContext());
        }
    }
}
