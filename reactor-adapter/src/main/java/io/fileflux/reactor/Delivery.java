package io.fileflux.reactor;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where Fileflux publishers run their subscribers' code. An engine's completion thread only records
 * results; every {@code onNext}, {@code onComplete}, {@code onError}, mapper, line consumer and buffer
 * release of a subscription runs inside that subscription's drain, and a drain woken by a completion runs
 * as one task on the delivery scheduler — one task at a time per subscription, never two threads in one
 * drain. (A drain woken by the subscriber's own {@code request} or {@code cancel} runs on the calling
 * thread, as in Reactor's operators.)
 *
 * <p>The default, {@link #defaultScheduler()}, is a bounded-elastic scheduler of Fileflux's own, so a
 * subscriber that blocks in {@code onNext} holds one of its threads and delays only its own subscription,
 * and application work on Reactor's shared {@code boundedElastic()} cannot delay file delivery. Choose
 * another with {@code ReadOptions.deliverOn}, {@code WriteOptions.deliverOn} or
 * {@code TailOptions.deliverOn}.
 *
 * <p>Threading: thread-safe; the default scheduler is created on first use and lives as long as the JVM
 * (its threads are daemons that end after a minute idle).
 */
public final class Delivery {

    /** Thread name prefix of the default delivery scheduler. */
    public static final String THREAD_PREFIX = "fileflux-delivery";

    private Delivery() {
    }

    private static final class Holder {
        static final Scheduler DEFAULT = Schedulers.newBoundedElastic(
                Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
                Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE,
                THREAD_PREFIX, 60, true);
    }

    /**
     * Fileflux's default delivery scheduler: daemon threads named {@value #THREAD_PREFIX}, at most
     * {@link Schedulers#DEFAULT_BOUNDED_ELASTIC_SIZE} of them (ten per core), created as needed and
     * retired after 60 s idle. Do not dispose it.
     */
    public static Scheduler defaultScheduler() {
        return Holder.DEFAULT;
    }

    /** {@code scheduler}, or the default one for null. */
    static Scheduler orDefault(Scheduler scheduler) {
        return scheduler != null ? scheduler : defaultScheduler();
    }
}
