package io.fileflux.micrometer;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineStats;
import io.fileflux.core.FileEngine;
import io.fileflux.core.IoErrorKind;
import io.fileflux.reactor.tail.TailEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Micrometer meters of one Fileflux engine, of the {@link BufferPool}s and of the tails registered with
 * it: a {@link MeterBinder}, so that Spring Boot (or any code) binds it to a registry.
 *
 * <pre>{@code
 * FilefluxMetrics metrics = new FilefluxMetrics(Engines.shared()).pool("reads", pool);
 * metrics.bindTo(registry);
 * TailMetrics app = metrics.tail("app", Path.of("/var/log/app.log"));
 * FileFlux.tail(path, TailOptions.defaults().onEvent(app.listener())).doOnNext(app::progress)...
 * }</pre>
 *
 * <p>Meters (every one tagged {@code engine} with the engine's name, plus the common tags given):
 * <ul>
 *   <li>{@code fileflux.engine.ops.inflight} (gauge), {@code fileflux.engine.devices.open} (gauge),
 *       {@code fileflux.engine.ops} (counter of operations submitted), {@code fileflux.engine.ops.cancelled},
 *       {@code fileflux.engine.io} (bytes transferred, tag {@code op} = {@code read} / {@code write}),
 *       {@code fileflux.engine.errors} (failed operations, tag {@code kind}: one of {@link IoErrorKind}
 *       in lower case);</li>
 *   <li>per pool (tag {@code pool}): {@code fileflux.pool.buffers.outstanding},
 *       {@code fileflux.pool.buffers.capacity} (gauges), {@code fileflux.pool.buffers.allocated},
 *       {@code fileflux.pool.buffers.leaked} (counters);</li>
 *   <li>per tail (tag {@code tail}): {@code fileflux.tail.lag} (gauge, bytes behind the end of the
 *       file), {@code fileflux.tail.events} (counter, tag {@code kind}: {@code rotated}, {@code skipped},
 *       ... one per {@link TailEvent.Kind}), {@code fileflux.tail.skipped.bytes} (bytes of skipped files
 *       never read).</li>
 * </ul>
 * Counters and gauges read live values when the registry asks: nothing is updated per operation
 * beyond the engine's own counters, and no meter runs on an engine thread.
 *
 * <p>Threading: thread-safe. Pools and tails may be added before or after {@link #bindTo}; they join
 * every registry this binder is bound to. {@link TailMetrics#close()} removes a tail's meters.
 */
public final class FilefluxMetrics implements MeterBinder {

    private final FileEngine engine;
    private final Tags tags;
    /** Guarded by this. */
    private final List<MeterRegistry> registries = new ArrayList<>();
    /** Guarded by this. */
    private final Map<String, BufferPool> pools = new LinkedHashMap<>();
    /** Guarded by this. */
    private final Map<String, TailMetrics> tails = new LinkedHashMap<>();

    /** Meters of {@code engine}, tagged with its name. */
    public FilefluxMetrics(FileEngine engine) {
        this(engine, Tags.empty());
    }

    /** Meters of {@code engine}, tagged with its name and with {@code tags}. */
    public FilefluxMetrics(FileEngine engine, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("engine", engine.name());
    }

    /** The engine measured. */
    public FileEngine engine() {
        return engine;
    }

    /**
     * Adds the gauges and counters of {@code pool}, tagged {@code pool=name}, to every registry bound now
     * or later.
     *
     * @return this
     * @throws IllegalArgumentException if a pool of that name was added already
     */
    public FilefluxMetrics pool(String name, BufferPool pool) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pool, "pool");
        List<MeterRegistry> bound;
        synchronized (this) {
            if (pools.putIfAbsent(name, pool) != null) {
                throw new IllegalArgumentException("a pool named '" + name + "' is measured already");
            }
            bound = List.copyOf(registries);
        }
        for (MeterRegistry r : bound) {
            bindPool(r, name, pool);
        }
        return this;
    }

    /**
     * The meters of a tail named {@code name} following {@code path}: event counters (feed them
     * {@link TailMetrics#listener()} through {@code TailOptions.onEvent}) and a lag gauge (feed it the
     * items read, {@link TailMetrics#progress}). Close it when the tail ends.
     *
     * @param path the followed path, looked at when the lag is read; null for counters without a lag
     * @throws IllegalArgumentException if a tail of that name is measured already
     */
    public TailMetrics tail(String name, Path path) {
        Objects.requireNonNull(name, "name");
        TailMetrics tail;
        List<MeterRegistry> bound;
        synchronized (this) {
            if (tails.containsKey(name)) {
                throw new IllegalArgumentException("a tail named '" + name + "' is measured already");
            }
            tail = new TailMetrics(this, name, path);
            tails.put(name, tail);
            bound = List.copyOf(registries);
        }
        for (MeterRegistry r : bound) {
            tail.bindTo(r, tags);
        }
        return tail;
    }

    /**
     * Counters of a tail's events only ({@code fileflux.tail.events}, {@code fileflux.tail.skipped.bytes},
     * tag {@code tail=name}), as a listener for {@code TailOptions.onEvent}. Shorthand for
     * {@code tail(name, null).listener()}.
     */
    public Consumer<TailEvent> tailListener(String name) {
        return tail(name, null).listener();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Map<String, BufferPool> poolsNow;
        List<TailMetrics> tailsNow;
        synchronized (this) {
            registries.add(registry);
            poolsNow = new LinkedHashMap<>(pools);
            tailsNow = new ArrayList<>(tails.values());
        }
        bindEngine(registry);
        poolsNow.forEach((name, pool) -> bindPool(registry, name, pool));
        for (TailMetrics t : tailsNow) {
            t.bindTo(registry, tags);
        }
    }

    /** Forgets a closed tail (its meters are removed by the tail). */
    synchronized void removed(TailMetrics tail) {
        tails.remove(tail.name(), tail);
    }

    synchronized List<MeterRegistry> registries() {
        return List.copyOf(registries);
    }

    private void bindEngine(MeterRegistry registry) {
        EngineStats stats = engine.stats();
        Gauge.builder("fileflux.engine.ops.inflight", stats, EngineStats::inFlight)
                .description("Operations submitted to the kernel whose completion has not been handled yet")
                .baseUnit("operations").tags(tags).strongReference(true).register(registry);
        Gauge.builder("fileflux.engine.devices.open", stats, EngineStats::openDevices)
                .description("Files the engine has open").baseUnit("files").tags(tags).strongReference(true)
                .register(registry);
        FunctionCounter.builder("fileflux.engine.ops", stats, EngineStats::submitted)
                .description("Operations submitted (reads, writes, syncs)").baseUnit("operations").tags(tags)
                .register(registry);
        FunctionCounter.builder("fileflux.engine.ops.cancelled", stats, EngineStats::cancelled)
                .description("Operations that ended cancelled").baseUnit("operations").tags(tags)
                .register(registry);
        FunctionCounter.builder("fileflux.engine.io", stats, EngineStats::bytesRead)
                .description("Bytes transferred by completed operations").baseUnit(BaseUnits.BYTES)
                .tags(tags).tag("op", "read").register(registry);
        FunctionCounter.builder("fileflux.engine.io", stats, EngineStats::bytesWritten)
                .description("Bytes transferred by completed operations").baseUnit(BaseUnits.BYTES)
                .tags(tags).tag("op", "write").register(registry);
        for (IoErrorKind kind : IoErrorKind.values()) {
            FunctionCounter.builder("fileflux.engine.errors", stats, s -> s.errors(kind))
                    .description("Operations that failed, by kind of error").baseUnit("operations").tags(tags)
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    private void bindPool(MeterRegistry registry, String name, BufferPool pool) {
        Tags t = tags.and("pool", name);
        Gauge.builder("fileflux.pool.buffers.outstanding", pool, BufferPool::outstanding)
                .description("Pool buffers lent and not released").baseUnit("buffers").tags(t)
                .strongReference(true).register(registry);
        Gauge.builder("fileflux.pool.buffers.capacity", pool, BufferPool::capacity)
                .description("Pool buffers that may be lent at once").baseUnit("buffers").tags(t)
                .strongReference(true).register(registry);
        FunctionCounter.builder("fileflux.pool.buffers.allocated", pool, BufferPool::allocated)
                .description("Buffers the pool has allocated").baseUnit("buffers").tags(t).register(registry);
        FunctionCounter.builder("fileflux.pool.buffers.leaked", pool, BufferPool::leaked)
                .description("Lent buffers found unreachable without a release").baseUnit("buffers").tags(t)
                .register(registry);
    }

    /** Removes {@code meters} from {@code registry}. */
    static void remove(MeterRegistry registry, List<Meter> meters) {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }

    @Override
    public String toString() {
        return "FilefluxMetrics[" + engine.name() + "]";
    }
}
