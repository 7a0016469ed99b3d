package io.fileflux.kafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one node), run in a JVM of its own from
 * the test classpath ({@code org.apache.kafka:kafka_2.13} from Maven Central: nothing to install).
 * Its log directory is a temporary directory deleted by {@link #close()}; its ports are chosen free at
 * {@link #start()} and kept across {@link #stop()} and {@link #restart()}, so clients reconnect to it.
 * Small segments and one network/IO thread pair keep it light on a shared 2-core machine.
 *
 * <p>Threading: one test thread drives it. Ownership: it owns the broker process and the directory.
 */
public final class KafkaBroker implements AutoCloseable {

    /** How long a start may take before the broker is declared broken (only expires if it never starts). */
    static final Duration START_BOUND = Duration.ofSeconds(120);

    private final Path dir;
    private final Path logDir;
    private final Path props;
    private final int port;
    private final String clusterId;
    private Process process;

    private KafkaBroker(Path dir, int port, int controllerPort, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        this.logDir = dir.resolve("data");
        this.props = dir.resolve("server.properties");
        this.port = port;
        byte[] uuid = new byte[16];
        UUID u = UUID.randomUUID();
        for (int i = 0; i < 8; i++) {
            uuid[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            uuid[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        this.clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuid);
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.segment.bytes", String.valueOf(16 << 20));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.putAll(overrides);
        StringBuilder text = new StringBuilder();
        p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(props, text);
    }

    /** Starts a broker with the defaults above and {@code overrides}; returns once it answers. */
    public static KafkaBroker start(Map<String, String> overrides) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fileflux-kafka-");
        KafkaBroker b = new KafkaBroker(dir, freePort(), freePort(), overrides);
        try {
            b.launch();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** Starts a broker with the defaults. */
    public static KafkaBroker start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"),
                BrokerMain.class.getName(), props.toString(), logDir.toString(), clusterId));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        try (Admin admin = admin()) {
            for (;;) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker exited with " + process.exitValue() + ": " + log());
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not start within " + START_BOUND + ": " + log());
                }
                Thread.sleep(100);
            }
        }
    }

    /** The broker's output so far (for failure messages). */
    public String log() {
        try {
            String s = Files.readString(dir.resolve("broker.log"), StandardCharsets.UTF_8);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the broker (SIGTERM: a controlled shutdown) and waits for its process to end. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /** Starts the stopped broker again, on the same ports and log directory; returns once it answers. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** A new admin client of this broker (the caller closes it). */
    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(p);
    }

    /** Creates {@code topic} with {@code partitions} partitions and the given topic configs; waits for it. */
    public void createTopic(String topic, int partitions, Map<String, String> configs)
            throws InterruptedException, ExecutionException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
        }
    }

    /**
     * Waits until at least {@code records} records were written to {@code topic} (the sum of its
     * partitions' end offsets: the record count while nothing is deleted and no transaction markers are
     * written), polling with one admin client; fails if that never happens within {@link Await#BOUND}.
     */
    public void awaitRecords(String topic, long records) throws InterruptedException {
        try (Admin a = admin()) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
            long[] seen = {0};
            Await.until(() -> {
                try {
                    if (specs.isEmpty()) {
                        for (org.apache.kafka.common.TopicPartitionInfo info
                                : a.describeTopics(java.util.Set.of(topic)).allTopicNames().get().get(topic).partitions()) {
                            specs.put(new TopicPartition(topic, info.partition()),
                                    org.apache.kafka.clients.admin.OffsetSpec.latest());
                        }
                    }
                    long sum = 0;
                    for (var e : a.listOffsets(specs).all().get().values()) {
                        sum += e.offset();
                    }
                    seen[0] = sum;
                    return sum >= records;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (ExecutionException e) {
                    return false; // the broker is busy: ask again
                }
            }, () -> records + " records in " + topic + ", saw " + seen[0]);
        }
    }

    /**
     * Every record of {@code topic} from the beginning up to the end offsets as they are when called (so
     * call it once the producer has finished), partition by partition in offset order, read with a plain
     * {@link KafkaConsumer} assigned to every partition (no consumer group).
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            parts.sort(Comparator.comparingInt(TopicPartition::partition));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
                }
            }
            for (TopicPartition tp : parts) {
                for (ConsumerRecord<byte[], byte[]> r : byPartition.getOrDefault(tp, List.of())) {
                    if (r.offset() < end.get(tp)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /** Stops the broker and deletes its directory. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
