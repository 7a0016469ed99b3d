package io.fileflux.samples.cli;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.WriteOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * {@code fileflux cp}: copies a file with {@link FileFlux#copy} — in the kernel ({@code copy_file_range},
 * holes kept) on Linux's io_uring engine, else through the read and write publishers. The source is opened
 * before the target is created or truncated; {@code --atomic} replaces the file a symbolic link names, as
 * a plain copy writes through it. On a terminal it draws a
 * progress bar on standard error (bytes, rate, ETA), redrawn by its own thread from a counter the
 * engine thread only increments; elsewhere it is silent. Errors end it with one line and exit 1.
 */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = "Copy a file through Fileflux: in the kernel with holes kept (copy_file_range, io_uring engine), "
                + "else reads and writes in flight; optional sync and atomic replace.")
final class CpCommand implements Callable<Integer> {

    @Mixin
    EngineOption engine;

    @Option(names = "--sync", description = "fsync the copy before reporting success")
    boolean sync;

    @Option(names = "--atomic",
            description = "write a temporary file beside DST (beside the file it names if DST is a symbolic link), sync it, "
                    + "then rename it over DST (DST untouched on error); removes such temporary files a killed copy "
                    + "left (older than 10 minutes and open nowhere)")
    boolean atomic;

    @Option(names = "--in-flight", paramLabel = "N", description = "reads and writes in flight, each (default 8)")
    int inFlight = 8;

    @Option(names = {"-n", "--no-clobber"}, description = "fail if DST exists")
    boolean noClobber;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar when attached to a terminal (default: on)")
    boolean progress;

    @Parameters(index = "0", paramLabel = "SRC", description = "file to copy ('-' is standard input)")
    String sourceArg;

    @Parameters(index = "1", paramLabel = "DST", description = "target file, or a directory to copy into")
    String targetArg;

    @Override
    public Integer call() throws Exception {
        if (inFlight < 1 || inFlight > WriteOptions.MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("--in-flight must be between 1 and " + WriteOptions.MAX_IN_FLIGHT_LIMIT
                    + ", was " + inFlight);
        }
        Path source = CliPaths.input(sourceArg);
        Path target = CliPaths.output(targetArg);
        if (Files.isDirectory(source)) {
            throw new FileSystemException(sourceArg, null, "Is a directory (cp copies one file)");
        }
        Path dst = Files.isDirectory(target) && source.getFileName() != null
                ? target.resolve(source.getFileName()) : target;
        WriteOptions opts = WriteOptions.defaults().engine(engine.engine()).maxInFlight(inFlight).atomic(atomic)
                .durability(sync ? WriteOptions.Durability.FSYNC : WriteOptions.Durability.NONE);
        if (noClobber) {
            opts = opts.createNew();
        }
        boolean regular = Files.isRegularFile(source);
        Set<PosixFilePermission> mode = regular ? sourceMode(source) : null;
        if (mode != null) {
            opts = opts.permissions(mode); // like cp: a new file gets the source's mode (less the umask)
        }
        // a /proc file reports size 0 whatever it holds: treat 0 as unknown (an empty file just shows 0 B)
        long size = regular ? Files.size(source) : 0;
        long total = size > 0 ? size : -1;
        AtomicLong written = new AtomicLong();
        Progress bar = progress && Progress.stderrIsTerminal() ? new Progress(System.err, total, written) : null;
        if (bar != null) {
            opts = opts.progress(written::set);
        }
        // atomic: the temporary file is made beside the file a symbolic link names (the link stays)
        Path tempsOf = atomic && Files.isSymbolicLink(dst) && Files.exists(dst) ? dst.toRealPath() : dst;
        Set<Path> tempsBefore = atomic ? temporaryFilesOf(tempsOf) : Set.of();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Ctrl-C or kill: cancel the copy and wait (briefly) until its temporary file is gone. The hook
        // is in place before the copy creates anything; a copy started after it ran is disposed at once.
        Disposable.Swap copy = Disposables.swap();
        Thread hook = new Thread(() -> {
            copy.dispose();
            if (atomic) {
                awaitTemporaryFilesGone(tempsOf, tempsBefore, 5_000);
            }
        }, "fileflux-cp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        copy.update(FileFlux.copy(source, dst, opts)
                .doOnSubscribe(s -> {
                    if (bar != null) {
                        bar.start();
                    }
                })
                .subscribe(n -> { }, e -> {
                    failure.set(e);
                    done.countDown();
                }, done::countDown));
        boolean ok = false;
        try {
            done.await();
            Throwable e = failure.get();
            if (e != null) {
                throw e instanceof Exception ex ? ex : new RuntimeException(e);
            }
            ok = true;
        } catch (Exception e) {
            throw atomic ? new TempNamedException(e, dst) : e;
        } finally {
            if (bar != null) {
                bar.stop(ok);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook cancels the copy
            }
        }
        return 0;
    }

    private static Set<PosixFilePermission> sourceMode(Path source) {
        try {
            return Files.getPosixFilePermissions(source);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * The name the write path gives an atomic copy's temporary file beside {@code dst}:
     * {@code .NAME.fileflux-HEX.tmp}. Used to find them and to name the target in their errors.
     */
    private static Pattern temporaryNameOf(Path dst) {
        return Pattern.compile("\\." + Pattern.quote(String.valueOf(dst.getFileName())) + "\\.fileflux-[0-9a-f]+\\.tmp");
    }

    /** The atomic mode's temporary files beside {@code dst}. */
    static Set<Path> temporaryFilesOf(Path dst) {
        Path dir = dst.toAbsolutePath().getParent();
        if (dir == null || dst.getFileName() == null) {
            return Set.of();
        }
        Pattern name = temporaryNameOf(dst);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> name.matcher(p.getFileName().toString()).matches()).collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static void awaitTemporaryFilesGone(Path dst, Set<Path> before, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Set<Path> now = new HashSet<>(temporaryFilesOf(dst));
            now.removeAll(before);
            if (now.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** An atomic copy's error names the target, not the hidden temporary file it was writing. */
    static final class TempNamedException extends IOException {
        TempNamedException(Exception cause, Path dst) {
            super(Pattern.compile("\\S*" + temporaryNameOf(dst).pattern()).matcher(UserErrors.describe(cause))
                    .replaceAll(Matcher.quoteReplacement(dst + " (while writing its temporary copy)")), cause);
        }
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

        /** Ends the bar: the final line on success; erased after a failure (the error line follows). */
        void stop(boolean success) throws InterruptedException {
            if (timer == null) {
                return; // never started: the copy failed before it opened anything
            }
            timer.shutdownNow();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            if (success) {
                draw(true);
            } else {
                synchronized (this) {
                    out.print("\r" + " ".repeat(lastWidth) + "\r");
                    out.flush();
                }
            }
        }

        /**
         * True when standard error is a terminal (the bar goes there, whatever stdin and stdout are).
         * Linux: where fd 2 points; elsewhere, whether the JVM has a console.
         */
        static boolean stderrIsTerminal() {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return System.console() != null;
            }
        }

        private int lastWidth;

        private synchronized void draw(boolean last) {
            long n = done.get();
            double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
            double rate = n / seconds;
            String line = line(n, total, rate, seconds);
            lastWidth = line.length();
            out.print('\r' + line + (last ? "\n" : ""));
            out.flush();
        }

        static String line(long n, long total, double rate, double seconds) {
            if (total >= 0 && n > total) {
                total = -1; // the source grew while copied: its size no longer means anything
            }
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
