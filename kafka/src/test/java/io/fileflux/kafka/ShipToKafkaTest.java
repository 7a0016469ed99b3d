package io.fileflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.kafka.testkit.Await;
import io.fileflux.kafka.testkit.KafkaBroker;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** Shipping to a real broker (KRaft, a JVM of its own, shared by the tests of this class). */
class ShipToKafkaTest {

    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** The inode of the file at {@code p}, as the identity's second half. */
    static String inode(Path p) throws IOException {
        return Long.toUnsignedString((Long) Files.getAttribute(p, "unix:ino"));
    }

    @Test
    void everyLineOfThreeRotatingFilesArrivesOnceInOrder() throws Exception {
        String topic = "rotating";
        broker.createTopic(topic, 3, Map.of());
        int files = 3;
        int total = 100_000;
        int rotateEvery = 8_000; // lines per file between rotations: four rotations per file
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            Path p = dir.resolve("app" + i + ".log").toAbsolutePath();
            Files.createFile(p);
            paths.add(p);
        }
        // one many-files tail over the three (rotated generations, app0.log.1..., do not match the glob:
        // each file's tail reads them to their end across the rename)
        Map<String, Object> config = KafkaShipper.producerConfig(broker.bootstrap());
        try (KafkaShipper shipper = KafkaShipper.create(config, ShipperOptions.toTopic(topic).maxInFlight(512));
             CheckpointRegistry registry = CheckpointRegistry.open(dir.resolve("registry"), Duration.ofDays(1))) {
            Disposable shipping = shipper.ship(SourceLines.tail(TailAllOptions.of(dir + "/app*.log")
                    .registry(registry, Duration.ofSeconds(1)))).subscribe();
            try {
                OutputStream[] out = new OutputStream[files];
                int[] written = new int[files];
                int[] generation = new int[files];
                for (int i = 0; i < files; i++) {
                    out[i] = Files.newOutputStream(paths.get(i), StandardOpenOption.APPEND);
                }
                int sent = 0;
                while (sent < total) {
                    for (int i = 0; i < files && sent < total; i++) {
                        StringBuilder block = new StringBuilder();
                        for (int k = 0; k < 100 && sent < total; k++, sent++) {
                            block.append(i).append(':').append(written[i]++).append(" some log text of the line\n");
                        }
                        out[i].write(block.toString().getBytes(StandardCharsets.US_ASCII));
                        if (written[i] / rotateEvery > generation[i]) {
                            // rotate (rename + create) only once the shipper has acknowledged a line of this
                            // generation: the tail has reached it, so every generation is read
                            Path p = paths.get(i);
                            String ino = inode(p);
                            Await.until(() -> {
                                ShipperStats.FileProgress fp = shipper.stats().files().get(p);
                                return fp != null && fp.identity().endsWith(":" + ino);
                            }, () -> "the shipper to reach " + p + " inode " + ino);
                            out[i].close();
                            Files.move(p, p.resolveSibling(p.getFileName() + "." + ++generation[i]));
                            out[i] = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.APPEND);
                        }
                    }
                }
                for (OutputStream o : out) {
                    o.close();
                }
                Await.until(() -> shipper.stats().linesShipped() >= total,
                        () -> "every line shipped: " + shipper.stats());
            } finally {
                shipping.dispose();
            }
            assertEquals(total, shipper.stats().linesShipped());
            assertTrue(shipper.stats().peakRecordsInFlight() <= 512, () -> "peak " + shipper.stats().peakRecordsInFlight());
        }

        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(topic);
        assertEquals(total, records.size(), "records in the topic");
        int[] next = new int[files]; // lines seen per path
        Map<String, Integer> nextLine = new HashMap<>(); // per file identity: the next line number expected
        java.util.Set<String> seen = new java.util.HashSet<>();
        Map<String, Long> nextOffset = new HashMap<>(); // per file identity: where the next line starts
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String v = new String(r.value(), StandardCharsets.US_ASCII);
            int i = v.charAt(0) - '0';
            int n = Integer.parseInt(v.substring(2, v.indexOf(' ')));
            // in order within each file (a rotated generation and the new file are read side by side), once
            String id = header(r, KafkaShipper.HEADER_IDENTITY);
            Integer expected = nextLine.put(id, n + 1);
            assertTrue(expected == null || expected == n, "file " + i + " (" + id + "): line " + n + " after "
                    + expected);
            assertTrue(seen.add(v), "once: " + v);
            next[i]++;
            assertEquals(paths.get(i).toString(), header(r, KafkaShipper.HEADER_PATH));
            assertEquals(paths.get(i).toString(), new String(r.key(), StandardCharsets.UTF_8));
            String identity = header(r, KafkaShipper.HEADER_IDENTITY);
            long offset = Long.parseLong(header(r, KafkaShipper.HEADER_OFFSET));
            assertEquals(nextOffset.getOrDefault(identity, 0L), offset, "the line's start offset in " + identity);
            nextOffset.put(identity, offset + r.value().length + 1);
        }
        for (int i = 0; i < files; i++) {
            assertTrue(next[i] > 4 * rotateEvery, "file " + i + " had lines in five generations");
        }
        assertEquals(files * 5, nextOffset.size(), "three files, five generations each");
    }

    @Test
    void aFileCreatedAfterTheStartIsShippedAndARestartFromTheRegistryResendsNothing() throws Exception {
        String topic = "created-later";
        broker.createTopic(topic, 2, Map.of());
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path a = logs.resolve("a.log").toAbsolutePath();
        Path b = logs.resolve("b.log").toAbsolutePath();
        Files.writeString(a, lines("a", 0, 500));
        Path registryFile = dir.resolve("ship.registry");
        TailAllOptions tail = TailAllOptions.of(logs + "/*.log");
        Map<String, Object> config = KafkaShipper.producerConfig(broker.bootstrap());
        try (KafkaShipper shipper = KafkaShipper.create(config, ShipperOptions.toTopic(topic));
             CheckpointRegistry registry = CheckpointRegistry.open(registryFile, Duration.ofDays(1))) {
            Disposable shipping = shipper.ship(SourceLines.tail(tail.registry(registry, Duration.ofSeconds(1))))
                    .subscribe();
            try {
                Await.until(() -> shipper.stats().linesShipped() == 500 && shipper.stats().recordsInFlight() == 0,
                        shipper.stats()::toString); // in flight drops after the acknowledgement
                Files.writeString(b, lines("b", 0, 300)); // created while shipping: found and shipped
                Await.until(() -> shipper.stats().linesShipped() == 800 && shipper.stats().recordsInFlight() == 0,
                        shipper.stats()::toString); // in flight drops after the acknowledgement
            } finally {
                shipping.dispose(); // every line taken is acknowledged: the tails save the registry as they stop
            }
            assertEquals(Map.of(a, Files.size(a), b, Files.size(b)), offsets(registry),
                    "both files' checkpoints at their ends, in one registry");
        }
        assertEquals(800, broker.readAll(topic).size());

        Files.writeString(a, lines("a", 500, 600), StandardOpenOption.APPEND);
        try (KafkaShipper shipper = KafkaShipper.create(config, ShipperOptions.toTopic(topic));
             CheckpointRegistry registry = CheckpointRegistry.open(registryFile, Duration.ofDays(1))) {
            Disposable shipping = shipper.ship(SourceLines.tail(tail.registry(registry, Duration.ofSeconds(1))))
                    .subscribe();
            try {
                Await.until(() -> shipper.stats().linesShipped() == 100 && shipper.stats().recordsInFlight() == 0,
                        shipper.stats()::toString); // in flight drops after the acknowledgement
            } finally {
                shipping.dispose();
            }
        }
        Map<Path, List<String>> byFile = new HashMap<>();
        Map<String, Long> nextOffset = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readAll(topic)) {
            Path p = Path.of(header(r, KafkaShipper.HEADER_PATH));
            byFile.computeIfAbsent(p, k -> new ArrayList<>()).add(new String(r.value(), StandardCharsets.US_ASCII));
            String identity = header(r, KafkaShipper.HEADER_IDENTITY);
            long offset = Long.parseLong(header(r, KafkaShipper.HEADER_OFFSET));
            assertEquals(nextOffset.getOrDefault(identity, 0L), offset, "the line's exact start offset");
            nextOffset.put(identity, offset + r.value().length + 1);
        }
        assertEquals(List.of(lines("a", 0, 600).split("\n")), byFile.get(a), "a: every line once, in order");
        assertEquals(List.of(lines("b", 0, 300).split("\n")), byFile.get(b), "b: every line once, in order");
    }

    private static String lines(String prefix, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int n = from; n < to; n++) {
            s.append(prefix).append(n).append('\n');
        }
        return s.toString();
    }

    /** The offset of each file's entry in {@code registry} (one entry per file), by the path it was saved at. */
    private static Map<Path, Long> offsets(CheckpointRegistry registry) {
        Map<Path, Long> out = new HashMap<>();
        registry.files().forEach((id, p) -> registry.store(id, p).load().ifPresent(c -> out.put(p, c.offset())));
        return out;
    }

    /** A file of short lines with one line too long for the topic at line {@code big}. */
    private Path fileWithOversizedLine(int lines, int big, int bigLength) throws IOException {
        Path p = dir.resolve("big.log").toAbsolutePath();
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < lines; k++) {
            b.append(k == big ? k + "-" + "x".repeat(bigLength) : "line " + k).append('\n');
        }
        Files.writeString(p, b, StandardCharsets.US_ASCII);
        return p;
    }

    private static long startOf(Path p, int line) throws IOException {
        long offset = 0;
        List<String> all = Files.readAllLines(p, StandardCharsets.US_ASCII);
        for (int k = 0; k < line; k++) {
            offset += all.get(k).length() + 1;
        }
        return offset;
    }

    @Test
    void aRecordTooLargeForTheTopicIsSkippedAndReported() throws Exception {
        String topic = "small-skip";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "4096"));
        Path p = fileWithOversizedLine(50, 20, 20_000);
        Checkpointer acks = Checkpointer.inMemory(null);
        List<ShipEvent> events = new CopyOnWriteArrayList<>();
        ShipperOptions opts = ShipperOptions.toTopic(topic).onRejected(RejectionPolicy.SKIP).onEvent(events::add);
        try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig(broker.bootstrap()), opts)) {
            shipper.ship(SourceLines.tail(p, TailOptions.defaults().follow(false).checkpointer(acks)))
                    .block(Duration.ofSeconds(120));
            assertEquals(49, shipper.stats().linesShipped());
            assertEquals(1, shipper.stats().rejected());
        }
        List<ShipEvent> rejected = events.stream().filter(e -> e.kind() == ShipEvent.Kind.REJECTED).toList();
        assertEquals(1, rejected.size(), events::toString);
        assertEquals(startOf(p, 20), rejected.get(0).offset());
        assertInstanceOf(RecordTooLargeException.class, rejected.get(0).cause());
        assertEquals(Files.size(p), acks.committed().orElseThrow().offset(), "acknowledged past the skipped line");
        List<String> values = broker.readAll(topic).stream()
                .map(r -> new String(r.value(), StandardCharsets.US_ASCII)).toList();
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < 50; k++) {
            if (k != 20) {
                expected.add("line " + k);
            }
        }
        assertEquals(expected, values);
    }

    @Test
    void aRecordTooLargeForTheTopicFailsTheShippingUnderFail() throws Exception {
        String topic = "small-fail";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "4096"));
        Path p = fileWithOversizedLine(50, 20, 20_000);
        Checkpointer acks = Checkpointer.inMemory(null);
        List<ShipEvent> events = new CopyOnWriteArrayList<>();
        ShipperOptions opts = ShipperOptions.toTopic(topic).onEvent(events::add);
        try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig(broker.bootstrap()), opts)) {
            RecordRejectedException e = assertThrows(RecordRejectedException.class, () -> shipper.ship(
                    SourceLines.tail(p, TailOptions.defaults().follow(false).checkpointer(acks)))
                    .block(Duration.ofSeconds(120)));
            assertInstanceOf(RecordTooLargeException.class, e.getCause());
            assertEquals(p, e.path());
            assertEquals(startOf(p, 20), e.offset());
            assertEquals(1, shipper.stats().rejected());
        }
        assertTrue(events.stream().anyMatch(e -> e.kind() == ShipEvent.Kind.FAILED), events::toString);
        assertEquals(startOf(p, 20), acks.committed().orElseThrow().offset(),
                "the checkpoint stops right before the rejected line");
        List<String> values = broker.readAll(topic).stream()
                .map(r -> new String(r.value(), StandardCharsets.US_ASCII)).toList();
        for (int k = 0; k < 20; k++) {
            assertEquals("line " + k, values.get(k), "the lines before it are in the topic");
        }
        assertNotNull(values);
    }
}
