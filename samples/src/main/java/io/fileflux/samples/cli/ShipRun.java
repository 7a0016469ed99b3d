package io.fileflux.samples.cli;

import io.fileflux.kafka.KafkaShipper;
import io.fileflux.kafka.RecordRejectedException;
import io.fileflux.kafka.RejectionPolicy;
import io.fileflux.kafka.ShipEvent;
import io.fileflux.kafka.ShipperOptions;
import io.fileflux.kafka.ShipperStats;
import io.fileflux.kafka.SourceLine;
import io.fileflux.kafka.SourceLines;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.FileLine;
import io.fileflux.reactor.tail.many.FileSetEvent;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The work of {@code fileflux ship} (see {@link ShipCommand}, which holds the options): one
 * {@link FileFlux#tailAll} over every argument (plain paths and globs, followed live), one shipper with a
 * bounded window of records in flight, one {@link CheckpointRegistry} for every file.
 *
 * <p>Checkpoints: the many-files tail saves each file's acknowledged position to the registry at most
 * once a second, and when a file's tail ends. Lines acknowledged after that last save (the broker's
 * confirmations of the window in flight) are saved at the end: once every line taken has been
 * acknowledged, each file's last acknowledged position is written to the registry when it is past the
 * entry there (same file identity).
 *
 * <p>Stopping: Ctrl-C or SIGTERM stops handing lines to the shipper (lines read after that are dropped,
 * never acknowledged: a restart reads them again), waits up to 30 s until the records in flight are
 * acknowledged, then cancels the tail (which saves the checkpoints) and saves the last positions as
 * above. A status line is drawn on standard error every second when it is a terminal.
 */
final class ShipRun {

    /** How long a stop waits for the records in flight. */
    private static final long DRAIN_MILLIS = 30_000;

    private final ShipCommand cmd;
    /** Per path, the checkpoint after the last line acknowledged (the furthest one in the same file). */
    private final Map<Path, Checkpoint> lastAcked = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicInteger followed = new AtomicInteger();

    ShipRun(ShipCommand cmd) {
        this.cmd = cmd;
    }

