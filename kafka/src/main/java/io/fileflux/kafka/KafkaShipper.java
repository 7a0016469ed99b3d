package io.fileflux.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Ships lines read from files into Kafka, one record per line, and acknowledges each line to its
 * source (the tail's checkpointer) only from the producer's completion callback, once the broker has
 * acknowledged the record. The committed checkpoint therefore never passes a line Kafka does not have:
 * after a crash of the shipper, a restart from the checkpoint sends again only lines that were not
 * acknowledged (at-least-once).
 *
 * <pre>{@code
 * Checkpointer acks = Checkpointer.to(CheckpointStore.file(Path.of("app.ckpt")), Duration.ofSeconds(1));
 * try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig("localhost:9092"),
 *                                                 ShipperOptions.toTopic("logs"))) {
 *     shipper.ship(SourceLines.tail(Path.of("/var/log/app.log"), TailOptions.defaults().checkpointer(acks)))
 *            .block();
 * }
 * }</pre>
 *
 * <p>Backpressure: at most {@link ShipperOptions#maxInFlight()} lines are taken from the source and not
 * yet acknowledged; while the broker is slow or unreachable no more are requested, so the file reads
 * wait, memory stays bounded and nothing is dropped. With {@link #producerConfig(String)}'s defaults the
 * producer retries an unreachable broker for ever ({@code delivery.timeout.ms} unbounded), keeping order
 * (idempotence); a send that fails anyway with a retriable error is sent again by the shipper.
 *
 * <p>Records: the value is the line's bytes (no terminator); the key is {@link ShipperOptions#key} (the
 * path by default, so a file's lines share a partition and stay in order); headers
 * {@value #HEADER_PATH}, {@value #HEADER_IDENTITY} and {@value #HEADER_OFFSET} (decimal) say where the
 * line comes from, so a consumer can drop the duplicates a crash re-sends.
 *
 * <p>Threads: each {@link #ship} subscription sends on a thread of its own ({@code send()} may block up
 * to {@code max.block.ms}); the source's threads only hand lines over. Acknowledgements run on the
 * producer's network thread. Ownership: a shipper built from a configuration owns its producer and closes
 * it in {@link #close()}; one given a producer leaves it to the caller. One shipper may run several
 * {@code ship} subscriptions at once; they share the producer and the {@link #stats()}.
 */
public final class KafkaShipper implements AutoCloseable {

    /** Header with the line's file path (UTF-8). */
    public static final String HEADER_PATH = "fileflux.path";
    /** Header with the file's identity ({@code VOLUME:INDEX}, ASCII). */
    public static final String HEADER_IDENTITY = "fileflux.identity";
    /** Header with the line's start offset in the file (decimal ASCII). */
    public static final String HEADER_OFFSET = "fileflux.offset";

    /** How long {@link #close()} waits for the records in flight of an owned producer. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<byte[], byte[]> producer;
    private final boolean ownsProducer;
    private final ShipperOptions options;
    private final ShipperStats stats = new ShipperStats();

    private KafkaShipper(Producer<byte[], byte[]> producer, boolean ownsProducer, ShipperOptions options) {
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.options = options;
    }

    /**
     * A shipper sending with {@code producer}, which stays the caller's (closing the shipper does not close
     * it). Configure it with {@code enable.idempotence=true} and {@code acks=all} (see
     * {@link #producerConfig(String)}) or duplicates and losses on broker failures become possible.
     */
    public static KafkaShipper create(Producer<byte[], byte[]> producer, ShipperOptions options) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(options, "options");
        return new KafkaShipper(producer, false, options);
    }

    /**
     * A shipper with a producer of its own, built from {@code config} laid over
     * {@link #producerConfig(String)}'s defaults (so give at least {@code bootstrap.servers}); closed by
     * {@link #close()}.
     *
     * @throws org.apache.kafka.common.KafkaException if the producer cannot be built from the configuration
     */
    public static KafkaShipper create(Map<String, ?> config, ShipperOptions options) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        Map<String, Object> all = producerConfig(null);
        all.putAll(config);
        return new KafkaShipper(new KafkaProducer<>(all), true, options);
    }

    /**
     * The producer settings the shipper's guarantees rest on, for {@code bootstrapServers} (left out
     * if null): {@code enable.idempotence=true} and {@code acks=all} (no duplicate from the producer's own
     * retries, no acknowledgement before the in-sync replicas have the record),
     * {@code delivery.timeout.ms} = {@link Integer#MAX_VALUE} (an unreachable broker is retried for ever
     * instead of failing records: the tail just waits), byte-array serializers. A new mutable map.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        Map<String, Object> c = new HashMap<>();
        if (bootstrapServers != null) {
            c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "fileflux-shipper");
        return c;
    }

    /**
     * Ships every line of {@code lines}: subscribing starts it; the result completes once the source has
     * completed and every line taken is acknowledged (or skipped, as the rejection policy says). It fails
     * with a {@link RecordRejectedException} when a record is rejected for good under
     * {@link RejectionPolicy#FAIL} (or the producer fails for every record), with the source's error
     * once the lines before it are finished, or with the exception an acknowledgement threw (a
     * checkpoint that could not be saved). Cancelling it stops taking and sending lines; lines already
     * sent are still acknowledged when the broker confirms them, the others are not (a restart sends them).
     */
    public Mono<Void> ship(Publisher<SourceLine> lines) {
        Objects.requireNonNull(lines, "lines");
        return Mono.create(sink -> {
            ShipSubscription s = new ShipSubscription(producer, options, stats, sink);
            sink.onCancel(s::cancel);
            lines.subscribe(s);
        });
    }

    /** The shipper's counters and gauges, shared by all its {@code ship} subscriptions. */
    public ShipperStats stats() {
        return stats;
    }

    /** The options lines are shipped with. */
    public ShipperOptions options() {
        return options;
    }

    /**
     * Closes an owned producer, waiting up to 30 s for the records in flight (whose lines are then
     * acknowledged); a producer given to {@link #create(Producer, ShipperOptions)} is left open.
     */
    @Override
    public void close() {
        if (ownsProducer) {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return "KafkaShipper[" + options + ", " + stats + "]";
    }
}
