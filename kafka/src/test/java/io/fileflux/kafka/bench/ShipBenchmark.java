package io.fileflux.kafka.bench;

import io.fileflux.kafka.KafkaShipper;
import io.fileflux.kafka.ShipperOptions;
import io.fileflux.kafka.SourceLines;
import io.fileflux.kafka.testkit.KafkaBroker;
import io.fileflux.reactor.tail.TailOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Lines per second shipped into a local broker from a warm log: {@code fileflux ship}'s library path
 * (a Fileflux tail read to its end, {@link KafkaShipper} with its bounded window) against a plain loop
 * that reads the same file with an {@link InputStream}, splits lines and calls {@code send()} for each
 * (same producer settings, same key and headers, no bound but the producer's buffer), side by side in
 * one process, alternating, each into a fresh topic. Not a unit test: run it by hand.
 *
 * <p>Usage: {@code ShipBenchmark [SIZE_MB (1024)] [ROUNDS (2)] [FILE (generated in a temp dir)]}; starts
 * its own broker (KRaft, a JVM of its own, 1 GiB segments) and deletes each topic after its run.
 */
public final class ShipBenchmark {

    private ShipBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long size = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("fileflux-ship-bench");
        Path log = args.length > 2 ? Path.of(args[2]) : dir.resolve("bench.log");
        try {
            if (!Files.exists(log)) {
                generate(log, size);
            }
            long lines = warm(log);
            System.out.printf("log: %s, %,d bytes, %,d lines%n", log, Files.size(log), lines);
            try (KafkaBroker broker = KafkaBroker.start(Map.of("log.segment.bytes", String.valueOf(1 << 30),
                    "num.io.threads", "4", "num.network.threads", "2"))) {
                List<String> results = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    int r = round;
                    double plain = run(broker, "plain-" + r, () -> plainLoop(broker.bootstrap(), "plain-" + r, log), lines);
                    double shipDefault = run(broker, "ship-" + r,
                            () -> ship(broker.bootstrap(), "ship-" + r, log, ShipperOptions.DEFAULT_MAX_IN_FLIGHT), lines);
                    double shipWide = run(broker, "wide-" + r,
                            () -> ship(broker.bootstrap(), "wide-" + r, log, 16_384), lines);
                    results.add(String.format("round %d: plain loop %,.0f lines/s; ship (1,024 in flight) %,.0f lines/s"
                                    + " = %.2f; ship (16,384 in flight) %,.0f lines/s = %.2f",
                            r + 1, plain, shipDefault, shipDefault / plain, shipWide, shipWide / plain));
                    System.out.println(results.get(results.size() - 1));
                }
            }
        } finally {
            if (args.length <= 2) {
                Files.deleteIfExists(log);
            }
            Files.deleteIfExists(dir);
        }
    }

    interface Run {
        long lines() throws Exception;
    }

    private static double run(KafkaBroker broker, String topic, Run run, long expected) throws Exception {
        broker.createTopic(topic, 1, Map.of());
        long start = System.nanoTime();
        long n = run.lines();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (n != expected) {
            throw new IllegalStateException(topic + ": " + n + " lines acknowledged, expected " + expected);
        }
        try (Admin admin = broker.admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            System.err.println("could not delete " + topic + ": " + e.getCause());
        }
        return n / seconds;
    }

    /** Log lines of 30-200 bytes of text (like an application log), about {@code size} bytes. */
    static void generate(Path log, long size) throws IOException {
        Random random = new Random(42);
        String words = "request served user session cache miss hit database query took ms status ok error "
                + "warning retry connection pool thread worker queue batch flush commit rollback";
        String[] w = words.split(" ");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 20)) {
            long written = 0;
            long n = 0;
            StringBuilder b = new StringBuilder();
            while (written < size) {
                b.setLength(0);
                b.append("2026-12-02T03:04:05.").append(n % 1000).append(" INFO [main] #").append(n++);
                int target = 30 + random.nextInt(171);
                while (b.length() < target - 1) {
                    b.append(' ').append(w[random.nextInt(w.length)]);
                }
                b.setLength(Math.min(b.length(), target - 1));
                b.append('\n');
                byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(bytes);
                written += bytes.length;
            }
        }
    }

    /** Reads the file once (into the page cache) and counts its lines. */
    static long warm(Path log) throws IOException {
        long lines = 0;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b.clear()) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    if (b.get() == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    /** The baseline: read, split, send every line; wait for every acknowledgement. */
    static long plainLoop(String bootstrap, String topic, Path log) throws Exception {
        byte[] key = log.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        byte[] identity = "0:0".getBytes(StandardCharsets.US_ASCII);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaShipper.producerConfig(bootstrap));
             InputStream in = Files.newInputStream(log)) {
            byte[] buf = new byte[1 << 16];
            byte[] line = new byte[1 << 16];
            int len = 0;
            long offset = 0;
            long lineStart = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte c = buf[i];
                    offset++;
                    if (c == '\n') {
                        List<Header> headers = List.of(new RecordHeader(KafkaShipper.HEADER_PATH, key),
                                new RecordHeader(KafkaShipper.HEADER_IDENTITY, identity),
                                new RecordHeader(KafkaShipper.HEADER_OFFSET,
                                        Long.toString(lineStart).getBytes(StandardCharsets.US_ASCII)));
                        producer.send(new ProducerRecord<>(topic, null, key, Arrays.copyOf(line, len), headers),
                                (md, e) -> {
                                    if (e != null) {
                                        failed.compareAndSet(null, e);
                                    } else {
                                        acked.incrementAndGet();
                                    }
                                });
                        len = 0;
                        lineStart = offset;
                    } else {
                        line[len++] = c;
                    }
                }
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return acked.get();
    }

    /** Fileflux: the file's lines through a tail read to its end, shipped with {@code maxInFlight}. */
    static long ship(String bootstrap, String topic, Path log, int maxInFlight) {
        try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig(bootstrap),
                ShipperOptions.toTopic(topic).maxInFlight(maxInFlight).maxBytesInFlight(64L << 20))) {
            shipper.ship(SourceLines.tail(log, TailOptions.defaults().follow(false).chunkSize(1 << 20))).block();
            return shipper.stats().linesShipped();
        }
    }
}
