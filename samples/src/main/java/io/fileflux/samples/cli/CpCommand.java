package io.fileflux.samples.cli;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.WriteOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fileflux cp}: copies a file through the read and write publishers. On a terminal it draws a
 * progress bar on standard error (bytes, rate, ETA), redrawn by its own thread from a counter the
 * engine thread only increments; elsewhere it is silent. Errors end it with one line and exit 1.
 */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = "Copy a file through Fileflux (reads and writes in flight, optional sync and atomic replace).")
final class CpCommand implements Callable<Integer> {

    @Mixin
    EngineOption engine;

    @Option(names = "--sync", description = "fsync the copy before reporting success")
    boolean sync;

    @Option(names = "--atomic",
            description = "write a temporary file beside DST, sync it, then rename it over DST (DST untouched on error)")
    boolean atomic;

    @Option(names = "--in-flight", paramLabel = "N", description = "reads and writes in flight, each (default 8)")
    int inFlight = 8;

    @Option(names = {"-n", "--no-clobber"}, description = "fail if DST exists")
    boolean noClobber;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar when attached to a terminal (default: on)")
    boolean progress;

    @Parameters(index = "0", paramLabel = "SRC", description = "file to copy")
    Path source;

    @Parameters(index = "1", paramLabel = "DST", description = "target file, or a directory to copy into")
    Path target;

    @Override
    public Integer call() throws Exception {
        Path dst = Files.isDirectory(target) ? target.resolve(source.getFileName()) : target;
        WriteOptions opts = WriteOptions.defaults().engine(engine.engine()).maxInFlight(inFlight).atomic(atomic)
                .durability(sync ? WriteOptions.Durability.FSYNC : WriteOptions.Durability.NONE);
        if (noClobber) {
            opts = opts.createNew();
        }
        long total = Files.isRegularFile(source) ? Files.size(source) : -1;
        AtomicLong written = new AtomicLong();
        Progress bar = progress && System.console() != null ? new Progress(System.err, total, written) : null;
        if (bar != null) {
            opts = opts.progress(written::set);
            bar.start();
        }
        try {
            FileFlux.copy(source, dst, opts).block();
        } finally {
            if (bar != null) {
                bar.stop();
            }
        }
        return 0;
    }

    /** The progress line: redrawn five times a second on its own daemon thread, erased or finished at the end. */
    static final class Progress {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private final long total;
        private final AtomicLong done;
        private final long startNanos = System.nanoTime();
        private ScheduledExecutorService timer;

        Progress(PrintStream out, long total, AtomicLong done) {
            this.out = out;
            this.total = total;
            this.done = done;
        }

        void start() {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fileflux-cp-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(() -> draw(false), 200, 200, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            draw(true);
        }

        private synchronized void draw(boolean last) {
            long n = done.get();
            double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
            double rate = n / seconds;
            out.print('\r' + line(n, total, rate, seconds) + (last ? "\n" : ""));
            out.flush();
        }

        static String line(long n, long total, double rate, double seconds) {
            StringBuilder sb = new StringBuilder();
            if (total > 0) {
                int filled = (int) Math.min(WIDTH, n * WIDTH / total);
                sb.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
                sb.append(String.format(Locale.ROOT, "%3d%% ", n * 100 / total));
            }
            sb.append(bytes(n));
            if (total >= 0) {
                sb.append(" / ").append(bytes(total));
            }
            sb.append("  ").append(bytes((long) rate)).append("/s");
            if (total > 0 && n < total && rate > 0) {
                sb.append("  ETA ").append(clock((total - n) / rate));
            } else {
                sb.append("  in ").append(clock(seconds));
            }
            sb.append("   "); // wipes the tail of a longer previous line
            return sb.toString();
        }

        static String bytes(long n) {
            String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
            double v = n;
            int u = 0;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
        }

        static String clock(double seconds) {
            long s = Math.round(seconds);
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
