package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import java.nio.ByteBuffer;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Options of a file write: open mode, writes and bytes in flight, durability, atomic replace, POSIX
 * permissions on create, engine, a release callback for pooled buffers and a progress callback.
 * Immutable: every method returns a new instance and validates its argument at once, so bad input
 * fails when the pipeline is assembled, not when it runs.
 *
 * <pre>{@code
 * WriteOptions opts = WriteOptions.defaults().atomic(true).durability(WriteOptions.Durability.FSYNC)
 *         .permissions(PosixFilePermissions.fromString("rw-r-----"));
 * }</pre>
 */
public final class WriteOptions {

    /** How the target file is opened, and where the first byte goes. */
    public enum Mode {
        /** Create the file or truncate an existing one to 0 bytes; write from offset 0 (the default). */
        TRUNCATE,
        /** Create the file, failing with {@code FileAlreadyExistsException} if it exists. */
        CREATE_NEW,
        /**
         * Create the file if missing; write from its size at open time. Offsets are explicit (no
         * {@code O_APPEND}): two concurrent appenders to one file overwrite each other.
         */
        APPEND,
        /** Create the file if missing; write from {@link #position()} without truncating. */
        AT_POSITION
    }

    /** What is flushed to stable storage before the write's {@code Mono} succeeds. */
    public enum Durability {
        /** Nothing: the data may still sit in the page cache when the {@code Mono} completes. */
        NONE,
        /** {@code fsync} (data and metadata; {@code FlushFileBuffers} on Windows) once, at the end. */
        FSYNC,
        /** {@code fdatasync} (data, and the metadata needed to read it back) once, at the end. */
        DATASYNC
    }

    /** Default number of writes in flight. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;
    /** Largest accepted number of writes in flight. */
    public static final int MAX_IN_FLIGHT_LIMIT = 4096;
    /** Default bound on bytes held (queued or being written): 16 MiB. */
    public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 16L << 20;

    private static final Consumer<ByteBuffer> NO_RELEASE = b -> { };
    private static final WriteOptions DEFAULTS = new WriteOptions(Mode.TRUNCATE, 0, DEFAULT_MAX_IN_FLIGHT,
            DEFAULT_MAX_BYTES_IN_FLIGHT, Durability.NONE, false, null, ExecutionOptions.defaults(), NO_RELEASE, null);

    private final Mode mode;
    private final long position;
    private final int maxInFlight;
    private final long maxBytesInFlight;
    private final Durability durability;
    private final boolean atomic;
    private final Set<PosixFilePermission> permissions;
    private final ExecutionOptions execution;
    private final Consumer<ByteBuffer> release;
    private final LongConsumer progress;

    private WriteOptions(Mode mode, long position, int maxInFlight, long maxBytesInFlight, Durability durability,
                         boolean atomic, @Nullable Set<PosixFilePermission> permissions, ExecutionOptions execution,
                         Consumer<ByteBuffer> release, @Nullable LongConsumer progress) {
        this.mode = mode;
        this.position = position;
        this.maxInFlight = maxInFlight;
        this.maxBytesInFlight = maxBytesInFlight;
        this.durability = durability;
        this.atomic = atomic;
        this.permissions = permissions;
        this.execution = execution;
        this.release = release;
        this.progress = progress;
    }

    /** Create or truncate, 4 writes and 16 MiB in flight, no sync, not atomic, default engine. */
    public static WriteOptions defaults() {
        return DEFAULTS;
    }

    /** Create the file, or truncate it if it exists (the default). */
    public WriteOptions truncate() {
        return mode(Mode.TRUNCATE, 0);
    }

    /** Create a new file; the write fails with {@code FileAlreadyExistsException} if it exists. */
    public WriteOptions createNew() {
        return mode(Mode.CREATE_NEW, 0);
    }

    /** Append: the first byte goes at the file's size when it is opened (created if missing). */
    public WriteOptions append() {
        return mode(Mode.APPEND, 0);
    }

    /** Write from {@code position} over the existing content, without truncating (created if missing). */
    public WriteOptions position(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        return mode(Mode.AT_POSITION, position);
    }

