package io.fileflux.kafka.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker's JVM (started by {@link KafkaBroker}): formats the KRaft log directory on the first start
 * ({@code kafka-storage format}), then runs {@code kafka.Kafka} with the same properties file.
 * Usage: {@code BrokerMain SERVER_PROPERTIES LOG_DIR CLUSTER_ID}.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        String props = args[0];
        Path logDir = Path.of(args[1]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = kafka.tools.StorageTool.execute(new String[] {"format", "-t", args[2], "-c", props},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            if (status != 0) {
                System.err.println(out.toString(StandardCharsets.UTF_8));
                System.exit(status);
            }
        }
        kafka.Kafka.main(new String[] {props});
    }
}
