package io.fileflux.reactor;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Where a publisher's I/O runs and where its signals are delivered: the {@link FileEngine} (default
 * {@link Engines#shared()}) and the delivery scheduler (default {@link Delivery#defaultScheduler()}). The
 * one value that {@link ReadOptions}, {@link WriteOptions} and {@link io.fileflux.reactor.tail.TailOptions}
 * share: their {@code engine(..)} and {@code deliverOn(..)} methods set it, {@code execution(..)} sets it
 * whole, so one value can configure every kind of publisher alike.
 *
 * <pre>{@code
 * ExecutionOptions onLoop = ExecutionOptions.defaults().engine("io_uring").deliverOn(Schedulers.single());
 * FileFlux.read(path, ReadOptions.defaults().execution(onLoop));
 * }</pre>
 *
 * <p>Immutable and thread-safe. It does not own the engine or the scheduler: whoever made them closes
 * them (shared engines are never closed).
 */
public final class ExecutionOptions {

    private static final ExecutionOptions DEFAULTS = new ExecutionOptions(null, null);

    private final @Nullable FileEngine engine;
    private final @Nullable Scheduler deliverOn;

    private ExecutionOptions(@Nullable FileEngine engine, @Nullable Scheduler deliverOn) {
        this.engine = engine;
        this.deliverOn = deliverOn;
    }

    /** The default engine and the default delivery scheduler. */
    public static ExecutionOptions defaults() {
        return DEFAULTS;
    }

    /** I/O through this engine instead of the default one. */
    public ExecutionOptions engine(FileEngine engine) {
        Objects.requireNonNull(engine, "engine");
        return new ExecutionOptions(engine, deliverOn);
    }

    /**
     * I/O through the shared engine of that name ({@code nio}, {@code io_uring}, {@code iocp}).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    if that engine is unavailable here
     */
    public ExecutionOptions engine(String name) {
        return engine(Engines.shared(name));
    }

    /**
     * Runs the subscriber's code ({@code onNext}, {@code onComplete}, {@code onError}) of a subscription woken
     * by the engine, a watcher or a timer on {@code scheduler} instead of {@link Delivery#defaultScheduler()}.
     * The engine's thread never runs it; one task at a time per subscription. A scheduler with few threads
     * lets a subscriber that blocks delay the others that share it.
     */
    public ExecutionOptions deliverOn(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler");
        return new ExecutionOptions(engine, scheduler);
    }

    /** The engine given, or null for the default one. */
    public @Nullable FileEngine engine() {
        return engine;
    }

    /** The scheduler given to {@link #deliverOn}, or null for {@link Delivery#defaultScheduler()}. */
    public @Nullable Scheduler deliverOn() {
        return deliverOn;
    }

    /** The engine given, else {@link Engines#shared()}. */
    public FileEngine engineOrDefault() {
        return engine != null ? engine : Engines.shared();
    }

    /** The scheduler given, else {@link Delivery#defaultScheduler()}. */
    public Scheduler deliverOnOrDefault() {
        return deliverOn != null ? deliverOn : Delivery.defaultScheduler();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ExecutionOptions e && e.engine == engine && e.deliverOn == deliverOn;
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(engine), System.identityHashCode(deliverOn));
    }

    @Override
    public String toString() {
        return "engine=" + (engine == null ? "default" : engine.name())
                + (deliverOn == null ? "" : ", deliverOn=" + deliverOn);
    }
}
