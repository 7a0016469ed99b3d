package io.fileflux.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.kafka.testkit.Await;
import io.fileflux.kafka.testkit.KafkaBroker;
import io.fileflux.kafka.testkit.RegistryFile;
import io.fileflux.kafka.testkit.ShipperProcess;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.TailOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** Crashes of either side, against a real broker (KRaft, a JVM of its own, shared by this class's tests). */
class ShipperFailuresTest {

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

    /** Appends lines {@code from} (inclusive) to {@code to} (exclusive), "N text\n" each; returns their end offsets. */
    static long[] append(Path p, int from, int to, long[] ends) throws IOException {
        StringBuilder b = new StringBuilder();
        long offset = Files.exists(p) ? Files.size(p) : 0;
        for (int n = from; n < to; n++) {
            String line = n + " the quick brown fox jumps over the lazy dog\n";
            b.append(line);
            offset += line.length();
            ends[n] = offset;
        }
        Files.writeString(p, b, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return ends;
    }

    static int seq(ConsumerRecord<byte[], byte[]> r) {
        String v = new String(r.value(), StandardCharsets.US_ASCII);
        return Integer.parseInt(v.substring(0, v.indexOf(' ')));
    }

    static long committed(Path checkpoint) {
        try {
            return CheckpointStore.file(checkpoint).load().map(Checkpoint::offset).orElse(0L);
        } catch (RuntimeException e) {
            return 0; // between two saves of a starting shipper: look again
        }
    }

    @Test
    void aShipperKilledFiveTimesLosesNothingAndResendsOnlyItsWindow() throws Exception {
        int maxInFlight = 256;
        int saveEvery = 100;
        List<Integer> backTo = killFiveTimes("crash", maxInFlight, saveEvery);
        for (int b : backTo) {
            assertTrue(b < maxInFlight + saveEvery, "a restart went back " + b + " lines");
        }
    }

    @Test
    void aManyFilesShipperKilledFiveTimesLosesNothingAndResumesAtItsRegistry() throws Exception {
        // the registry is saved every 100 ms of acknowledgements: a restart goes back to exactly the saved
        // checkpoint (asserted in killFiveTimes), however many lines were acknowledged after it
        killFiveTimes("crash-many", 256, ShipperProcess.MANY);
    }

    /** The offset saved for {@code log}: in its checkpoint file, or (many files) in the registry. */
    static long committed(Path checkpoint, Path log, boolean many) {
        return many ? Math.max(0, RegistryFile.offset(checkpoint, log)) : committed(checkpoint);
    }

    /**
     * Ships 60,000 lines with a shipper JVM killed (SIGKILL) at five random points and restarted; asserts no
     * line lost, and each restart resuming exactly at the line after the checkpoint saved at the kill.
     * Returns how far back (lines) each restart went from the furthest line sent before it.
     */
    private List<Integer> killFiveTimes(String topic, int maxInFlight, int saveEvery) throws Exception {
        boolean many = saveEvery == ShipperProcess.MANY;
        broker.createTopic(topic, 1, Map.of());
        int total = 60_000;
        Path log = dir.resolve("app.log").toAbsolutePath();
        Path checkpoint = dir.resolve(many ? "ship.registry" : "app.ckpt");
        long[] ends = append(log, 0, total, new long[total]);
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        int[] killAt = random.ints(5, 1_000, total - 5_000).sorted().toArray();
        List<String> cmd = ShipperProcess.command(broker.bootstrap(), topic, log, checkpoint, maxInFlight, saveEvery);
        List<Integer> resumeAt = new ArrayList<>(); // the first line each restart sends: the one after the checkpoint
        resumeAt.add(0);
        for (int target : killAt) {
            Process shipper = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("shipper.out").toFile()).start();
            try {
                Await.until(() -> committed(checkpoint, log, many) >= ends[target] || !shipper.isAlive(),
                        () -> "the shipper to pass line " + target + " (seed " + seed + ")");
                assertTrue(shipper.isAlive(), "the shipper runs until killed");
            } finally {
                shipper.destroyForcibly(); // SIGKILL
                shipper.waitFor(60, TimeUnit.SECONDS);
            }
            long saved = committed(checkpoint, log, many);
            int next = 0;
            while (next < total && ends[next] <= saved) {
                next++;
            }
            resumeAt.add(next);
        }
        int last = resumeAt.get(resumeAt.size() - 1);
        long before = broker.readAll(topic).size();
        Process lastRun = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("shipper.out").toFile()).start();
        try {
            broker.awaitRecords(topic, before + total - last); // it resumes at line `last` and sends the rest
        } finally {
            lastRun.destroyForcibly();
            lastRun.waitFor(60, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(topic);
        boolean[] seen = new boolean[total];
        List<Integer> backTo = new ArrayList<>();
        int duplicates = 0;
        int expected = 0; // the next line not seen yet
        int previous = -1;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            int n = seq(r);
            if (n <= previous) { // a restart went back: to the line after a saved checkpoint
                assertTrue(resumeAt.contains(n), "restart went back from " + previous + " to " + n
                        + ", not to a saved checkpoint " + resumeAt + " (seed " + seed + ")");
                backTo.add(previous - n);
            } else {
                assertEquals(previous + 1, n, "no line skipped after " + previous + " (seed " + seed + ")");
            }
            if (seen[n]) {
                duplicates++;
            }
            seen[n] = true;
            previous = n;
            while (expected < total && seen[expected]) {
                expected++;
            }
        }
        assertEquals(total, expected, "every line in the topic (seed " + seed + ")");
        System.out.println((many ? "tailAll + registry" : "single file") + ", kill -9 at lines "
                + Arrays.toString(killAt) + ": " + duplicates + " duplicates, " + records.size() + " records for "
                + total + " lines, restarts went back " + backTo + " lines (seed " + seed + ")");
        return backTo;
    }

    @Test
    void aBrokerDownForAWhileStopsTheTailWithBoundedMemoryAndLosesNothing() throws Exception {
        String topic = "outage";
        broker.createTopic(topic, 1, Map.of());
        int before = 5_000;
        int total = 40_000;
        int maxInFlight = 200;
        Path log = dir.resolve("app.log").toAbsolutePath();
        long[] ends = append(log, 0, before, new long[total]);
        Checkpointer acks = Checkpointer.inMemory(null);
        List<ShipEvent> events = new CopyOnWriteArrayList<>();
        ShipperOptions opts = ShipperOptions.toTopic(topic).maxInFlight(maxInFlight).maxBytesInFlight(1 << 20)
                .onEvent(events::add);
        Map<String, Object> config = KafkaShipper.producerConfig(broker.bootstrap());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000); // send() gives up on metadata sooner: retried by the shipper
        try (KafkaShipper shipper = KafkaShipper.create(config, opts)) {
            ShipperStats stats = shipper.stats();
            Disposable shipping = shipper.ship(SourceLines.tail(log, TailOptions.defaults().checkpointer(acks))).subscribe();
            try {
                Await.until(() -> stats.linesShipped() == before, stats::toString);
                broker.stop();
                append(log, before, total, ends);
                // the shipper takes lines it cannot ship until its window is full or a send fails (no
                // metadata, no connection): then it asks the tail for nothing more
                Await.until(() -> stats.recordsInFlight() == maxInFlight || stats.sendErrors() > 0, stats::toString);
                long taken = stats.linesShipped() + stats.recordsInFlight();
                assertEquals(before, stats.linesShipped(), "nothing acknowledged while the broker is down");
                assertTrue(taken <= before + maxInFlight, "lines read while the broker is down: " + (taken - before));
                assertEquals(ends[before - 1], acks.committed().orElseThrow().offset());
                broker.restart();
                Await.until(() -> stats.linesShipped() == total, stats::toString);
                assertEquals(ends[total - 1], acks.committed().orElseThrow().offset());
            } finally {
                shipping.dispose();
            }
            assertTrue(stats.peakRecordsInFlight() <= maxInFlight, "records held: " + stats.peakRecordsInFlight());
            long lineBytes = 60; // the longest line here
            assertTrue(stats.peakBytesInFlight() <= maxInFlight * lineBytes,
                    "bytes held: " + stats.peakBytesInFlight());
            System.out.println("broker down: peak " + stats.peakRecordsInFlight() + " records, "
                    + stats.peakBytesInFlight() + " bytes held; " + stats.sendErrors() + " send errors: " + events);
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(topic);
        int[] values = records.stream().mapToInt(ShipperFailuresTest::seq).toArray();
        for (int n = 0; n < values.length; n++) {
            assertEquals(n, values[n], "line " + n + ": every line once, in order");
        }
        assertEquals(total, values.length);
    }
}
