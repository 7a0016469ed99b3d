package io.fileflux.reactor.tail;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Options of a tail: where to start, whether and how to follow (notifications, poll interval,
 * rotation), the truncation policy, when to stop, checkpoints and the read size. Immutable; every
 * setter returns a new instance and validates its argument at once.
 *
 * <pre>{@code
 * TailOptions opts = TailOptions.defaults().startAt(StartAt.lastLines(10)).idleStop(Duration.ofMinutes(5));
 * }</pre>
 */
public final class TailOptions {

    /** Default poll interval, the safety net under file-change notifications: 200 ms. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
    /** Default bytes per read: 64 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

    /** Default number of rotated files held open while waiting to be read: 8. */
    public static final int DEFAULT_MAX_PENDING_FILES = 8;

    private static final TailOptions DEFAULTS = new TailOptions(StartAt.beginning(), true, true, true,
            DEFAULT_POLL_INTERVAL, TruncationPolicy.RESTART, null, DEFAULT_CHUNK_SIZE, null, null, null,
            DEFAULT_MAX_PENDING_FILES, null);

    private final StartAt start;
    private final boolean follow;
    private final boolean followRotation;
    private final boolean watch;
    private final Duration pollInterval;
    private final TruncationPolicy truncation;
    private final Duration idleStop;
    private final int chunkSize;
    private final FileEngine engine;
    private final Checkpointer checkpointer;
    private final Consumer<TailEvent> onEvent;
    private final int maxPendingFiles;
    private final Scheduler deliverOn;

    private TailOptions(StartAt start, boolean follow, boolean followRotation, boolean watch, Duration pollInterval,
                        TruncationPolicy truncation, Duration idleStop, int chunkSize, FileEngine engine,
                        Checkpointer checkpointer, Consumer<TailEvent> onEvent, int maxPendingFiles,
                        Scheduler deliverOn) {
        this.start = start;
        this.follow = follow;
        this.followRotation = followRotation;
        this.watch = watch;
        this.pollInterval = pollInterval;
        this.truncation = truncation;
        this.idleStop = idleStop;
        this.chunkSize = chunkSize;
        this.engine = engine;
        this.checkpointer = checkpointer;
        this.onEvent = onEvent;
        this.maxPendingFiles = maxPendingFiles;
        this.deliverOn = deliverOn;
    }

    /**
     * From the beginning, following the path across rotation ({@code tail -F}), woken by notifications
     * with a 200 ms poll as a safety net, restarting on truncation, 64 KiB reads, default engine.
     */
    public static TailOptions defaults() {
        return DEFAULTS;
    }

    private TailOptions with(StartAt start, boolean follow, boolean followRotation, boolean watch,
                             Duration pollInterval, TruncationPolicy truncation, Duration idleStop, int chunkSize,
                             FileEngine engine, Checkpointer checkpointer, Consumer<TailEvent> onEvent) {
        return new TailOptions(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize,
                engine, checkpointer, onEvent, maxPendingFiles, deliverOn);
    }