    Integer call() throws Exception {
        if (cmd.maxInFlight < 1) {
            throw cmd.badOption("--max-in-flight must be >= 1, was " + cmd.maxInFlight);
        }
        RejectionPolicy policy = switch (cmd.onReject) {
            case "fail" -> RejectionPolicy.FAIL;
            case "skip" -> RejectionPolicy.SKIP;
            default -> throw cmd.badOption("--on-reject must be fail or skip, was '" + cmd.onReject + "'");
        };
        ShipperOptions opts;
        try {
            opts = ShipperOptions.toTopic(cmd.topic);
        } catch (IllegalArgumentException e) {
            throw cmd.badOption("--topic: " + e.getMessage());
        }
        opts = opts.maxInFlight(cmd.maxInFlight).onRejected(policy).onEvent(ShipRun::report);
        for (String arg : cmd.inputs) {
            checkPlainPath(arg);
        }
        CheckpointRegistry registry = openRegistry();
        try {
            return ship(opts, registry);
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    private int ship(ShipperOptions opts, CheckpointRegistry registry) throws Exception {
        TailAllOptions tail = TailAllOptions.of(cmd.inputs.toArray(String[]::new))
                .fileOptions(TailOptions.defaults().engine(cmd.engine.engine()).follow(!cmd.once).watch(false)
                        .startAt(cmd.fromEnd ? StartAt.end() : StartAt.beginning()))
                .lineOptions(LineOptions.defaults().charset(StandardCharsets.ISO_8859_1))
                .onEvent(e -> System.err.println("fileflux ship: " + e))
                .onFileEvent(this::fileEvent);
        if (registry != null) {
            tail = tail.registry(registry, Duration.ofSeconds(1));
        }
        Flux<SourceLine> lines = FileFlux.tailAll(tail)
                .filter(l -> !stopping.get())
                .map(this::source);
        Map<String, Object> config = KafkaShipper.producerConfig(cmd.bootstrap);
        config.putAll(cmd.producer);
        KafkaShipper shipper = KafkaShipper.create(config, opts);
        Status status = CpCommand.Progress.stderrIsTerminal() ? new Status(shipper.stats()) : null;
        Mono<Void> shipping = shipper.ship(lines);
        Disposable[] running = new Disposable[1];
        Thread hook = new Thread(() -> {
            stopping.set(true);
            boolean drained = awaitDrained(shipper.stats());
            Disposable d = running[0];
            if (d != null) {
                d.dispose(); // the tails save their checkpoints before this returns
            }
            finish(shipper, status, drained ? registry : null);
        }, "fileflux-ship-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (status != null) {
            status.start();
        }
        try {
            shipping.doOnSubscribe(s -> running[0] = s::cancel).block();
            if (cmd.once && followed.get() == 0) {
                finish(shipper, status, registry);
                System.err.println("fileflux ship: no file matches " + String.join(" ", cmd.inputs));
                return 1;
            }
            finish(shipper, status, registry); // every line taken was acknowledged
            return 0;
        } catch (RecordRejectedException e) {
            finish(shipper, status, null);
            System.err.println("fileflux ship: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            finish(shipper, status, null);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }

    /** A plain path (no glob character) must name a regular file; a glob may match nothing yet. */
    private static void checkPlainPath(String arg) throws NoSuchFileException {
        for (int i = 0; i < arg.length(); i++) {
            if ("*?[{".indexOf(arg.charAt(i)) >= 0) {
                return;
            }
        }
        Path p = Path.of(arg);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(arg);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(arg + ": not a regular file");
        }
    }

    private CheckpointRegistry openRegistry() {
        if (cmd.checkpoint == null) {
            return null;
        }
        Path dir = cmd.checkpoint.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--checkpoint " + cmd.checkpoint + ": directory " + dir
                    + " does not exist");
        }
        try {
            return CheckpointRegistry.open(cmd.checkpoint, TailCommand.FORGET_AFTER);
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new IllegalArgumentException("--checkpoint " + cmd.checkpoint + ": cannot use it ("
                    + (e instanceof UncheckedIOException u ? UserErrors.describe(u.getCause()) : e.getMessage())
                    + "); delete it to start over without it", e);
        }
    }

    /** The line as the shipper takes it; its acknowledgement also remembers the file's furthest position. */
    private SourceLine source(FileLine line) {
        SourceLine s = SourceLines.of(line, StandardCharsets.ISO_8859_1);
        Checkpoint cp = line.checkpoint();
        if (cp == null) {
            return s;
        }
        return new SourceLine(s.path(), s.identity(), s.offset(), s.end(), s.value(), () -> {
            line.ack();
            lastAcked.merge(line.path(), cp, (old, now) -> old.identity().equals(now.identity())
                    && old.offset() > now.offset() ? old : now);
        });
    }

    private void fileEvent(FileSetEvent e) {
        if (e.kind() == FileSetEvent.Kind.FOLLOWING) {
            followed.incrementAndGet();
        } else {
            System.err.println("fileflux ship: " + e);
        }
    }

    /** Waits (bounded) until nothing is in flight; false if records were still unacknowledged. */
    private static boolean awaitDrained(ShipperStats stats) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        while (stats.recordsInFlight() > 0) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("fileflux ship: " + stats.recordsInFlight() + " records still in flight after "
                        + DRAIN_MILLIS / 1000 + " s: they are sent again by the next run");
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Once: stops the status line, closes the producer (waiting for what is still in flight) and, with
     * {@code registry} (given only when every line taken was acknowledged), saves each file's last
     * acknowledged position where it is past the registry's entry for the same file.
     */
    private void finish(KafkaShipper shipper, Status status, CheckpointRegistry registry) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (status != null) {
            status.interrupt();
        }
        shipper.close();
        if (registry != null) {
            lastAcked.forEach((path, cp) -> {
                // tailAll keeps one entry per file, keyed by its identity
                CheckpointStore store = registry.store(cp.identity(), path);
                Checkpoint old = store.load().orElse(null);
                if (old == null || old.offset() < cp.offset()) {
                    try {
                        store.save(cp);
                    } catch (UncheckedIOException | IllegalStateException e) {
                        System.err.println("fileflux ship: cannot save the checkpoint of " + path + ": "
                                + (e instanceof UncheckedIOException u ? UserErrors.describe(u.getCause())
                                : e.getMessage()));
                    }
                }
            });
        }
        if (status != null) {
            status.finish();
        }
    }

    private static void report(ShipEvent e) {
        switch (e.kind()) {
            case RETRYING -> System.err.println("fileflux ship: Kafka unavailable, retrying " + e.path() + "@"
                    + e.offset() + ": " + e.cause().getMessage());
            case REJECTED -> System.err.println("fileflux ship: skipped the line at " + e.path() + "@" + e.offset()
                    + " (" + e.bytes() + " bytes): " + e.cause().getMessage());
            case FAILED -> System.err.println("fileflux ship: Kafka rejected the line at " + e.path() + "@"
                    + e.offset() + " (" + e.bytes() + " bytes): " + e.cause().getMessage());
        }
    }

    /**
     * Every {@link ShipCommand#TICK_MS}, on a terminal, redraws the status line on standard error: lines
     * and bytes shipped, records in flight, bytes behind (the files' sizes past what the broker
     * acknowledged) and the broker's mean latency over the last tick.
     */
    private static final class Status extends Thread {
        private final ShipperStats stats;
        private long lines;
        private long latency;

        Status(ShipperStats stats) {
            super("fileflux-ship-status");
            setDaemon(true);
            this.stats = stats;
        }

        @Override
        public void run() {
            try {
                for (;;) {
                    Thread.sleep(ShipCommand.TICK_MS);
                    System.err.print("\r" + line() + "\033[K");
                    System.err.flush();
                }
            } catch (InterruptedException e) {
                // stopping
            }
        }

        void finish() {
            System.err.println("\r" + line() + "\033[K");
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
