package io.fileflux.core.uring;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Work for the engine's completion thread, queued with the ops and run in order with them there: a
 * {@code SINGLE_ISSUER} ring accepts {@code io_uring_register} only from its issuer, so registrations
 * (buffers, file slots) and reads of completion-thread state go this way.
 *
 * <p>Threading: {@link #run()} and {@link #abandon()} on the completion thread, {@link #await} on the
 * thread that queued the task.
 */
final class RingTask<T> {

    /** The result of a task the completion thread ended without running. */
    private static final Object STOPPED = new Object();

    private final Supplier<T> action;
    private final CompletableFuture<Object> result = new CompletableFuture<>();

    RingTask(Supplier<T> action) {
        this.action = action;
    }

    /** Runs the action (completion thread). */
    void run() {
        try {
            result.complete(action.get());
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    /** The completion thread ends without running it: {@link #await} returns its {@code ifStopped}. */
    void abandon() {
        result.complete(STOPPED);
    }

    /**
     * Waits for the result; returns {@code ifStopped} if the task was abandoned or {@code reaper} ended
     * without taking it ({@code withdraw} then removes it from the queue). Not interruptible — the action
     * may be under way — but an interrupt is kept for the caller.
     */
    @SuppressWarnings("unchecked")
    T await(Thread reaper, Runnable withdraw, T ifStopped) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    Object r = result.get(1, TimeUnit.SECONDS);
                    return r == STOPPED ? ifStopped : (T) r;
                } catch (TimeoutException e) {
                    if (!reaper.isAlive() && !result.isDone()) {
                        withdraw.run();
                        return ifStopped;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
