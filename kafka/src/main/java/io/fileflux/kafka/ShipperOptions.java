package io.fileflux.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How a {@link KafkaShipper} ships lines: the topic of each file, the key of each record, how many
 * records (and bytes) may be in flight, and what happens to a record Kafka rejects. Immutable; every
 * setter returns a new instance and checks its argument at once.
 *
 * <pre>{@code
 * ShipperOptions opts = ShipperOptions.toTopic("logs")
 *         .maxInFlight(2048)
 *         .onRejected(RejectionPolicy.SKIP)
 *         .onEvent(e -> log.warn("{}", e));
 * }</pre>
 *
 * <p>The router, key function and event listener run on the shipper's send thread (router, key) or on
 * the producer's network thread (events of a completed send): they must be quick and must not block.
 */
public final class ShipperOptions {

    /** Default bound on records in flight (read from the file and not yet acknowledged by the broker). */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** Default bound on the bytes of the records in flight: 8 MiB. */
    public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 8L << 20;
    /** Default first back-off before a failed send is retried (doubling up to {@link #MAX_RETRY_BACKOFF}). */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
    /** The longest back-off between retries of a failed send. */
    public static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(5);

    private static final Function<SourceLine, byte[]> PATH_KEY =
            line -> line.path().toString().getBytes(StandardCharsets.UTF_8);

    private final Function<Path, String> topicRouter;
    private final Function<SourceLine, byte[]> key;
    private final int maxInFlight;
    private final long maxBytesInFlight;
    private final RejectionPolicy rejection;
    private final Consumer<ShipEvent> onEvent;
    private final Duration retryBackoff;

    private ShipperOptions(Function<Path, String> topicRouter, Function<SourceLine, byte[]> key, int maxInFlight,
                           long maxBytesInFlight, RejectionPolicy rejection, Consumer<ShipEvent> onEvent,
                           Duration retryBackoff) {
        this.topicRouter = topicRouter;
        this.key = key;
        this.maxInFlight = maxInFlight;
        this.maxBytesInFlight = maxBytesInFlight;
        this.rejection = rejection;
        this.onEvent = onEvent;
        this.retryBackoff = retryBackoff;
    }

    /** Every file to {@code topic}; the defaults for everything else. */
    public static ShipperOptions toTopic(String topic) {
        requireTopic(topic);
        return routed(path -> topic);
    }

    /**
     * Each file to the topic {@code router} names for its path (called once per line; return the same
     * topic for a path every time to keep a file's lines in order). Defaults: the path (UTF-8) as the key,
     * {@value #DEFAULT_MAX_IN_FLIGHT} records and 8 MiB in flight, {@link RejectionPolicy#FAIL}.
     */
    public static ShipperOptions routed(Function<Path, String> router) {
        Objects.requireNonNull(router, "router");
        return new ShipperOptions(router, PATH_KEY, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_BYTES_IN_FLIGHT,
                RejectionPolicy.FAIL, e -> { }, DEFAULT_RETRY_BACKOFF);
    }

    /**
     * The record key of a line (null: no key, records spread over the partitions and a file's lines lose
     * their order). Default: the path as UTF-8, so a file's lines share a partition and stay in order.
     */
    public ShipperOptions key(Function<SourceLine, byte[]> key) {
        Objects.requireNonNull(key, "key");
        return new ShipperOptions(topicRouter, key, maxInFlight, maxBytesInFlight, rejection, onEvent, retryBackoff);
    }

    /**
     * The most records read and not yet acknowledged by the broker (default {@value #DEFAULT_MAX_IN_FLIGHT}).
     * When it is reached, no more lines are requested from the source: a slow or unreachable broker slows
     * the file reads. It is also the most lines a crash can send twice beyond the checkpoint's own lag.
     */
    public ShipperOptions maxInFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + max);
        }
        return new ShipperOptions(topicRouter, key, max, maxBytesInFlight, rejection, onEvent, retryBackoff);
    }

    /**
     * The bytes of line values in flight beyond which no more lines are requested (default 8 MiB). Lines
     * are requested in groups of up to a quarter of {@link #maxInFlight()}, so the bytes held can exceed
     * this by at most one group of the longest lines.
     */
    public ShipperOptions maxBytesInFlight(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxBytesInFlight must be >= 1, was " + max);
        }
        return new ShipperOptions(topicRouter, key, maxInFlight, max, rejection, onEvent, retryBackoff);
    }

    /** What to do with a record Kafka rejects for good (default {@link RejectionPolicy#FAIL}). */
    public ShipperOptions onRejected(RejectionPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return new ShipperOptions(topicRouter, key, maxInFlight, maxBytesInFlight, policy, onEvent, retryBackoff);
    }

    /** Receives every {@link ShipEvent} (retries, rejections); must not block. Replaces the previous listener. */
    public ShipperOptions onEvent(Consumer<ShipEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return new ShipperOptions(topicRouter, key, maxInFlight, maxBytesInFlight, rejection, listener, retryBackoff);
    }

    /** The first back-off before a failed send is retried; it doubles up to 5 s while sends keep failing. */
    public ShipperOptions retryBackoff(Duration backoff) {
        Objects.requireNonNull(backoff, "backoff");
        if (backoff.isNegative() || backoff.isZero()) {
            throw new IllegalArgumentException("retryBackoff must be positive, was " + backoff);
        }
        return new ShipperOptions(topicRouter, key, maxInFlight, maxBytesInFlight, rejection, onEvent, backoff);
    }

    public Function<Path, String> topicRouter() {
        return topicRouter;
    }

    public Function<SourceLine, byte[]> key() {
        return key;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long maxBytesInFlight() {
        return maxBytesInFlight;
    }

    public RejectionPolicy onRejected() {
        return rejection;
    }

    public Consumer<ShipEvent> onEvent() {
        return onEvent;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    static void requireTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("not a valid Kafka topic name (1-249 of a-z A-Z 0-9 . _ -): '"
                    + topic + "'");
        }
    }

    @Override
    public String toString() {
        return "ShipperOptions[maxInFlight=" + maxInFlight + ", maxBytesInFlight=" + maxBytesInFlight
                + ", onRejected=" + rejection + ", retryBackoff=" + retryBackoff + "]";
    }
}
