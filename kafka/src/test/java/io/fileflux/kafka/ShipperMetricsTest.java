package io.fileflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** {@link ShipperMetrics}' values after known work, shipped through kafka-clients' {@link MockProducer}. */
class ShipperMetricsTest {

    @TempDir
    Path dir;

    /** Line {@code n} of a file of lines "l0\n", "l1\n"...: 3 bytes each up to l9. */
    private static SourceLine line(Path file, String identity, int n) {
        byte[] v = ("l" + n).getBytes(StandardCharsets.US_ASCII);
        return new SourceLine(file, identity, n * 3L, n * 3L + 3, v, () -> { });
    }

    private static String identity(Path file) throws Exception {
        return "1:" + Long.toUnsignedString((Long) Files.getAttribute(file, "unix:ino"));
    }

    @Test
    void theMetersReadTheShippersCountersGaugesAndPerFileLag() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "l0\nl1\nl2\nl3\n"); // 4 lines, 3 shipped: 3 bytes behind
        Path b = Files.writeString(dir.resolve("b.log"), "l0\nl1\n"); // both shipped: 0 behind
        MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        mock.sendException = new TimeoutException("broker away"); // the first send fails (retriable), then works
        KafkaShipper shipper = KafkaShipper.create(mock, ShipperOptions.toTopic("t")
                .retryBackoff(java.time.Duration.ofMillis(1)).onEvent(e -> mock.sendException = null));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ShipperMetrics(shipper.stats(), "test").bindTo(registry);

        String ia = identity(a);
        String ib = identity(b);
        shipper.ship(Flux.just(line(a, ia, 0), line(a, ia, 1), line(b, ib, 0), line(a, ia, 2), line(b, ib, 1)))
                .block(java.time.Duration.ofSeconds(60));

        assertEquals(5, registry.get("fileflux.kafka.lines.shipped").tag("shipper", "test").functionCounter().count());
        assertEquals(10, registry.get("fileflux.kafka.bytes.shipped").functionCounter().count(), "5 values of 2 bytes");
        assertEquals(0, registry.get("fileflux.kafka.records.inflight").gauge().value());
        assertEquals(0, registry.get("fileflux.kafka.bytes.inflight").gauge().value());
        assertEquals(1, registry.get("fileflux.kafka.send.errors").functionCounter().count(), "one retried send");
        assertEquals(0, registry.get("fileflux.kafka.records.rejected").functionCounter().count());
        FunctionTimer latency = registry.get("fileflux.kafka.latency").functionTimer();
        assertEquals(5, latency.count());
        assertEquals(shipper.stats().latencyNanosTotal(), latency.totalTime(TimeUnit.NANOSECONDS), 1.0);
        assertEquals(3, registry.get("fileflux.kafka.lag").tag("file", a.toString()).gauge().value(), "l3 behind in a");
        assertEquals(0, registry.get("fileflux.kafka.lag").tag("file", b.toString()).gauge().value());
        assertEquals(2, registry.find("fileflux.kafka.lag").gauges().size(), "one lag gauge per file");

        Files.writeString(b, "l2\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(3, registry.get("fileflux.kafka.lag").tag("file", b.toString()).gauge().value(),
                "the lag follows the file's size");
        assertTrue(registry.getMeters().stream().allMatch(m -> "test".equals(m.getId().getTag("shipper"))));
    }
}
