package io.fileflux.reactor;

import io.fileflux.reactor.internal.DeliveryPool;
import java.util.concurrent.Executor;
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
 * <p>The default, {@link #defaultExecutor()}, is an elastic pool of Fileflux's own: a subscriber that
 * blocks in {@code onNext} holds one of its threads and delays only its own subscription (another thread
 * starts while all are busy), and application work on Reactor's shared {@code boundedElastic()} cannot
 * delay file delivery. Choose another with {@code ReadOptions.deliverOn}, {@code WriteOptions.deliverOn}
 * or {@code TailOptions.deliverOn} (a connection's event loop, say, so that chunks reach it in order
 * with its writes).
 *
 * <p>Threading: thread-safe; the default pool is created on first use and lives as long as the JVM (its
 * threads are daemons; those beyond one per core end after a minute idle).
 */
public final class Delivery {

    /** Thread name prefix of the default delivery scheduler. */
    public static final String THREAD_PREFIX = "fileflux-delivery";

    private Delivery() {
    }

    private static final class Holder {
        static final DeliveryPool POOL = new DeliveryPool(THREAD_PREFIX,
                Runtime.getRuntime().availableProcessors(),
                Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE, 60);
        static final Scheduler SCHEDULER = Schedulers.fromExecutor(POOL);
    }

    /** The default delivery pool as a Reactor {@link Scheduler}, for {@code publishOn} and the like. */
    public static Scheduler defaultScheduler() {
        return Holder.SCHEDULER;
    }

    /**
     * The threads that run drains by default: daemon threads named {@value #THREAD_PREFIX}-N, one per core
     * kept, more started while all are busy (held by subscribers that block), at most
     * {@link Schedulers#DEFAULT_BOUNDED_ELASTIC_SIZE} (ten per core); the extra ones end after 60 s idle.
     */
    public static Executor defaultExecutor() {
        return Holder.POOL;
    }
}
