package io.fileflux.samples.cli;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Subscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.publisher.BaseSubscriber;

/**
 * {@code fileflux tail}: prints the last lines of a file and, with {@code -f}/{@code -F}, follows it
 * like {@code tail -F} (across rotation and truncation). Output is the file's bytes exactly: lines are
 * decoded as ISO-8859-1 (one char per byte) and written back with the terminator they had
 * ({@code \n}, {@code \r\n} or none), so invalid UTF-8, CRLF and a last line without newline come out
 * as they are; when following, an incomplete last line is printed after a short idle time and its
 * rest, later, right after it.
 *
 * <p>Lines are handed from the tail's thread to the main thread through a queue bounded by the demand
 * the main thread grants, so a slow terminal slows reading instead of filling memory. With
 * {@code --checkpoint} the checkpoint is saved only after the lines before it were flushed to standard
 * output: whenever the queue drains, and at least every second or {@value #SAVE_EVERY_LINES} lines
 * under a backlog. Ctrl-C or SIGTERM cancels the tail and, if standard output can be flushed within
 * {@link #SHUTDOWN_WAIT_MS} ms, saves the checkpoint from a shutdown hook; if it cannot (a stalled pipe
 * reader), the checkpoint is left where it was and the JVM exits anyway.
 *
 * <p>A pipe, FIFO or standard input ({@code -}) is read to its end, keeping only the last N lines.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the last lines of a file; follow it with -f or -F (across rotation).")
final class TailCommand implements Callable<Integer> {

    /** Lines granted to the tail at a time. */
    private static final int WINDOW = 1024;
    private static final Object END = new Object();
    /** Under a backlog, stdout is flushed and the checkpoint saved at least this often... */
    static final long SAVE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** ...and at least every this many lines. */
    static final int SAVE_EVERY_LINES = 10_000;
    /** How long the shutdown hook waits for the output lock, then for the flush of standard output. */
    static final long SHUTDOWN_WAIT_MS = 2000;
    /** When following, an incomplete last line is printed after the file was idle this long. */
    static final Duration FLUSH_IDLE = Duration.ofMillis(20);

    @Spec
    CommandSpec spec;

    @Mixin
    EngineOption engine;

    @Option(names = "-f", description = "follow the file opened, as it grows (like tail -f)")
    boolean followDescriptor;

    @Option(names = "-F", description = "follow the name across rotation and truncation (like tail -F)")
    boolean followName;

    @Option(names = "-n", paramLabel = "[+]N",
            description = "print the last N lines first (default 10); +N: start with line N. "
                    + "Suffixes as GNU tail: b (512), kB (1000), K (1024), MB, M, GB, G...")
    String count = "10";

    @Option(names = "--from-start", description = "start at the beginning of the file")
    boolean fromStart;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "resume after the checkpoint in FILE if it exists; save it as lines are printed")
    Path checkpoint;

    @Option(names = "--poll", paramLabel = "MS", description = "poll interval in ms under notifications (default 200)")
    long pollMillis = 200;

    @Option(names = "--no-watch", description = "poll only, without file-change notifications")
    boolean noWatch;

    @Option(names = "--chunk-size", paramLabel = "N", converter = SizeConverter.class,
            description = "bytes per read (default 1m; k, m, g suffixes)")
    long chunkSize = 1 << 20;

    @Parameters(paramLabel = "FILE", description = "the file to print; - for standard input")
    String fileName;

    private Path file;

    /** A parsed {@code -n}: the last {@code n} lines, or ({@code fromLine}) starting with line {@code n}. */
    record Count(boolean fromLine, long n) {

        /** Parses {@code N}, {@code -N}, {@code +N}, with GNU tail's multiplier suffixes. */
        static Count parse(String value) {
            String v = value.trim();
            boolean plus = v.startsWith("+");
            if (plus || v.startsWith("-")) {
                v = v.substring(1);
            }
            int digits = 0;
            while (digits < v.length() && Character.isDigit(v.charAt(digits))) {
                digits++;
            }
            if (digits == 0) {
                throw new IllegalArgumentException("invalid number of lines: '" + value + "'");
            }
            long unit = unit(v.substring(digits));
            if (unit < 0) {
                throw new IllegalArgumentException("invalid number of lines: '" + value + "'");
            }
            try {
                return new Count(plus, Math.multiplyExact(Long.parseLong(v.substring(0, digits)), unit));
            } catch (NumberFormatException | ArithmeticException e) {
                return new Count(plus, Long.MAX_VALUE); // as GNU tail: a huge count means "all"
            }
        }

        private static long unit(String suffix) {
            if (suffix.isEmpty()) {
                return 1;
            }
            if (suffix.equals("b")) {
                return 512;
            }
            String letters = "KMGTPE";
            int power = letters.indexOf(Character.toUpperCase(suffix.charAt(0))) + 1;
            if (power == 0) {
                return -1;
            }
            String rest = suffix.substring(1);
            long base;
            if (rest.isEmpty() || rest.equals("iB")) {
                base = 1024;
            } else if (rest.equals("B")) {
                base = 1000;
            } else {
                return -1;
            }
            long u = 1;
            for (int i = 0; i < power; i++) {
                u *= base;
            }
            return u;
        }
    }

    /**
     * {@code -F} on a path that does not exist yet waits for it, as {@code tail -F} does (checking
     * every poll interval; Ctrl-C ends the wait). Returns true if the file had to be waited for: it
     * is then new, and printed from its beginning.
     */
    private boolean awaitFile() throws InterruptedException {
        if (Files.exists(file)) {
            return false;
        }
        System.err.println("fileflux tail: cannot open '" + file + "' for reading: No such file or directory");
        while (!Files.exists(file)) {
            Thread.sleep(Math.max(10, pollMillis));
        }
        System.err.println("fileflux tail: '" + file + "' has appeared; following new file");
        return true;
    }

    private ParameterException badOption(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        Count n;
        try {
            n = Count.parse(count);
        } catch (IllegalArgumentException e) {
            throw badOption(e.getMessage());
        }
        if (pollMillis < 1) {
            throw badOption("--poll must be >= 1 (ms), was " + pollMillis);
        }
        if (chunkSize <= 0 || chunkSize > (1 << 30)) {
            throw badOption("--chunk-size must be between 1 and 1g, was " + chunkSize);
        }
        file = CliPaths.input(fileName); // '-' is standard input, as for cat and cp
        boolean stream = Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file);
        if (Files.isDirectory(file)) {
            throw new FileSystemException(fileName, null, "Is a directory");
        }
        if (stream && checkpoint != null) {
            throw badOption("--checkpoint needs a regular file; " + fileName + " is a pipe or a device");
        }
        boolean follow = (followDescriptor || followName) && !stream;
        if (stream && (followDescriptor || followName)) {
            System.err.println("fileflux tail: warning: following a pipe is ineffective; reading "
                    + (fileName.equals("-") ? "standard input" : "'" + fileName + "'") + " to its end");
        }
        Checkpointer acks = null;
        if (checkpoint != null) {
            Path dir = checkpoint.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + ": directory " + dir
                        + " does not exist");
            }
            try {
                acks = Checkpointer.to(CheckpointStore.file(checkpoint), null);
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + ": cannot use it ("
                        + UserErrors.describe(e.getCause()) + "); delete it to start over without it", e);
            }
        }
        boolean resuming = acks != null && acks.committed().isPresent();
        boolean appeared = followName && !stream && awaitFile();
        StartAt start;
        long skip = 0; // -n +N: lines to leave out first
        ArrayDeque<byte[]> ring = null; // a pipe: the last N lines, printed at its end
        if (fromStart || appeared || resuming) {
            start = StartAt.beginning(); // (a committed checkpoint wins anyway)
        } else if (n.fromLine()) {
            start = StartAt.beginning();
            skip = Math.max(0, n.n() - 1);
        } else if (stream) {
            start = StartAt.beginning();
            ring = new ArrayDeque<>();
        } else {
            start = StartAt.lastLines(n.n());
        }
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        TailOptions opts = TailOptions.defaults().engine(engine.engine()).chunkSize((int) chunkSize)
                .follow(follow).followRotation(followName)
                .pollInterval(Duration.ofMillis(pollMillis)).watch(!noWatch)
                .startAt(start)
                .onEvent(queue::add);
        if (acks != null) {
            opts = opts.checkpointer(acks);
        }
        LineOptions lineOptions = LineOptions.defaults().charset(StandardCharsets.ISO_8859_1);
        if (follow) {
            lineOptions = lineOptions.flushIdle(FLUSH_IDLE);
        }
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        // Held while writing or flushing standard output (which blocks when the reader stalls); the
        // shutdown hook only waits a bounded time for it.
        ReentrantLock outLock = new ReentrantLock();
        BaseSubscriber<TailLine> tail = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(WINDOW);
            }

            @Override
            protected void hookOnNext(TailLine line) {
                queue.add(line);
            }

            @Override
            protected void hookOnComplete() {
                queue.add(END);
            }

            @Override
            protected void hookOnError(Throwable t) {
                queue.add(t);
            }
        };
        Checkpointer savedBy = acks;
        Thread hook = new Thread(() -> {
            tail.dispose();
            shutdownFlush(out, outLock, savedBy);
        }, "fileflux-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        FileFlux.tailLines(file, opts, lineOptions).subscribe(tail);
        long taken = 0;
        long sinceSave = 0;
        long lastSave = System.nanoTime();
        ByteArrayOutputStream partLine = ring != null ? new ByteArrayOutputStream() : null;
        try {
            for (;;) {
                Object o = queue.poll();
                if (o == null) {
                    flushAndSave(out, outLock, acks); // only lines already on standard output are acknowledged
                    sinceSave = 0;
                    lastSave = System.nanoTime();
                    o = queue.take();
                }
                if (o == END) {
                    break;
                }
                if (o instanceof Throwable t) {
                    throw t instanceof Exception e ? e : new RuntimeException(t);
                }
                if (o instanceof TailEvent e) {
                    System.err.println("fileflux tail: " + describe(e));
                    continue;
                }
                TailLine line = (TailLine) o;
                if (++taken % (WINDOW / 2) == 0) {
                    tail.request(WINDOW / 2);
                }
                if (skip > 0) {
                    if (line.terminator().endsLine()) {
                        skip--;
                    }
                    line.ack(); // left out, but done with
                    continue;
                }
                if (ring != null) {
                    partLine.writeBytes(bytes(line));
                    if (line.terminator().endsLine()) {
                        keepLast(ring, partLine, n.n());
                    }
                    continue;
                }
                outLock.lock();
                try {
                    out.write(bytes(line));
                } finally {
                    outLock.unlock();
                }
                line.ack();
                if (acks != null && (++sinceSave >= SAVE_EVERY_LINES || System.nanoTime() - lastSave >= SAVE_EVERY_NANOS)) {
                    flushAndSave(out, outLock, acks); // a backlog: do not wait for the queue to drain
                    sinceSave = 0;
                    lastSave = System.nanoTime();
                }
            }
            if (ring != null) {
                if (partLine.size() > 0) {
                    keepLast(ring, partLine, n.n()); // an unterminated last line counts as one
                }
                for (byte[] b : ring) {
                    out.write(b);
                }
            }
            flushAndSave(out, outLock, acks);
            return 0;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Broken pipe")) {
                return CatCommand.EXIT_BROKEN_PIPE;
            }
            throw e;
        } finally {
            tail.dispose();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }

    /** The line's bytes as they were in the file: ISO-8859-1 text and its own terminator. */
    private static byte[] bytes(TailLine line) {
        String t = line.terminator().text();
        return (t.isEmpty() ? line.text() : line.text() + t).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void keepLast(ArrayDeque<byte[]> ring, ByteArrayOutputStream line, long n) {
        if (n > 0) {
            if (ring.size() == n) {
                ring.pollFirst();
            }
            ring.addLast(line.toByteArray());
        }
        line.reset();
    }

    /** Flushes standard output, then saves the checkpoint: it covers only lines already written out. */
    private static void flushAndSave(OutputStream out, ReentrantLock outLock, Checkpointer acks) throws IOException {
        outLock.lock();
        try {
            out.flush();
            if (acks != null) {
                acks.flush();
            }
        } finally {
            outLock.unlock();
        }
    }

    /**
     * From the shutdown hook: never waits unboundedly. Takes the output lock (the main thread holds it
     * while blocked in a write to a stalled pipe) and flushes, each within {@link #SHUTDOWN_WAIT_MS};
     * the checkpoint is saved only if the flush completed, so it never covers lines that did not
     * reach standard output. Otherwise the JVM exits with the checkpoint where it was (at-least-once).
     */
    static void shutdownFlush(OutputStream out, ReentrantLock outLock, Checkpointer acks) {
        try {
            if (!outLock.tryLock(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return; // blocked writing: stdout is stalled, nothing more gets out
            }
        } catch (InterruptedException e) {
            return;
        }
        try {
            CountDownLatch flushed = new CountDownLatch(1);
            Thread flusher = new Thread(() -> {
                try {
                    out.flush();
                    flushed.countDown();
                } catch (IOException e) {
                    // stdout gone: nothing to save it for
                }
            }, "fileflux-tail-shutdown-flush");
            flusher.setDaemon(true);
            flusher.start();
            if (flushed.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS) && acks != null) {
                acks.flush();
            }
        } catch (InterruptedException | RuntimeException e) {
            // exiting anyway; the checkpoint stays where it was
        } finally {
            outLock.unlock();
        }
    }

    private static String describe(TailEvent e) {
        switch (e.kind()) {
            case ROTATED:
                return e.path() + " has been replaced; following new file";
            case TRUNCATED:
                return e.path() + ": file truncated";
            case MISSING:
                return e.path() + " has become inaccessible: No such file or directory";
            case RESUMED_ROTATED:
                return "resuming in rotated file " + e.path() + " at offset " + e.offset();
            case CHECKPOINT_LOST:
                return e.path() + ": checkpoint's file gone or truncated; starting at the beginning";
            case SKIPPED:
                return e.path() + ": too many rotated files behind; skipped one of " + e.offset() + " bytes ("
                        + e.identity() + ")";
            case UNTRACKABLE:
                return "'" + e.path() + "' has been replaced with an untrackable file; "
                        + "reading the old file until a regular file is there again";
            default:
                return e.toString();
        }
    }
}
