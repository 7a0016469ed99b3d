package io.fileflux.reactor.tail;

import io.fileflux.core.FileEngine;
import io.fileflux.reactor.ExecutionOptions;
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

    /** Default rotation grace period: 2 s. */
    public static final Duration DEFAULT_ROTATE_WAIT = Duration.ofSeconds(2);

    private static final TailOptions DEFAULTS = new TailOptions();

    // effectively final: set only on a fresh copy inside a setter, before it is returned
    private StartAt start = StartAt.beginning();
    private boolean follow = true;
    private boolean followRotation = true;
    private boolean watch = true;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private TruncationPolicy truncation = TruncationPolicy.RESTART;
    private Duration idleStop;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private ExecutionOptions execution = ExecutionOptions.defaults();
    private Checkpointer checkpointer;
    private Consumer<TailEvent> onEvent;
    private int maxPendingFiles = DEFAULT_MAX_PENDING_FILES;
    private Duration rotateWait = DEFAULT_ROTATE_WAIT;

    private TailOptions() {
    }

    private TailOptions copy() {
        TailOptions o = new TailOptions();
        o.start = start;
        o.follow = follow;
        o.followRotation = followRotation;
        o.watch = watch;
        o.pollInterval = pollInterval;
        o.truncation = truncation;
        o.idleStop = idleStop;
        o.chunkSize = chunkSize;
        o.execution = execution;
        o.checkpointer = checkpointer;
        o.onEvent = onEvent;
        o.maxPendingFiles = maxPendingFiles;
        o.rotateWait = rotateWait;
        return o;
    }

    /**
     * From the beginning, following the path across rotation ({@code tail -F}), woken by notifications
     * with a 200 ms poll as a safety net, restarting on truncation, 64 KiB reads, default engine.
     */
    public static TailOptions defaults() {
        return DEFAULTS;
    }

    /** Where to start (default: the beginning). A committed checkpoint of {@link #checkpointer()} wins. */
    public TailOptions startAt(StartAt start) {
        Objects.requireNonNull(start, "start");
        TailOptions o = copy();
        o.start = start;
        return o;
    }

    /** False: read to the end of the file and complete, like {@code tail} without {@code -f}. Default true. */
    public TailOptions follow(boolean follow) {
        TailOptions o = copy();
        o.follow = follow;
        return o;
    }

    /**
     * True (default): follow the path, switching to the new file after a rotation ({@code tail -F});
     * false: keep reading the file first opened, whatever its name becomes ({@code tail -f}).
     */
    public TailOptions followRotation(boolean followRotation) {
        TailOptions o = copy();
        o.followRotation = followRotation;
        return o;
    }

    /**
     * True (default): wake up on file-change notifications of the parent directory (a
     * {@link java.nio.file.WatchService}: inotify on Linux) as well as every poll interval; false:
     * polling only.
     */
    public TailOptions watch(boolean watch) {
        TailOptions o = copy();
        o.watch = watch;
        return o;
    }

    /** How often a tail waiting at end of file checks for growth, truncation and rotation; default 200 ms. */
    public TailOptions pollInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("pollInterval must be >= 1 ms, was " + interval);
        }
        TailOptions o = copy();
        o.pollInterval = interval;
        return o;
    }

    /** Restart at 0 (default) or fail when the file shrinks below the offset read. */
    public TailOptions truncation(TruncationPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        TailOptions o = copy();
        o.truncation = policy;
        return o;
    }

    /** Complete once no byte has arrived for {@code idle} (checked at the poll interval); null: never. */
    public TailOptions idleStop(@Nullable Duration idle) {
        if (idle != null && (idle.isNegative() || idle.isZero())) {
            throw new IllegalArgumentException("idleStop must be positive, was " + idle);
        }
        TailOptions o = copy();
        o.idleStop = idle;
        return o;
    }

    /** Bytes per read, at most (one read in flight); default 64 KiB. Memory per subscription is about twice this. */
    public TailOptions chunkSize(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be > 0, was " + chunkSize);
        }
        TailOptions o = copy();
        o.chunkSize = chunkSize;
        return o;
    }

    /** Reads through this engine instead of the default one. */
    public TailOptions engine(FileEngine engine) {
        return execution(execution.engine(engine));
    }

    /** Reads through the shared engine of that name. */
    public TailOptions engine(String name) {
        return execution(execution.engine(name));
    }

    /** The engine and the delivery scheduler of this tail, set whole (see {@link ExecutionOptions}). */
    public TailOptions execution(ExecutionOptions execution) {
        Objects.requireNonNull(execution, "execution");
        TailOptions o = copy();
        o.execution = execution;
        return o;
    }

    /** The engine and the delivery scheduler of this tail. */
    public ExecutionOptions execution() {
        return execution;
    }

    /**
     * Items carry acknowledgements for this checkpointer, and a subscription starts from its
     * committed checkpoint when it has one (else from {@link #startAt}).
     */
    public TailOptions checkpointer(Checkpointer checkpointer) {
        Objects.requireNonNull(checkpointer, "checkpointer");
        TailOptions o = copy();
        o.checkpointer = checkpointer;
        return o;
    }

    /**
     * Called with rotation, truncation and missing-file events, on the tail's emitting thread; it must
     * not block.
     */
    public TailOptions onEvent(Consumer<TailEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        TailOptions o = copy();
        o.onEvent = listener;
        return o;
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
        TailOptions o = copy();
        o.maxPendingFiles = max;
        return o;
    }

    /**
     * Runs the subscriber's code ({@code onNext}, the event listener, the terminal signal) of a tail woken
     * by the engine, a watcher or a timer on {@code scheduler} instead of
     * {@link io.fileflux.reactor.Delivery#defaultScheduler()}; one task at a time per subscription.
     */
    public TailOptions deliverOn(Scheduler scheduler) {
        return execution(execution.deliverOn(scheduler));
    }

    /**
     * The rotation grace period (default 2 s): a generation renamed or deleted away from the path is
     * still read to its end until it has been quiet that long, so a writer that keeps writing its old
     * file for a while after the rotation (it reopens late) loses nothing. The tail leaves the old
     * generation earlier when a newer one grew after the old one last changed (the writer has moved
     * on), so a tail that keeps up is not delayed by it. {@link Duration#ZERO}: leave the old
     * generation as soon as it is read to its end.
     */
    public TailOptions rotateWait(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("rotateWait must be >= 0, was " + wait);
        }
        TailOptions o = copy();
        o.rotateWait = wait;
        return o;
    }

    /** The rotation grace period; see {@link #rotateWait(Duration)}. */
    public Duration rotateWait() {
        return rotateWait;
    }

    /** The scheduler given to {@link #deliverOn}, or null for the default delivery scheduler. */
    public @Nullable Scheduler deliverOn() {
        return execution.deliverOn();
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
        return execution.engine();
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
                + ", idleStop=" + idleStop + ", chunkSize=" + chunkSize + ", " + execution
                + ", maxPendingFiles=" + maxPendingFiles + ", rotateWait=" + rotateWait + "]";
    }
}
