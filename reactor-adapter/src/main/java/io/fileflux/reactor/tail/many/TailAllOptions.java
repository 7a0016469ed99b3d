package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.TailOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link TailAll#lines}: which files (include and exclude globs), how each one is tailed
 * ({@link #fileOptions}, {@link #lineOptions}), when a file stops being followed (deleted and finished,
 * too old), the bounds (files followed at once, lines queued per file), discovery (a shared directory
 * watcher and a rescan interval) and checkpoints (a {@link CheckpointRegistry}). Immutable; every
 * setter returns a new instance and validates its argument at once.
 *
 * <pre>{@code
 * TailAllOptions opts = TailAllOptions.of("/var/log/app/*.log", "/var/log/app/**}{@code /*.log")
 *         .exclude("*.gz").maxAge(Duration.ofDays(1)).registry(registry, Duration.ofSeconds(1));
 * }</pre>
 */
public final class TailAllOptions {

    /** Default rescan interval, the safety net under directory notifications: 1 s. */
    public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(1);
    /** Default bound on files followed at once: 1024. */
    public static final int DEFAULT_MAX_FILES = 1024;
    /** Default lines queued per file (the per-file share of a round of the merge): 64. */
    public static final int DEFAULT_LINES_PER_FILE = 64;

    private final List<String> include;
    private final List<String> exclude;
    private final TailOptions fileOptions;
    private final LineOptions lineOptions;
    private final Duration maxAge;
    private final Duration scanInterval;
    private final boolean watch;
    private final int maxFiles;
    private final int linesPerFile;
    private final CheckpointRegistry registry;
    private final Duration saveInterval;
    private final Consumer<TailEvent> onEvent;
    private final Consumer<FileSetEvent> onFileEvent;

    private TailAllOptions(List<String> include, List<String> exclude, TailOptions fileOptions, LineOptions lineOptions,
                           Duration maxAge, Duration scanInterval, boolean watch, int maxFiles,
                           int linesPerFile, CheckpointRegistry registry, Duration saveInterval,
                           Consumer<TailEvent> onEvent, Consumer<FileSetEvent> onFileEvent) {
        this.include = include;
        this.exclude = exclude;
        this.fileOptions = fileOptions;
        this.lineOptions = lineOptions;
        this.maxAge = maxAge;
        this.scanInterval = scanInterval;
        this.watch = watch;
        this.maxFiles = maxFiles;
        this.linesPerFile = linesPerFile;
        this.registry = registry;
        this.saveInterval = saveInterval;
        this.onEvent = onEvent;
        this.onFileEvent = onFileEvent;
    }

    /**
     * The files matching any of {@code globs} ({@link java.nio.file.FileSystem#getPathMatcher glob}
     * syntax; {@code **} crosses directories and {@code dir/**}{@code /x} also matches {@code dir/x};
     * relative globs are resolved against the working directory). Defaults: files present at the start
     * are read from {@link TailOptions#startAt()} of {@link #fileOptions} (the beginning), files created
     * later from their beginning; followed across rotation; lines UTF-8.
     */
    public static TailAllOptions of(String... globs) {
        Objects.requireNonNull(globs, "globs");
        if (globs.length == 0) {
            throw new IllegalArgumentException("at least one glob is needed");
        }
        List<String> in = List.of(globs);
        in.forEach(Globs::validate);
        return new TailAllOptions(in, List.of(), TailOptions.defaults().watch(false), LineOptions.defaults(), null,
                DEFAULT_SCAN_INTERVAL, true, DEFAULT_MAX_FILES, DEFAULT_LINES_PER_FILE, null,
                Duration.ofSeconds(1), null, null);
    }

    private TailAllOptions copy(List<String> exclude, TailOptions fileOptions, LineOptions lineOptions, Duration maxAge,
                                Duration scanInterval, boolean watch, int maxFiles,
                                int linesPerFile, CheckpointRegistry registry, Duration saveInterval,
                                Consumer<TailEvent> onEvent, Consumer<FileSetEvent> onFileEvent) {
        return new TailAllOptions(include, exclude, fileOptions, lineOptions, maxAge, scanInterval, watch,
                maxFiles, linesPerFile, registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * Files matching any of these globs are not followed (a glob without {@code /} is matched against
     * the file name only, e.g. {@code *.gz}; others against the whole path).
     */
    public TailAllOptions exclude(String... globs) {
        Objects.requireNonNull(globs, "globs");
        List<String> ex = List.of(globs);
        ex.forEach(Globs::validate);
        return copy(ex, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * How each file is tailed (start position of the files present at the start, poll interval, chunk
     * size, engine, truncation...). Default: {@code TailOptions.defaults().watch(false)}: each file's
     * tail polls at its poll interval and no file has a watcher of its own. Its
     * {@link TailOptions#rotateWait() rotateWait} is the file set's one rotation grace period: how long a
     * file that left the matched set (deleted, or renamed to a name that does not match) is still read
     * once quiet. Its {@code followRotation} is ignored: each file is read whatever its name becomes, and
     * the file set, not the file's tail, finds the new file at a path. Its checkpointer and event
     * listener are ignored: see {@link #registry} and {@link #onEvent}.
     */
    public TailAllOptions fileOptions(TailOptions options) {
        Objects.requireNonNull(options, "options");
        return copy(exclude, options, lineOptions, maxAge, scanInterval, watch, maxFiles, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /** How lines are decoded (default UTF-8, 1 MiB lines). */
    public TailAllOptions lineOptions(LineOptions options) {
        Objects.requireNonNull(options, "options");
        return copy(exclude, fileOptions, options, maxAge, scanInterval, watch, maxFiles, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * Files not modified for longer than {@code age} are not followed; a followed file that reaches that
     * age, has been read to its end and delivered nothing for the rotation grace period
     * ({@link TailOptions#rotateWait()} of {@link #fileOptions}) stops being followed (and is followed
     * again, from where it stopped, once it is modified). Null (default): no limit.
     */
    public TailAllOptions maxAge(Duration age) {
        if (age != null && (age.isNegative() || age.isZero())) {
            throw new IllegalArgumentException("maxAge must be positive, was " + age);
        }
        return copy(exclude, fileOptions, lineOptions, age, scanInterval, watch, maxFiles, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /** How often the directories are listed again, notifications or not (default 1 s). */
    public TailAllOptions scanInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("scanInterval must be >= 1 ms, was " + interval);
        }
        return copy(exclude, fileOptions, lineOptions, maxAge, interval, watch, maxFiles, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * True (default): one {@link java.nio.file.WatchService} (one thread, one inotify descriptor on Linux)
     * watches every directory the globs reach for files created and deleted, and triggers a rescan;
     * false: rescans at {@link #scanInterval} only.
     */
    public TailAllOptions watch(boolean watch) {
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles,
                linesPerFile, registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * At most this many files followed at once (default 1024); each holds one open descriptor. Files
     * found beyond the bound wait, in the order found, until a followed file stops being followed, and
     * are reported as {@link FileSetEvent.Kind#WAITING}.
     */
    public TailAllOptions maxFiles(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxFiles must be >= 1, was " + max);
        }
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, max, linesPerFile,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * Lines read ahead and queued per file (default 64): the most one file contributes to the merged
     * stream before every other file with lines ready has had its turn.
     */
    public TailAllOptions linesPerFile(int lines) {
        if (lines < 1) {
            throw new IllegalArgumentException("linesPerFile must be >= 1, was " + lines);
        }
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles, lines,
                registry, saveInterval, onEvent, onFileEvent);
    }

    /**
     * Keeps each file's acknowledged checkpoint in {@code registry}, one entry per file keyed by its
     * identity ({@link CheckpointRegistry#store(io.fileflux.core.FileIdentity, java.nio.file.Path)}), and
     * resumes each file from it, saving acknowledged advances at most once per {@code saveInterval} per
     * file ({@link Duration#ZERO}: on every acknowledgement) and when a file stops being followed.
     */
    public TailAllOptions registry(CheckpointRegistry registry, Duration saveInterval) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(saveInterval, "saveInterval");
        if (saveInterval.isNegative()) {
            throw new IllegalArgumentException("saveInterval must be >= 0, was " + saveInterval);
        }
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles,
                linesPerFile, registry, saveInterval, onEvent, onFileEvent);
    }

    /** Called with each file's tail events (rotation, truncation, skipped files...); must not block. */
    public TailAllOptions onEvent(Consumer<TailEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles,
                linesPerFile, registry, saveInterval, listener, onFileEvent);
    }

    /** Called when a file starts or stops being followed, or waits for the bound; must not block. */
    public TailAllOptions onFileEvent(Consumer<FileSetEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return copy(exclude, fileOptions, lineOptions, maxAge, scanInterval, watch, maxFiles,
                linesPerFile, registry, saveInterval, onEvent, listener);
    }

    public List<String> include() {
        return include;
    }

    public List<String> exclude() {
        return exclude;
    }

    public TailOptions fileOptions() {
        return fileOptions;
    }

    public LineOptions lineOptions() {
        return lineOptions;
    }

    /** The age limit, or null. */
    public @Nullable Duration maxAge() {
        return maxAge;
    }

    public Duration scanInterval() {
        return scanInterval;
    }

    public boolean watch() {
        return watch;
    }

    public int maxFiles() {
        return maxFiles;
    }

    public int linesPerFile() {
        return linesPerFile;
    }

    /** The registry, or null. */
    public @Nullable CheckpointRegistry registry() {
        return registry;
    }

    public Duration saveInterval() {
        return saveInterval;
    }

    /** The per-file event listener, or null. */
    public @Nullable Consumer<TailEvent> onEvent() {
        return onEvent;
    }

    /** The file-set event listener, or null. */
    public @Nullable Consumer<FileSetEvent> onFileEvent() {
        return onFileEvent;
    }

    @Override
    public String toString() {
        return "TailAllOptions[include=" + include + ", exclude=" + exclude + ", maxAge=" + maxAge + ", scanInterval=" + scanInterval + ", watch=" + watch + ", maxFiles=" + maxFiles
                + ", linesPerFile=" + linesPerFile + ", registry=" + registry + ", file=" + fileOptions + "]";
    }
}
