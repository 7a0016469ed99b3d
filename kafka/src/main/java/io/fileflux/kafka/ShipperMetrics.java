package io.fileflux.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Micrometer {@link MeterBinder} for one shipper's {@link ShipperStats}: lines and bytes shipped,
 * records and bytes in flight, send errors, rejected records, broker latency, and the lag in bytes of
 * each file shipped from. Every meter is tagged {@code shipper} = the name given.
 *
 * <pre>{@code
 * new ShipperMetrics(shipper.stats(), "app-logs").bindTo(meterRegistry);
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>extra tags</th><th>what</th></tr>
 * <tr><td>{@code fileflux.kafka.lines.shipped}</td><td>counter</td><td></td><td>lines the broker acknowledged</td></tr>
 * <tr><td>{@code fileflux.kafka.bytes.shipped}</td><td>counter</td><td></td><td>bytes of those lines</td></tr>
 * <tr><td>{@code fileflux.kafka.records.inflight}</td><td>gauge</td><td></td><td>records taken and not finished</td></tr>
 * <tr><td>{@code fileflux.kafka.bytes.inflight}</td><td>gauge</td><td></td><td>their bytes</td></tr>
 * <tr><td>{@code fileflux.kafka.send.errors}</td><td>counter</td><td></td><td>sends failed with a retriable error (retried)</td></tr>
 * <tr><td>{@code fileflux.kafka.records.rejected}</td><td>counter</td><td></td><td>records Kafka rejected for good</td></tr>
 * <tr><td>{@code fileflux.kafka.latency}</td><td>function timer</td><td></td><td>send to acknowledgement, per line shipped</td></tr>
 * <tr><td>{@code fileflux.kafka.lag}</td><td>gauge</td><td>{@code file}</td><td>bytes of the file not acknowledged yet</td></tr>
 * </table>
 *
 * <p>The lag gauges appear as the first line of each file is finished, one per path ever shipped from
 * (a path that names no file any more reads 0); reading one looks at the file's size on the thread
 * that reads the registry. The meters hold the stats strongly. Threading: {@link #bindTo} may be called
 * from any thread, once per registry. Needs {@code micrometer-core} on the class path (an optional
 * dependency of this module).
 */
public final class ShipperMetrics implements MeterBinder {

    private final ShipperStats stats;
    private final Tags tags;

    /** Meters of {@code stats}, tagged {@code shipper} = {@code name}. */
    public ShipperMetrics(ShipperStats stats, String name) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.tags = Tags.of(Tag.of("shipper", Objects.requireNonNull(name, "name")));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FunctionCounter.builder("fileflux.kafka.lines.shipped", stats, ShipperStats::linesShipped).tags(tags)
                .baseUnit("lines").description("lines the broker acknowledged").register(registry);
        FunctionCounter.builder("fileflux.kafka.bytes.shipped", stats, ShipperStats::bytesShipped).tags(tags)
                .baseUnit("bytes").description("bytes of the lines the broker acknowledged").register(registry);
        Gauge.builder("fileflux.kafka.records.inflight", stats, ShipperStats::recordsInFlight).tags(tags)
                .baseUnit("records").description("records taken from the files and not finished yet")
                .register(registry);
        Gauge.builder("fileflux.kafka.bytes.inflight", stats, ShipperStats::bytesInFlight).tags(tags)
                .baseUnit("bytes").description("bytes of the records in flight").register(registry);
        FunctionCounter.builder("fileflux.kafka.send.errors", stats, ShipperStats::sendErrors).tags(tags)
                .baseUnit("sends").description("sends that failed with a retriable error and were retried")
                .register(registry);
        FunctionCounter.builder("fileflux.kafka.records.rejected", stats, ShipperStats::rejected).tags(tags)
                .baseUnit("records").description("records Kafka rejected for good").register(registry);
        FunctionTimer.builder("fileflux.kafka.latency", stats, ShipperStats::linesShipped,
                        ShipperStats::latencyNanosTotal, TimeUnit.NANOSECONDS).tags(tags)
                .description("broker latency (send to acknowledgement) of the lines shipped").register(registry);
        stats.onNewFile(path -> lag(registry, path));
    }

    private void lag(MeterRegistry registry, Path path) {
        Gauge.builder("fileflux.kafka.lag", stats, s -> s.bytesBehind(path)).tags(tags).tag("file", path.toString())
                .baseUnit("bytes").description("bytes of the file not acknowledged by the broker yet")
                .register(registry);
    }
}
