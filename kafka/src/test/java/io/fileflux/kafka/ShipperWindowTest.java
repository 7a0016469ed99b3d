package io.fileflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.kafka.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The shipper's window, acknowledgements and retry order, with kafka-clients' {@link MockProducer}
 * completing sends when the test says so (the real-broker behaviour is in the other tests).
 */
class ShipperWindowTest {

    static final Path FILE = Path.of("/logs/app.log");

    /** {@code n} lines "0".."n-1", each acknowledging into {@code acks[i]}, counting what the source emitted. */
    static Flux<SourceLine> lines(int n, AtomicIntegerArray acks, AtomicInteger emitted) {
        return Flux.range(0, n).map(i -> {
            byte[] v = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
            return new SourceLine(FILE, "1:2", i * 10L, i * 10L + 10, v, () -> acks.incrementAndGet(i));
        }).doOnNext(l -> emitted.incrementAndGet());
    }

    static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void noMoreLinesAreTakenThanTheWindowAndALineIsAcknowledgedOnlyWhenItsSendCompletes() throws Exception {
        MockProducer<byte[], byte[]> mock = producer(false);
        AtomicIntegerArray acks = new AtomicIntegerArray(1000);
        AtomicInteger emitted = new AtomicInteger();
        KafkaShipper shipper = KafkaShipper.create(mock, ShipperOptions.toTopic("t").maxInFlight(100));
        Disposable d = shipper.ship(lines(1000, acks, emitted)).subscribe();
        try {
            Await.until(() -> mock.history().size() == 100, () -> "the window sent: " + mock.history().size());
            assertEquals(100, emitted.get(), "lines taken from the source");
            assertEquals(100, shipper.stats().recordsInFlight());
            for (int i = 0; i < 1000; i++) {
                assertEquals(0, acks.get(i), "no line acknowledged before its send completed");
            }
            assertTrue(mock.completeNext());
            assertEquals(1, acks.get(0));
            Await.until(() -> mock.history().size() == 101, () -> "one more line after one completion");
            assertEquals(101, emitted.get());
            while (shipper.stats().linesShipped() < 1000) {
                Await.until(() -> mock.completeNext() || shipper.stats().linesShipped() == 1000, () -> "sends");
            }
            assertTrue(shipper.stats().peakRecordsInFlight() <= 100);
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, acks.get(i), "line " + i + " acknowledged once");
                assertEquals(Integer.toString(i), new String(mock.history().get(i).value(), StandardCharsets.US_ASCII));
            }
        } finally {
            d.dispose();
        }
    }

    @Test
    void aSendThatTimesOutIsRetriedBeforeAnyLaterLineAndTheSourceWaits() throws Exception {
        MockProducer<byte[], byte[]> mock = producer(true);
        mock.sendException = new TimeoutException("Topic t not present in metadata after 60000 ms.");
        AtomicIntegerArray acks = new AtomicIntegerArray(500);
        AtomicInteger emitted = new AtomicInteger();
        List<ShipEvent> events = new CopyOnWriteArrayList<>();
        KafkaShipper shipper = KafkaShipper.create(mock, ShipperOptions.toTopic("t").maxInFlight(40)
                .retryBackoff(java.time.Duration.ofMillis(1)).onEvent(events::add));
        Disposable d = shipper.ship(lines(500, acks, emitted)).subscribe();
        try {
            Await.until(() -> events.size() >= 3, events::toString);
            assertTrue(events.stream().allMatch(e -> e.kind() == ShipEvent.Kind.RETRYING && e.offset() == 0),
                    "the first line, again and again: " + events);
            assertTrue(emitted.get() <= 40, "lines taken while sends fail: " + emitted.get());
            mock.sendException = null;
            Await.until(() -> shipper.stats().linesShipped() == 500, shipper.stats()::toString);
            for (int i = 0; i < 500; i++) {
                assertEquals(1, acks.get(i));
                assertEquals(Integer.toString(i), new String(mock.history().get(i).value(), StandardCharsets.US_ASCII),
                        "in order");
            }
            assertTrue(shipper.stats().sendErrors() >= 3);
        } finally {
            d.dispose();
        }
    }

    @Test
    void recordsCarryTheKeyAndHeadersAndTheRouterPicksTheTopic() {
        MockProducer<byte[], byte[]> mock = producer(true);
        AtomicIntegerArray acks = new AtomicIntegerArray(3);
        KafkaShipper shipper = KafkaShipper.create(mock,
                ShipperOptions.routed(p -> p.getFileName().toString().replace('.', '-')));
        shipper.ship(lines(3, acks, new AtomicInteger())).block(java.time.Duration.ofSeconds(60));
        assertEquals(3, mock.history().size());
        var r = mock.history().get(2);
        assertEquals("app-log", r.topic());
        assertEquals(FILE.toString(), new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(FILE.toString(), new String(r.headers().lastHeader(KafkaShipper.HEADER_PATH).value(), StandardCharsets.UTF_8));
        assertEquals("1:2", new String(r.headers().lastHeader(KafkaShipper.HEADER_IDENTITY).value(), StandardCharsets.UTF_8));
        assertEquals("20", new String(r.headers().lastHeader(KafkaShipper.HEADER_OFFSET).value(), StandardCharsets.UTF_8));
        assertEquals(30, shipper.stats().files().get(FILE).end());
    }

    @Test
    void badOptionsAreRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> ShipperOptions.toTopic("a b"));
        assertThrows(IllegalArgumentException.class, () -> ShipperOptions.toTopic(""));
        assertThrows(IllegalArgumentException.class, () -> ShipperOptions.toTopic("t").maxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> ShipperOptions.toTopic("t").maxBytesInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> ShipperOptions.toTopic("t").retryBackoff(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new SourceLine(FILE, "", -2, 0, new byte[0], () -> { }));
    }
}
