package io.fileflux.samples.cli;

import io.fileflux.kafka.KafkaShipper;
import io.fileflux.kafka.RecordRejectedException;
import io.fileflux.kafka.RejectionPolicy;
import io.fileflux.kafka.ShipEvent;
import io.fileflux.kafka.ShipperOptions;
import io.fileflux.kafka.ShipperStats;
import io.fileflux.kafka.SourceLine;
import io.fileflux.kafka.SourceLines;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code fileflux ship}: follows files (named, or matched by globs when the command starts) and ships
 * each line into a Kafka topic, acknowledging a line to its checkpoint only once the broker has it.
 * One tail per file, merged; one shipper with a bounded window of records in flight, so an unreachable
 * broker stops the file reads. Every second the checkpoints are saved (only acknowledged lines) and, on a
 * terminal, a status line is drawn on standard error. Ctrl-C or SIGTERM stops taking lines, waits up to
 * 30 s for the records in flight, saves the checkpoints and exits.
 */
@Command(name = "ship", mixinStandardHelpOptions = true,
        description = {"Follow files and ship each line to Kafka; a line counts as done (checkpoint) once the "
                + "broker acknowledged it.",
                "Globs ('logs/*.log', 'logs/**/*.log') are matched when the command starts."})
final class ShipCommand implements Callable<Integer> {

