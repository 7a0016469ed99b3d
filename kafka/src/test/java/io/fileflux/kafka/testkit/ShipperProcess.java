package io.fileflux.kafka.testkit;

import io.fileflux.kafka.KafkaShipper;
import io.fileflux.kafka.ShipperOptions;
import io.fileflux.kafka.SourceLine;
import io.fileflux.kafka.SourceLines;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shipper in a JVM of its own, for the crash tests: follows FILE from its checkpoint and ships it,
 * saving the checkpoint every SAVE_EVERY acknowledgements (from the acknowledging callback) and every
 * 200 ms, until killed. A kill re-sends at most MAX_IN_FLIGHT + SAVE_EVERY lines. Usage: {@code ShipperProcess BOOTSTRAP TOPIC FILE CHECKPOINT MAX_IN_FLIGHT SAVE_EVERY}.
 *
 * <p>With SAVE_EVERY {@value #MANY}: FILE is a glob followed by {@code FileFlux.tailAll} and CHECKPOINT a
 * checkpoint registry, which the many-files tail saves at most every 100 ms per file as lines are
 * acknowledged; a kill re-sends the lines acknowledged since the last save and the window in flight.
 */
public final class ShipperProcess {

    private ShipperProcess() {
    }

    /** The command line that starts it, with the current test classpath. */
    public static List<String> command(String bootstrap, String topic, Path file, Path checkpoint, int maxInFlight,
                                       int saveEvery) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ShipperProcess.class.getName(), bootstrap, topic,
                file.toString(), checkpoint.toString(), String.valueOf(maxInFlight), String.valueOf(saveEvery)));
        return cmd;
    }

    /** SAVE_EVERY for a many-files tail saving to a registry. */
    public static final int MANY = 0;

    public static void main(String[] args) throws Exception {
        if (Integer.parseInt(args[5]) == MANY) {
            many(args);
            return;
        }
        Path file = Path.of(args[2]);
        int saveEvery = Integer.parseInt(args[5]);
        Checkpointer acks = Checkpointer.to(CheckpointStore.file(Path.of(args[3])), null);
        AtomicLong acked = new AtomicLong();
        try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig(args[0]),
                ShipperOptions.toTopic(args[1]).maxInFlight(Integer.parseInt(args[4])))) {
            shipper.ship(SourceLines.tail(file, TailOptions.defaults().checkpointer(acks))
                    .map(l -> new SourceLine(l.path(), l.identity(), l.offset(), l.end(), l.value(), () -> {
                        l.ack();
                        if (acked.incrementAndGet() % saveEvery == 0) {
                            acks.flush();
                        }
                    }))).subscribe();
            for (;;) { // until killed: also saves what was acknowledged since the last multiple of SAVE_EVERY
                TimeUnit.MILLISECONDS.sleep(200);
                acks.flush();
            }
        }
    }

    private static void many(String[] args) throws Exception {
        CheckpointRegistry registry = CheckpointRegistry.open(Path.of(args[3]), Duration.ofDays(1));
        TailAllOptions tail = TailAllOptions.of(args[2]).registry(registry, Duration.ofMillis(100));
        try (KafkaShipper shipper = KafkaShipper.create(KafkaShipper.producerConfig(args[0]),
                ShipperOptions.toTopic(args[1]).maxInFlight(Integer.parseInt(args[4])))) {
            shipper.ship(SourceLines.tail(tail)).block(); // follows until killed
        }
    }
}
