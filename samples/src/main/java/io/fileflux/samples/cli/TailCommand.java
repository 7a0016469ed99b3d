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
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Subscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.BaseSubscriber;

/**
 * {@code fileflux tail}: prints the last lines of a file and, with {@code -f}/{@code -F}, follows it
 * like {@code tail -F} (across rotation and truncation). Lines are handed from the tail's thread to
 * the main thread through a queue bounded by the demand the main thread grants, so a slow terminal
 * slows reading instead of filling memory. With {@code --checkpoint} the checkpoint is saved after
 * the lines before it were flushed to standard output. Ctrl-C cancels the tail and saves the
 * checkpoint from a shutdown hook.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the last lines of a file; follow it with -f or -F (across rotation).")
final class TailCommand implements Callable<Integer> {

    /** Lines granted to the tail at a time. */
    private static final int WINDOW = 1024;
    private static final Object END = new Object();

    @Mixin
    EngineOption engine;

    @Option(names = "-f", description = "follow the file opened, as it grows (like tail -f)")
    boolean followDescriptor;

    @Option(names = "-F", description = "follow the name across rotation and truncation (like tail -F)")
    boolean followName;

    @Option(names = "-n", paramLabel = "N", description = "print the last N lines first (default 10)")
    long lines = 10;

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

    @Parameters(paramLabel = "FILE", description = "the file to print")
    Path file;

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

    @Override
    public Integer call() throws Exception {
        if (lines < 0) {
            throw new IllegalArgumentException("-n must be >= 0, was " + lines);
        }
        if (chunkSize <= 0 || chunkSize > (1 << 30)) {
            throw new IllegalArgumentException("--chunk-size must be between 1 and 1g, was " + chunkSize);
        }
        boolean appeared = followName && checkpoint == null && awaitFile();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Checkpointer acks = checkpoint == null ? null : Checkpointer.to(CheckpointStore.file(checkpoint), null);
        TailOptions opts = TailOptions.defaults().engine(engine.engine()).chunkSize((int) chunkSize)
                .follow(followDescriptor || followName).followRotation(followName)
                .pollInterval(Duration.ofMillis(pollMillis)).watch(!noWatch)
                .startAt(fromStart || appeared ? StartAt.beginning() : StartAt.lastLines(lines))
                .onEvent(queue::add);
        if (acks != null) {
            opts = opts.checkpointer(acks);
        }
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
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
        Thread hook = new Thread(() -> {
            tail.dispose();
            synchronized (out) {
                try {
                    out.flush();
                } catch (IOException e) {
                    // stdout gone: nothing to save it for
                }
                if (acks != null) {
                    acks.flush();
                }
            }
        }, "fileflux-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        FileFlux.tailLines(file, opts, LineOptions.defaults()).subscribe(tail);
        long taken = 0;
        try {
            for (;;) {
                Object o = queue.poll();
                if (o == null) {
                    synchronized (out) {
                        out.flush();
                        if (acks != null) {
                            acks.flush(); // only lines already on standard output are acknowledged
                        }
                    }
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
                synchronized (out) {
                    out.write(line.text().getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
                line.ack();
                if (++taken % (WINDOW / 2) == 0) {
                    tail.request(WINDOW / 2);
                }
            }
            synchronized (out) {
                out.flush();
                if (acks != null) {
                    acks.flush();
                }
            }
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
            default:
                return e.toString();
        }
    }
}
