package io.fileflux.reactor.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run Fileflux's drains by default: an elastic pool built for many short tasks handed over
 * by engine threads. A task goes straight to a worker that is waiting for one; when every worker is busy — some may be held by
 * subscribers that block — a new worker starts, up to {@code maxThreads}, after which tasks queue. Workers
 * beyond {@code coreThreads} end after {@code keepAliveSeconds} without work.
 *
 * <p>Threading: thread-safe. Threads are daemons named {@code <prefix>-N}.
 */
public final class DeliveryPool implements Executor {

    private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final String prefix;
    private final int coreThreads;
    private final int maxThreads;
    private final long keepAliveNanos;
    private volatile boolean shutdown;

    public DeliveryPool(String prefix, int coreThreads, int maxThreads, long keepAliveSeconds) {
        if (coreThreads < 0 || maxThreads < 1 || coreThreads > maxThreads) {
            throw new IllegalArgumentException("need 0 <= coreThreads <= maxThreads, maxThreads >= 1; was "
                    + coreThreads + ", " + maxThreads);
        }
        this.prefix = prefix;
        this.coreThreads = coreThreads;
        this.maxThreads = maxThreads;
        this.keepAliveNanos = TimeUnit.SECONDS.toNanos(keepAliveSeconds);
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException(prefix + " is shut down");
        }
        if (queue.tryTransfer(task)) {
            return; // a waiting worker took it
        }
        queue.offer(task);
        // nobody was waiting: every worker is running a task (or none exists yet)
        for (int w = workers.get(); w < maxThreads; w = workers.get()) {
            if (workers.compareAndSet(w, w + 1)) {
                start();
                return;
            }
        }
    }

    /** Workers alive now. */
    public int threads() {
        return workers.get();
    }

    /** Lets the workers finish the queued tasks and end; later tasks are refused. */
    public void shutdown() {
        shutdown = true;
        for (int i = workers.get(); i > 0; i--) {
            queue.offer(NOOP);
        }
    }

    private static final Runnable NOOP = () -> { };

    private void start() {
        Thread t = new Thread(this::work, prefix + "-" + ids.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    private void work() {
        for (;;) {
            Runnable task;
            try {
                task = queue.poll(keepAliveNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                task = null;
            }
            if (task == null || shutdown) {
                if (retire()) {
                    return;
                }
                continue;
            }
            try {
                task.run();
            } catch (Throwable t) {
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), t);
            }
        }
    }

    /** An idle worker ends, unless it is one of the core ones or work arrived meanwhile. */
    private boolean retire() {
        for (;;) {
            int w = workers.get();
            if (!shutdown && w <= coreThreads) {
                return false;
            }
            if (workers.compareAndSet(w, w - 1)) {
                if (!shutdown && !queue.isEmpty() && workers.compareAndSet(w - 1, w)) {
                    return false; // a task was queued as we left: stay for it
                }
                return true;
            }
        }
    }
}