    private WriteOptions mode(Mode mode, long position) {
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /** Writes submitted at once, at most; default 4. Upstream is asked for no more buffers than that. */
    public WriteOptions maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException(
                    "maxInFlight must be between 1 and " + MAX_IN_FLIGHT_LIMIT + ", was " + maxInFlight);
        }
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /**
     * No more buffers are requested from upstream while this many bytes (or more) are received and not
     * yet written; default 16 MiB. Buffers already requested still arrive, so the bound is exceeded by
     * at most the buffers outstanding.
     */
    public WriteOptions maxBytesInFlight(long maxBytesInFlight) {
        if (maxBytesInFlight <= 0) {
            throw new IllegalArgumentException("maxBytesInFlight must be > 0, was " + maxBytesInFlight);
        }
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /** What to sync once every byte is written, before the {@code Mono} succeeds; default none. */
    public WriteOptions durability(Durability durability) {
        Objects.requireNonNull(durability, "durability");
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /**
     * Atomic replace: write a temporary file in the target's directory, sync it
     * ({@link #durability()}, at least {@link Durability#DATASYNC}), then rename it over the target. On
     * any error or cancel the temporary file is deleted and the target is left untouched. Only with
     * {@link Mode#TRUNCATE} and {@link Mode#CREATE_NEW} (checked at assembly).
     */
    public WriteOptions atomic(boolean atomic) {
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /**
     * POSIX permissions of a file this write creates (subject to the process umask, as with
     * {@code open(2)}); ignored where the file system has no POSIX attributes. Without it a new file
     * gets the default mode, and an atomic replace keeps the replaced file's permissions.
     */
    public WriteOptions permissions(Set<PosixFilePermission> permissions) {
        Objects.requireNonNull(permissions, "permissions");
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic,
                Set.copyOf(permissions), execution, release, progress);
    }

    /** Writes through this engine instead of the default one. */
    public WriteOptions engine(FileEngine engine) {
        return execution(execution.engine(engine));
    }

    /**
     * Writes through the shared engine of that name ({@code nio}, {@code io_uring}, {@code iocp}).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    if that engine is unavailable here
     */
    public WriteOptions engine(String name) {
        return execution(execution.engine(name));
    }

    /**
     * Called exactly once for every buffer received from upstream, once the write publisher is done
     * with it: after its write completed or failed, or when it is dropped unwritten (error, cancel).
     * The buffer may then be reused. Runs inside the write's drain (a delivery thread, see
     * {@link #deliverOn}, or the upstream's thread), never on the engine's thread.
     */
    public WriteOptions release(Consumer<ByteBuffer> release) {
        Objects.requireNonNull(release, "release");
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /** Shorthand for {@code release(pool::release)}: upstream buffers come from {@code pool}. */
    public WriteOptions pooled(BufferPool pool) {
        Objects.requireNonNull(pool, "pool");
        return release(pool::release);
    }

    /**
     * Called with the total of bytes written so far each time writes complete (not after a sync).
     * Runs inside the write's drain, like {@link #release}; it should be quick.
     */
    public WriteOptions progress(LongConsumer progress) {
        Objects.requireNonNull(progress, "progress");
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /**
     * Runs the write's drain — requests to upstream, release and progress callbacks, the result signal —
     * on {@code scheduler} when a completion wakes it, instead of {@link Delivery#defaultScheduler()}.
     */
    public WriteOptions deliverOn(Scheduler scheduler) {
        return execution(execution.deliverOn(scheduler));
    }

    /** The engine and the delivery scheduler of this write, set whole (see {@link ExecutionOptions}). */
    public WriteOptions execution(ExecutionOptions execution) {
        Objects.requireNonNull(execution, "execution");
        return new WriteOptions(mode, position, maxInFlight, maxBytesInFlight, durability, atomic, permissions,
                execution, release, progress);
    }

    /** The engine and the delivery scheduler of this write. */
    public ExecutionOptions execution() {
        return execution;
    }

    /** The scheduler given to {@link #deliverOn}, or null for {@link Delivery#defaultScheduler()}. */
    public @Nullable Scheduler deliverOn() {
        return execution.deliverOn();
    }

    /** The open mode; default {@link Mode#TRUNCATE}. */
    public Mode mode() {
        return mode;
    }

    /** The start offset of {@link Mode#AT_POSITION}, else 0. */
    public long position() {
        return position;
    }

    /** Writes in flight, at most. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Bytes held before no more buffers are requested. */
    public long maxBytesInFlight() {
        return maxBytesInFlight;
    }

    /** What is synced at the end. */
    public Durability durability() {
        return durability;
    }

    /** True for an atomic replace. */
    public boolean atomic() {
        return atomic;
    }

    /** The permissions of a created file, or null for the default. */
    public @Nullable Set<PosixFilePermission> permissions() {
        return permissions;
    }

    /** The engine given, or null for the default one. */
    public @Nullable FileEngine engine() {
        return execution.engine();
    }

    /** The release callback (a no-op by default). */
    public Consumer<ByteBuffer> release() {
        return release;
    }

    /** The progress callback, or null. */
    public @Nullable LongConsumer progress() {
        return progress;
    }

    /** Checks the combination of options; called when a write publisher is assembled. */
    WriteOptions validate() {
        if (atomic && mode != Mode.TRUNCATE && mode != Mode.CREATE_NEW) {
            throw new IllegalArgumentException("atomic replace writes a whole new file: it cannot be combined "
                    + "with " + mode + " (use truncate() or createNew())");
        }
        return this;
    }

    @Override
    public String toString() {
        return "WriteOptions[mode=" + mode + (mode == Mode.AT_POSITION ? "@" + position : "") + ", maxInFlight="
                + maxInFlight + ", maxBytesInFlight=" + maxBytesInFlight + ", durability=" + durability
                + ", atomic=" + atomic + ", permissions=" + permissions + ", " + execution + "]";
    }
}
