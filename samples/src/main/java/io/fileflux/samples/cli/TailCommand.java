package io.fileflux.samples.cli;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.CheckpointStore;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailChunk;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.FileLine;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code fileflux tail}: prints the last lines of files and, with {@code -f}/{@code -F}, follows them
 * like {@code tail -F} (across rotation and truncation). Output is the files' bytes exactly.
 *
 * <p>One regular file is tailed as bytes ({@link FileFlux#tail}): chunks are copied to standard output
 * as read, never decoded, and {@code -n +N} skips by counting newlines. Several files, or a glob
 * ({@code 'logs/*.log'}, quoted so that files created later are found too), are followed with
 * {@link FileFlux#tailAll} as lines decoded as ISO-8859-1 (one char per byte) and written back with
 * their own terminator, with a {@code ==> path <==} header whenever the file changes, as GNU tail
 * prints (unless {@code -q}); with {@code --checkpoint} their checkpoints share one registry file.
 * There {@code -f} and {@code -F} behave alike: each file is followed by identity (read on whatever it
 * is renamed to, never twice under two matching names) and a new file at a matching name is followed
 * from its beginning; the header names the path each file was found at.
 * A pipe, FIFO or standard input ({@code -}) is read to its end, keeping only the last N lines.
 *
 * <p>Printing, checkpoint saves and shutdown are {@link TailOutput}'s: a checkpoint only covers what
 * reached standard output. One file's chunks are printed on the tail's delivery thread; lines (several
 * files, pipes) by the main thread.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the last lines of files; follow them with -f or -F (across rotation); "
                + "quoted globs ('logs/*.log') also follow files created later.")
final class TailCommand implements Callable<Integer> {

    /** Chunks granted to a single-file tail at a time (memory: this many chunks at most). */
    private static final int CHUNK_WINDOW = 4;
    /** Lines granted at a time (lines modes). */
    private static final int LINE_WINDOW = 1024;
    /** When following lines, an incomplete last line is printed after the file was idle this long. */
    static final Duration FLUSH_IDLE = Duration.ofMillis(20);
    /** Registry entries of files gone this long are dropped. */
    static final Duration FORGET_AFTER = Duration.ofDays(7);

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
            description = "resume after the checkpoint in FILE if it exists; save it as lines are printed "
                    + "(several files: one registry file for all)")
    Path checkpoint;

    @Option(names = "--poll", paramLabel = "MS", description = "poll interval in ms under notifications (default 200)")
    long pollMillis = 200;

    @Option(names = "--no-watch", description = "poll only, without file-change notifications")
    boolean noWatch;

    @Option(names = "--chunk-size", paramLabel = "N", converter = SizeConverter.class,
            description = "bytes per read (default 1m; k, m, g suffixes)")
    long chunkSize = 1 << 20;

    @Option(names = "--max-pending", paramLabel = "N",
            description = "rotated files of one name held open while waiting to be read (default 8); "
                    + "beyond, the oldest is skipped and reported")
    int maxPending = TailOptions.DEFAULT_MAX_PENDING_FILES;

    @Option(names = {"-q", "--quiet", "--silent"}, description = "never print headers giving file names")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "always print headers giving file names")
    boolean verbose;

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "leave out files matching GLOB (a name glob like '*.gz', or a path glob); repeatable")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--max-files", paramLabel = "N",
            description = "files followed at once, at most (default 1024); more wait for one to end")
    int maxFiles = TailAllOptions.DEFAULT_MAX_FILES;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "files or quoted globs to print; - for standard input")
    List<String> fileNames;

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

    private Path file;

    private ParameterException badOption(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static boolean wild(String name) {
        return name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    @Override
    public Integer call() throws Exception {
        LineCount n;
        try {
            n = LineCount.parse(count);
        } catch (IllegalArgumentException e) {
            throw badOption(e.getMessage());
        }
        if (pollMillis < 1) {
            throw badOption("--poll must be >= 1 (ms), was " + pollMillis);
        }
        if (chunkSize <= 0 || chunkSize > (1 << 30)) {
            throw badOption("--chunk-size must be between 1 and 1g, was " + chunkSize);
        }
        if (maxPending < 1) {
            throw badOption("--max-pending must be >= 1, was " + maxPending);
        }
        if (maxFiles < 1) {
            throw badOption("--max-files must be >= 1, was " + maxFiles);
        }
        if (checkpoint != null) {
            Path dir = checkpoint.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + ": directory " + dir
                        + " does not exist");
            }
        }
        if (fileNames.size() > 1 || wild(fileNames.get(0)) || verbose) {
            return many(n);
        }
        file = CliPaths.input(fileNames.get(0)); // '-' is standard input, as for cat and cp
        if (Files.isDirectory(file)) {
            throw new FileSystemException(fileNames.get(0), null, "Is a directory");
        }
        boolean stream = Files.exists(file) && !Files.isRegularFile(file);
        if (stream) {
            return stream(n);
        }
        return one(n);
    }

    private TailOptions baseOptions(boolean follow) {
        return TailOptions.defaults().engine(engine.engine()).chunkSize((int) chunkSize)
                .follow(follow).followRotation(followName).maxPendingFiles(maxPending)
                .pollInterval(Duration.ofMillis(pollMillis)).watch(!noWatch);
    }

    /** One regular file (or one name to wait for with -F): its bytes, copied as read. */
    private int one(LineCount n) throws Exception {
        Checkpointer acks = null;
        if (checkpoint != null) {
            try {
                acks = Checkpointer.to(CheckpointStore.file(checkpoint), null);
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + ": cannot use it ("
                        + UserErrors.describe(e.getCause()) + "); delete it to start over without it", e);
            }
        }
        boolean resuming = acks != null && acks.committed().isPresent();
        boolean follow = followDescriptor || followName;
        boolean appeared = followName && awaitFile();
        StartAt start;
        long skip = 0; // -n +N: lines to leave out first
        if (fromStart || appeared || resuming) {
            start = StartAt.beginning(); // (a committed checkpoint wins anyway)
        } else if (n.fromLine()) {
            start = StartAt.beginning();
            skip = Math.max(0, n.n() - 1);
        } else {
            start = StartAt.lastLines(n.n());
        }
        Checkpointer saved = acks;
        TailOutput<TailChunk> output = TailOutput.onDelivery(CHUNK_WINDOW, saved == null ? null : saved::flush);
        TailOptions opts = baseOptions(follow).startAt(start).onEvent(output::event);
        if (acks != null) {
            opts = opts.checkpointer(acks);
        }
        long[] toSkip = {skip};
        return output.run(FileFlux.tail(file, opts), chunk -> {
            ByteBuffer data = chunk.data();
            int from = data.arrayOffset() + data.position();
            int to = from + data.remaining();
            byte[] a = data.array();
            while (toSkip[0] > 0 && from < to) {
                if (a[from++] == '\n') {
                    toSkip[0]--;
                }
            }
            if (from < to) {
                output.write(a, from, to - from);
            }
            chunk.ack(); // saved only by the flush that follows writing it out
        });
    }

    /** A pipe, FIFO or standard input: read to its end; the last N lines (or from line N) printed. */
    private int stream(LineCount n) throws Exception {
        if (checkpoint != null) {
            throw badOption("--checkpoint needs a regular file; " + fileNames.get(0) + " is a pipe or a device");
        }
        if (followDescriptor || followName) {
            System.err.println("fileflux tail: warning: following a pipe is ineffective; reading "
                    + (fileNames.get(0).equals("-") ? "standard input" : "'" + fileNames.get(0) + "'") + " to its end");
        }
        TailOptions opts = baseOptions(false).startAt(StartAt.beginning());
        LineOptions lineOptions = LineOptions.defaults().charset(StandardCharsets.ISO_8859_1);
        ArrayDeque<byte[]> ring = new ArrayDeque<>();
        ByteArrayOutputStream partLine = new ByteArrayOutputStream();
        long[] skip = {n.fromLine() ? Math.max(0, n.n() - 1) : 0};
        TailOutput<TailLine> output = new TailOutput<>(LINE_WINDOW, null);
        int status = output.run(FileFlux.tailLines(file, opts.onEvent(output::event), lineOptions), line -> {
            byte[] b = bytes(line.text(), line.terminator().text());
            if (n.fromLine()) {
                if (skip[0] > 0) {
                    if (line.terminator().endsLine()) {
                        skip[0]--;
                    }
                } else {
                    output.write(b, 0, b.length);
                }
                return;
            }
            partLine.writeBytes(b);
            if (line.terminator().endsLine()) {
                keepLast(ring, partLine, n.n());
            }
        });
        if (status == 0 && !n.fromLine()) {
            if (partLine.size() > 0) {
                keepLast(ring, partLine, n.n()); // an unterminated last line counts as one
            }
            for (byte[] b : ring) {
                output.write(b, 0, b.length);
            }
            output.flushAndSave();
        }
        return status;
    }

    /** Several files or globs: every matching file, lines with a header whenever the file changes. */
    private int many(LineCount n) throws Exception {
        boolean follow = followDescriptor || followName;
        int status = 0;
        for (String name : fileNames) {
            if (name.equals("-")) {
                throw badOption("standard input (-) cannot be tailed together with other files");
            }
            if (!wild(name) && !follow && !Files.exists(Path.of(name))) {
                System.err.println("fileflux tail: cannot open '" + name + "' for reading: No such file or directory");
                status = 1;
            }
        }
        CheckpointRegistry registry = null;
        if (checkpoint != null) {
            try {
                registry = CheckpointRegistry.open(checkpoint, FORGET_AFTER);
            } catch (UncheckedIOException | IllegalStateException e) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + ": cannot use it ("
                        + (e instanceof UncheckedIOException u ? UserErrors.describe(u.getCause()) : e.getMessage())
                        + ")", e);
            }
        }
        StartAt start = fromStart || n.fromLine() ? StartAt.beginning() : StartAt.lastLines(n.n());
        long skip = n.fromLine() && !fromStart ? Math.max(0, n.n() - 1) : 0;
        LineOptions lineOptions = LineOptions.defaults().charset(StandardCharsets.ISO_8859_1);
        if (follow) {
            lineOptions = lineOptions.flushIdle(FLUSH_IDLE);
        }
        // one chunk buffer per followed file: 64 KiB unless --chunk-size says otherwise
        int perFileChunk = spec.commandLine().getParseResult().hasMatchedOption("--chunk-size")
                ? (int) chunkSize : TailOptions.DEFAULT_CHUNK_SIZE;
        List<FileLine> printed = new ArrayList<>();
        TailOutput<FileLine> output = new TailOutput<>(LINE_WINDOW, () -> {
            printed.forEach(FileLine::ack); // only lines flushed to standard output
            printed.clear();
        });
        // -f or -F: each file is read by identity (on across renames, never twice under two names) and
        // a new file at a matching name is found by the rescans; without either, each file read once,
        // one after another
        TailAllOptions opts = TailAllOptions.of(fileNames.toArray(String[]::new))
                .exclude(exclude.toArray(String[]::new))
                .fileOptions(baseOptions(follow).watch(false).startAt(start).chunkSize(perFileChunk))
                .lineOptions(lineOptions)
                .maxFiles(follow ? maxFiles : 1)
                .scanInterval(Duration.ofMillis(Math.max(pollMillis, 100)))
                .watch(!noWatch)
                .onEvent(output::event)
                .onFileEvent(e -> {
                    if (e.kind() != io.fileflux.reactor.tail.many.FileSetEvent.Kind.FOLLOWING
                            && (follow || e.kind() != io.fileflux.reactor.tail.many.FileSetEvent.Kind.WAITING)) {
                        output.event(e);
                    }
                });
        if (registry != null) {
            opts = opts.registry(registry, Duration.ofSeconds(1));
        }
        boolean headers = !quiet;
        Path cwd = Path.of("").toAbsolutePath();
        Path[] current = {null};
        Map<Path, Long> skipped = new HashMap<>();
        try {
            int s = output.run(FileFlux.tailAll(opts), line -> {
                if (skip > 0) {
                    long done = skipped.getOrDefault(line.path(), 0L);
                    if (done < skip) {
                        if (line.terminator().endsLine()) {
                            skipped.put(line.path(), done + 1);
                        }
                        printed.add(line);
                        return;
                    }
                }
                if (headers && !line.path().equals(current[0])) {
                    Path shown = line.path().startsWith(cwd) ? cwd.relativize(line.path()) : line.path();
                    byte[] h = ((current[0] == null ? "" : "\n") + "==> " + shown + " <==\n")
                            .getBytes(StandardCharsets.UTF_8);
                    output.write(h, 0, h.length);
                    current[0] = line.path();
                }
                byte[] b = bytes(line.text(), line.terminator().text());
                output.write(b, 0, b.length);
                printed.add(line);
            });
            return s != 0 ? s : status;
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** A line's bytes as they were in the file: ISO-8859-1 text and its own terminator. */
    private static byte[] bytes(String text, String terminator) {
        return (terminator.isEmpty() ? text : text + terminator).getBytes(StandardCharsets.ISO_8859_1);
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
}
