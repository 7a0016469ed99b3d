package io.fileflux.samples.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fileflux ship}: follows every file the arguments match (globs followed live: files created later
 * are shipped too) and ships each line into a Kafka topic, acknowledging a line to its checkpoint only
 * once the broker has it. This class only holds the options: the work, and every Kafka class it needs,
 * is in {@link ShipRun}, loaded when {@link #call()} runs, so building the command line (usage, help,
 * other subcommands) works on a class path without the Kafka client.
 */
@Command(name = "ship", mixinStandardHelpOptions = true,
        description = {"Follow files and ship each line to Kafka; a line counts as done (checkpoint) once the "
                + "broker acknowledged it.",
                "Quoted globs ('logs/*.log', 'logs/**/*.log') are followed live: files created later are shipped "
                        + "too; rotated and deleted files are read to their end."})
final class ShipCommand implements Callable<Integer> {

    /** How often the status line is redrawn. */
    static final long TICK_MS = 1000;
    /** Records in flight by default (the shipper's default window). */
    static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    EngineOption engine;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "the Kafka brokers to connect to first (bootstrap.servers)")
    String bootstrap;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "the topic every line goes to")
    String topic;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "one registry file holding the checkpoint of every file shipped: resume each file after "
                    + "its checkpoint and save it as the broker acknowledges lines")
    Path checkpoint;

    @Option(names = "--from-end", description = "start at the end of the files present at the start (default: the "
            + "beginning; files created later: their beginning); a checkpoint wins")
    boolean fromEnd;

    @Option(names = "--once", description = "ship the files matching now to their current end and exit (no following)")
    boolean once;

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "records read and not yet acknowledged by the broker (default 1024)")
    int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

    @Option(names = "--on-reject", paramLabel = "fail|skip",
            description = "a record Kafka rejects for good (too large, not authorized): fail (exit 1, default) or "
                    + "skip it and report it on standard error")
    String onReject = "fail";

    @Option(names = {"-X", "--producer"}, paramLabel = "KEY=VALUE",
            description = "a Kafka producer setting (repeatable), e.g. -X compression.type=lz4")
    Map<String, String> producer = new LinkedHashMap<>();

    @Parameters(paramLabel = "FILE|GLOB", arity = "1..*", description = "the files to ship, or globs matching them")
    List<String> inputs;

    ParameterException badOption(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        return new ShipRun(this).call();
    }
}