    /** Where to start (default: the beginning). A committed checkpoint of {@link #checkpointer()} wins. */
    public TailOptions startAt(StartAt start) {
        Objects.requireNonNull(start, "start");
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** False: read to the end of the file and complete, like {@code tail} without {@code -f}. Default true. */
    public TailOptions follow(boolean follow) {
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /**
     * True (default): follow the path, switching to the new file after a rotation ({@code tail -F});
     * false: keep reading the file first opened, whatever its name becomes ({@code tail -f}).
     */
    public TailOptions followRotation(boolean followRotation) {
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /**
     * True (default): wake up on file-change notifications of the parent directory (a
     * {@link java.nio.file.WatchService}: inotify on Linux) as well as every poll interval; false:
     * polling only.
     */
    public TailOptions watch(boolean watch) {
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** How often a tail waiting at end of file checks for growth, truncation and rotation; default 200 ms. */
    public TailOptions pollInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("pollInterval must be >= 1 ms, was " + interval);
        }
        return with(start, follow, followRotation, watch, interval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** Restart at 0 (default) or fail when the file shrinks below the offset read. */
    public TailOptions truncation(TruncationPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return with(start, follow, followRotation, watch, pollInterval, policy, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** Complete once no byte has arrived for {@code idle} (checked at the poll interval); null: never. */
    public TailOptions idleStop(@Nullable Duration idle) {
        if (idle != null && (idle.isNegative() || idle.isZero())) {
            throw new IllegalArgumentException("idleStop must be positive, was " + idle);
        }
        return with(start, follow, followRotation, watch, pollInterval, truncation, idle, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** Bytes per read, at most (one read in flight); default 64 KiB. Memory per subscription is about twice this. */
    public TailOptions chunkSize(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be > 0, was " + chunkSize);
        }
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** Reads through this engine instead of the default one. */
    public TailOptions engine(FileEngine engine) {
        Objects.requireNonNull(engine, "engine");
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /** Reads through the shared engine of that name. */
    public TailOptions engine(String name) {
        return engine(Engines.shared(name));
    }

    /**
     * Items carry acknowledgements for this checkpointer, and a subscription starts from its
     * committed checkpoint when it has one (else from {@link #startAt}).
     */
    public TailOptions checkpointer(Checkpointer checkpointer) {
        Objects.requireNonNull(checkpointer, "checkpointer");
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, onEvent);
    }

    /**
     * Called with rotation, truncation and missing-file events, on the tail's emitting thread; it must
     * not block.
     */
    public TailOptions onEvent(Consumer<TailEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return with(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize, engine,
                checkpointer, listener);
    }

    /**
     * How many rotated files may wait to be read, held open, while the tail still reads an older one
     * (a consumer several rotations behind); default 8. Every file seen at the path is opened when seen,
     * so it stays readable after it is renamed or deleted, and is read in full, in order. When one more
     * would exceed the bound, the oldest waiting file is closed unread and reported as
     * {@link TailEvent.Kind#SKIPPED}.
     */
    public TailOptions maxPendingFiles(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxPendingFiles must be >= 1, was " + max);
        }
        return new TailOptions(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize,
                engine, checkpointer, onEvent, max, deliverOn);
    }

    /**
     * Runs the subscriber's code ({@code onNext}, the event listener, the terminal signal) of a tail woken
     * by the engine, a watcher or a timer on {@code scheduler} instead of
     * {@link io.fileflux.reactor.Delivery#defaultScheduler()}; one task at a time per subscription.
     */
    public TailOptions deliverOn(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler");
        return new TailOptions(start, follow, followRotation, watch, pollInterval, truncation, idleStop, chunkSize,
                engine, checkpointer, onEvent, maxPendingFiles, scheduler);
    }

    /** The scheduler given to {@link #deliverOn}, or null for the default delivery scheduler. */
    public @Nullable Scheduler deliverOn() {
        return deliverOn;
    }

    public StartAt startAt() {
        return start;
    }

    public boolean follow() {
        return follow;
    }

    public boolean followRotation() {
        return followRotation;
    }

    public boolean watch() {
        return watch;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public TruncationPolicy truncation() {
        return truncation;
    }

    /** The idle time after which the tail completes, or null. */
    public @Nullable Duration idleStop() {
        return idleStop;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The engine given, or null for the default one. */
    public @Nullable FileEngine engine() {
        return engine;
    }

    /** The checkpointer, or null. */
    public @Nullable Checkpointer checkpointer() {
        return checkpointer;
    }

    /** The event listener, or null. */
    public @Nullable Consumer<TailEvent> onEvent() {
        return onEvent;
    }

    public int maxPendingFiles() {
        return maxPendingFiles;
    }

    @Override
    public String toString() {
        return "TailOptions[start=" + start + ", follow=" + follow + ", followRotation=" + followRotation
                + ", watch=" + watch + ", pollInterval=" + pollInterval + ", truncation=" + truncation
                + ", idleStop=" + idleStop + ", chunkSize=" + chunkSize + ", engine="
                + (engine == null ? "default" : engine.name()) + ", maxPendingFiles=" + maxPendingFiles + "]";
    }
}