    /** How often the checkpoints are saved and the status line redrawn. */
    static final long TICK_MS = 1000;

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
            description = "resume after the checkpoint in FILE and save it as the broker acknowledges lines; with "
                    + "several files, one checkpoint per file: FILE.NAME-HASH")
    Path checkpoint;

    @Option(names = "--from-end", description = "start at the end of each file (default: the beginning); a "
            + "checkpoint wins")
    boolean fromEnd;

    @Option(names = "--once", description = "ship the files to their current end and exit (no following)")
    boolean once;

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "records read and not yet acknowledged by the broker (default 1024)")
    int maxInFlight = ShipperOptions.DEFAULT_MAX_IN_FLIGHT;

    @Option(names = "--on-reject", paramLabel = "fail|skip",
            description = "a record Kafka rejects for good (too large, not authorized): fail (exit 1, default) or "
                    + "skip it and report it on standard error")
    String onReject = "fail";

    @Option(names = {"-X", "--producer"}, paramLabel = "KEY=VALUE",
            description = "a Kafka producer setting (repeatable), e.g. -X compression.type=lz4")
    Map<String, String> producer = new LinkedHashMap<>();

    @Parameters(paramLabel = "FILE|GLOB", arity = "1..*", description = "the files to ship, or globs matching them")
    List<String> inputs;

    private ParameterException badOption(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        if (maxInFlight < 1) {
            throw badOption("--max-in-flight must be >= 1, was " + maxInFlight);
        }
        RejectionPolicy policy = switch (onReject) {
            case "fail" -> RejectionPolicy.FAIL;
            case "skip" -> RejectionPolicy.SKIP;
            default -> throw badOption("--on-reject must be fail or skip, was '" + onReject + "'");
        };
        ShipperOptions opts;
        try {
            opts = ShipperOptions.toTopic(topic);
        } catch (IllegalArgumentException e) {
            throw badOption("--topic: " + e.getMessage());
        }
        opts = opts.maxInFlight(maxInFlight).onRejected(policy).onEvent(ShipCommand::report);
        List<Path> files = resolve(inputs);
        Map<Path, Checkpointer> checkpoints = checkpointers(files);
        List<Flux<SourceLine>> tails = new ArrayList<>();
        for (Path f : files) {
            TailOptions t = TailOptions.defaults().engine(engine.engine()).follow(!once)
                    .startAt(fromEnd ? StartAt.end() : StartAt.beginning())
                    .onEvent(e -> System.err.println("fileflux ship: " + e));
            Checkpointer c = checkpoints.get(f);
            tails.add(SourceLines.tail(f, c != null ? t.checkpointer(c) : t));
        }
        Map<String, Object> config = KafkaShipper.producerConfig(bootstrap);
        config.putAll(producer);
        KafkaShipper shipper = KafkaShipper.create(config, opts);
        Status status = new Status(shipper.stats(), checkpoints.values(), CpCommand.Progress.stderrIsTerminal());
        Mono<Void> shipping = shipper.ship(Flux.merge(tails));
        Disposable[] running = new Disposable[1];
        Thread hook = new Thread(() -> {
            Disposable d = running[0];
            if (d != null) {
                d.dispose();
            }
            shutdown(shipper, status);
        }, "fileflux-ship-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        status.start();
        try {
            shipping.doOnSubscribe(s -> running[0] = () -> s.cancel()).block();
            shutdown(shipper, status);
            return 0;
        } catch (RecordRejectedException e) {
            shutdown(shipper, status);
            System.err.println("fileflux ship: " + e.getMessage());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }

    /** Closes the producer (waiting for the records in flight, which acknowledges them), then saves the checkpoints. */
    private static void shutdown(KafkaShipper shipper, Status status) {
        status.interrupt();
        shipper.close();
        status.saveCheckpoints();
        status.finish();
    }

    private static void report(ShipEvent e) {
        switch (e.kind()) {
            case RETRYING -> System.err.println("fileflux ship: Kafka unavailable, retrying " + e.path() + "@" + e.offset()
                    + ": " + e.cause().getMessage());
            case REJECTED -> System.err.println("fileflux ship: skipped the line at " + e.path() + "@" + e.offset()
                    + " (" + e.bytes() + " bytes): " + e.cause().getMessage());
            case FAILED -> System.err.println("fileflux ship: Kafka rejected the line at " + e.path() + "@" + e.offset()
                    + " (" + e.bytes() + " bytes): " + e.cause().getMessage());
        }
    }

    /** One checkpointer per file (saved by the status thread and at exit), or none without --checkpoint. */
    private Map<Path, Checkpointer> checkpointers(List<Path> files) {
        Map<Path, Checkpointer> out = new LinkedHashMap<>();
        if (checkpoint == null) {
            return out;
        }
        Path dir = checkpoint.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + ": directory " + dir + " does not exist");
        }
        for (Path f : files) {
            Path file = files.size() == 1 ? checkpoint : checkpoint.resolveSibling(checkpoint.getFileName() + "."
                    + f.getFileName() + "-" + String.format("%08x", f.toString().hashCode()));
            try {
                out.put(f, Checkpointer.to(CheckpointStore.file(file), null));
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException("--checkpoint " + file + ": cannot use it ("
                        + UserErrors.describe(e.getCause()) + "); delete it to start over without it", e);
            }
        }
        return out;
    }

    /**
     * The regular files the arguments name now: a plain path must exist; a glob ({@code * ? [ {}) is
     * matched against the files under its longest directory prefix without glob characters
     * ({@code **} crosses directories) and must match at least one. Sorted, without duplicates.
     */
    static List<Path> resolve(List<String> args) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String arg : args) {
            if (!isGlob(arg)) {
                Path p = Path.of(arg).toAbsolutePath().normalize();
                if (!Files.exists(p)) {
                    throw new NoSuchFileException(arg);
                }
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(arg + ": not a regular file");
                }
                out.add(p);
                continue;
            }
            String pattern = Path.of(arg).isAbsolute() ? arg : Path.of("").toAbsolutePath() + "/" + arg;
            int glob = firstGlobChar(pattern);
            int slash = pattern.lastIndexOf('/', glob);
            Path base = Path.of(slash <= 0 ? "/" : pattern.substring(0, slash));
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            List<Path> matched = new ArrayList<>();
            if (Files.isDirectory(base)) {
                int depth = pattern.contains("**") ? Integer.MAX_VALUE
                        : (int) pattern.substring(slash + 1).chars().filter(c -> c == '/').count() + 1;
                try (Stream<Path> walk = Files.walk(base, depth)) {
                    walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().forEach(matched::add);
                }
            }
            if (matched.isEmpty()) {
                throw new IllegalArgumentException(arg + ": no file matches");
            }
            out.addAll(matched);
        }
        return new ArrayList<>(out);
    }

    private static boolean isGlob(String arg) {
        return firstGlobChar(arg) >= 0;
    }

    private static int firstGlobChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Every {@link #TICK_MS}: saves the checkpoints (they cover only acknowledged lines) and, on a
     * terminal, redraws the status line on standard error: lines and bytes shipped, records in flight,
     * bytes behind (the files' sizes past what the broker acknowledged) and the broker's mean latency
     * over the last tick.
     */
    private static final class Status extends Thread {
        private final ShipperStats stats;
        private final List<Checkpointer> checkpoints;
        private final boolean terminal;
        private long lines;
        private long latency;

        Status(ShipperStats stats, java.util.Collection<Checkpointer> checkpoints, boolean terminal) {
            super("fileflux-ship-status");
            setDaemon(true);
            this.stats = stats;
            this.checkpoints = List.copyOf(checkpoints);
            this.terminal = terminal;
        }

        @Override
        public void run() {
            try {
                for (;;) {
                    Thread.sleep(TICK_MS);
                    saveCheckpoints();
                    if (terminal) {
                        System.err.print("\r" + line() + "\033[K");
                        System.err.flush();
                    }
                }
            } catch (InterruptedException e) {
                // stopping
            }
        }

        synchronized void saveCheckpoints() {
            for (Checkpointer c : checkpoints) {
                try {
                    c.flush();
                } catch (UncheckedIOException e) {
                    System.err.println("fileflux ship: cannot save the checkpoint: " + UserErrors.describe(e.getCause()));
                }
            }
        }

        void finish() {
            if (terminal) {
                System.err.println("\r" + line() + "\033[K");
            }
        }

        private String line() {
            long l = stats.linesShipped();
            long t = stats.latencyNanosTotal();
            long dl = l - lines;
            String broker = dl > 0 ? String.format("%.1f ms", (t - latency) / 1e6 / dl) : "-";
            lines = l;
            latency = t;
            long behind = stats.bytesBehind().values().stream().mapToLong(Long::longValue).sum();
            return String.format("shipped %,d lines (%s) | in flight %,d | behind %s | broker %s",
                    l, size(stats.bytesShipped()), stats.recordsInFlight(), size(behind), broker);
        }

        private static String size(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            String units = "KMGTPE";
            int u = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
            return String.format("%.1f %siB", bytes / Math.pow(1024, u), units.charAt(u - 1));
        }
    }
}
