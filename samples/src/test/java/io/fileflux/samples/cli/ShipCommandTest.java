package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.kafka.KafkaShipper;
import io.fileflux.kafka.testkit.KafkaBroker;
import io.fileflux.kafka.testkit.RegistryFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileflux ship} in a child JVM, as a user runs it, against a real broker (KRaft, a JVM of its own). */
class ShipCommandTest {

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

    private static void append(Path p, String prefix, int from, int to) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int n = from; n < to; n++) {
            b.append(prefix).append(n).append('\n');
        }
        Files.writeString(p, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> values(String topic, String prefix) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readAll(topic)) {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            if (v.startsWith(prefix)) {
                out.add(v);
            }
        }
        return out;
    }

    private static List<String> expected(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int n = from; n < to; n++) {
            out.add(prefix + n);
        }
        return out;
    }

    @Test
    void followsAGlobLiveWithOneRegistryAndResumesWithoutResending() throws Exception {
        String topic = "cli";
        broker.createTopic(topic, 2, Map.of());
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path a = logs.resolve("a.log");
        Path b = logs.resolve("b.log");
        Path d = logs.resolve("d.log");
        append(a, "a", 0, 1000);
        append(b, "b", 0, 1500);
        append(logs.resolve("c.txt"), "c", 0, 10); // not matched
        Path ck = dir.resolve("ship.registry");
        String[] args = {"ship", "--bootstrap", broker.bootstrap(), "--topic", topic, "--checkpoint", ck.toString(),
                logs + "/*.log"};

        Process first = CliProcess.builder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("first.out").toFile()).start();
        try {
            broker.awaitRecords(topic, 2500);
            append(d, "d", 0, 300); // created after the start: found and shipped
            broker.awaitRecords(topic, 2800);
            assertTrue(first.isAlive(), "ship follows the files until stopped");
        } finally {
            first.destroy(); // SIGTERM: waits for the records in flight, saves the checkpoints
            first.waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals(expected("a", 0, 1000), values(topic, "a"));
        assertEquals(expected("b", 0, 1500), values(topic, "b"));
        assertEquals(expected("d", 0, 300), values(topic, "d"));
        assertEquals(List.of(), values(topic, "c"));
        assertEquals(Files.size(a), RegistryFile.offset(ck, a), "a's checkpoint at its end");
        assertEquals(Files.size(b), RegistryFile.offset(ck, b), "b's checkpoint at its end");
        assertEquals(Files.size(d), RegistryFile.offset(ck, d), "d's checkpoint at its end");
        assertEquals(3, RegistryFile.read(ck).size(), "one registry for every file");

        append(a, "a", 1000, 1200);
        Process second = CliProcess.builder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("second.out").toFile()).start();
        try {
            broker.awaitRecords(topic, 3000);
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals(expected("a", 0, 1200), values(topic, "a"), "only the lines after the checkpoint, once");
        assertEquals(expected("b", 0, 1500), values(topic, "b"));
        assertEquals(expected("d", 0, 300), values(topic, "d"));
        assertEquals(Files.size(a), RegistryFile.offset(ck, a));
        ConsumerRecord<byte[], byte[]> r = broker.readAll(topic).get(0);
        assertTrue(new String(r.headers().lastHeader(KafkaShipper.HEADER_PATH).value(), StandardCharsets.UTF_8)
                .endsWith(".log"));
    }

    @Test
    void onceShipsToTheEndAndATooLargeLineFailsWithExitOne() throws Exception {
        String topic = "cli-small";
        broker.createTopic(topic, 1, Map.of("max.message.bytes", "2048"));
        Path log = dir.resolve("x.log");
        Files.writeString(log, "one\n" + "x".repeat(10_000) + "\nthree\n");
        CliProcess fail = CliProcess.run("ship", "--bootstrap", broker.bootstrap(), "--topic", topic, "--once",
                log.toString());
        assertEquals(1, fail.exitCode, fail.stderr);
        assertTrue(fail.stderr.contains("rejected the record") && fail.stderr.contains("offset 4"), fail.stderr);

        int threeBefore = values(topic, "three").size(); // 0 or 1: it may have been in flight behind the rejected line
        CliProcess skip = CliProcess.run("ship", "--bootstrap", broker.bootstrap(), "--topic", topic, "--once",
                "--on-reject", "skip", log.toString());
        assertEquals(0, skip.exitCode, skip.stderr);
        assertTrue(skip.stderr.contains("skipped the line at " + log.toAbsolutePath() + "@4"), skip.stderr);
        assertEquals(threeBefore + 1, values(topic, "three").size(), "the line after the skipped one arrived");
    }

    @Test
    void badArgumentsExitWithTwoAndAGlobMatchingNothingWithOne() {
        // in this JVM: usage errors end before anything is started
        assertEquals(2, FilefluxCli.run("ship", "--bootstrap", "127.0.0.1:1", "x.log"), "no --topic");
        assertEquals(2, FilefluxCli.run("ship", "--bootstrap", "127.0.0.1:1", "--topic", "a b", "x.log"), "bad topic");
        assertEquals(2, FilefluxCli.run("ship", "--bootstrap", "127.0.0.1:1", "--topic", "t", "--on-reject", "drop",
                "x.log"), "bad policy");
        assertEquals(1, FilefluxCli.run("ship", "--bootstrap", "127.0.0.1:1", "--topic", "t", "--once",
                dir + "/*.nothing"), "a glob matching nothing with --once (without: waits for files)");
        assertEquals(1, FilefluxCli.run("ship", "--bootstrap", "127.0.0.1:1", "--topic", "t", dir + "/missing.log"),
                "a missing file");
    }
}
