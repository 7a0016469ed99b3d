package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FilefluxOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Options of a file read: chunk size, reads in flight, range, engine, open options and buffer mode.
 * Immutable: every {@code with}-style method returns a new instance and validates its argument at
 * once, so bad input fails when the pipeline is assembled, not when it runs.
 *
 * <pre>{@code
 * ReadOptions opts = ReadOptions.defaults().chunkSize(1 << 20).maxInFlight(8).range(4096, 1 << 30);
 * }</pre>
 */
public final class ReadOptions {

    /** Default chunk size: 64 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** Default number of reads in flight: 16 (with 64 KiB chunks, 1 MiB per subscription at most). */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    /** Largest accepted number of reads in flight. */
    public static final int MAX_IN_FLIGHT_LIMIT = 4096;

    /** The largest chunk size (a single read transfers at most about 2 GiB on Linux). */
    public static final int MAX_CHUNK_SIZE = 1 << 30;
    /** Alignment required by {@link FilefluxOption#DIRECT}. */
    public static final int DIRECT_ALIGNMENT = 4096;
    /** {@link #length()} of a read that goes to end of file. */
    public static final long TO_END = -1;

    private static final ReadOptions DEFAULTS = new ReadOptions(DEFAULT_CHUNK_SIZE, DEFAULT_MAX_IN_FLIGHT, 0,
            TO_END, ExecutionOptions.defaults(), Set.of(), BufferMode.HEAP, null);

    private final int chunkSize;
    private final int maxInFlight;
    private final long position;
    private final long length;
    private final ExecutionOptions execution;
    private final Set<OpenOption> openOptions;
    private final BufferMode bufferMode;
    private final BufferPool pool;

    private ReadOptions(int chunkSize, int maxInFlight, long position, long length, ExecutionOptions execution,
                        Set<OpenOption> openOptions, BufferMode bufferMode, @Nullable BufferPool pool) {
        this.chunkSize = chunkSize;
        this.maxInFlight = maxInFlight;
        this.position = position;
        this.length = length;
        this.execution = execution;
        this.openOptions = openOptions;
        this.bufferMode = bufferMode;
        this.pool = pool;
    }

    /** 64 KiB chunks, 16 reads in flight, whole file, default engine, a new heap buffer per chunk. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** Bytes per read and per emitted chunk (the last chunk may be shorter); default 64 KiB. */
    public ReadOptions chunkSize(int chunkSize) {
        if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be between 1 and " + MAX_CHUNK_SIZE + " (1 GiB), was "
                    + chunkSize);
        }
        if (pool != null && chunkSize > pool.bufferSize()) {
            throw new IllegalArgumentException("chunkSize " + chunkSize + " is larger than the pool's buffers ("
                    + pool.bufferSize() + " bytes): use a pool of larger buffers, or a smaller chunk size");
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, bufferMode, pool);
    }

    /** Reads submitted at once, at most (the queue depth); default 16. */
    public ReadOptions maxInFlight(int maxInFlight) {
        if (maxInFlight <= 0 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException(
                    "maxInFlight must be between 1 and " + MAX_IN_FLIGHT_LIMIT + ", was " + maxInFlight);
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, bufferMode, pool);
    }

    /** The file offset to start at; default 0. */
    public ReadOptions position(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, bufferMode, pool);
    }

    /** At most {@code length} bytes from {@link #position()}; {@link #TO_END} (default) for all. */
    public ReadOptions length(long length) {
        if (length < 0 && length != TO_END) {
            throw new IllegalArgumentException("length must be >= 0 (or TO_END), was " + length);
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, bufferMode, pool);
    }

    /** Shorthand for {@code position(position).length(length)}. */
    public ReadOptions range(long position, long length) {
        return position(position).length(length);
    }

    /** Reads through this engine instead of the default one. */
    public ReadOptions engine(FileEngine engine) {
        return execution(execution.engine(engine));
    }

    /**
     * Reads through the shared engine of that name ({@code nio}, {@code io_uring}, {@code iocp}).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    if that engine is unavailable here
     */
    public ReadOptions engine(String name) {
        return execution(execution.engine(name));
    }

    /**
     * Extra open options: {@link FilefluxOption#DIRECT}, {@link java.nio.file.LinkOption#NOFOLLOW_LINKS}.
     * {@code READ} is implied; write options are refused.
     */
    public ReadOptions openOptions(OpenOption... options) {
        Set<OpenOption> set = new LinkedHashSet<>();
        for (OpenOption o : options) {
            Objects.requireNonNull(o, "open option");
            if (o instanceof StandardOpenOption && o != StandardOpenOption.READ) {
                throw new IllegalArgumentException("a read cannot use open option " + o);
            }
            set.add(o);
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, Set.copyOf(set), bufferMode, pool);
    }

    /** {@link BufferMode#HEAP} or {@link BufferMode#DIRECT}; use {@link #pooled(BufferPool)} for pooling. */
    public ReadOptions bufferMode(BufferMode mode) {
        Objects.requireNonNull(mode, "bufferMode");
        if (mode == BufferMode.POOLED) {
            throw new IllegalArgumentException("POOLED needs a pool: use pooled(BufferPool)");
        }
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, mode, null);
    }

    /**
     * Emits buffers taken from {@code pool}, whose buffer size becomes the chunk size. The subscriber
     * releases each emitted buffer to the pool; the publisher releases those it never emitted.
     */
    public ReadOptions pooled(BufferPool pool) {
        Objects.requireNonNull(pool, "pool");
        return new ReadOptions(pool.bufferSize(), maxInFlight, position, length, execution, openOptions,
                BufferMode.POOLED, pool);
    }

    /**
     * Runs the subscriber's code ({@code onNext}, {@code onComplete}, {@code onError}) of reads woken by
     * the engine on {@code scheduler} instead of {@link Delivery#defaultScheduler()}. The engine's thread
     * never runs it; one task at a time per subscription. A scheduler with few threads lets a subscriber
     * that blocks delay the others that share it.
     */
    public ReadOptions deliverOn(Scheduler scheduler) {
        return execution(execution.deliverOn(scheduler));
    }

    /** The engine and the delivery scheduler of this read, set whole (see {@link ExecutionOptions}). */
    public ReadOptions execution(ExecutionOptions execution) {
        Objects.requireNonNull(execution, "execution");
        return new ReadOptions(chunkSize, maxInFlight, position, length, execution, openOptions, bufferMode, pool);
    }

    /** The engine and the delivery scheduler of this read. */
    public ExecutionOptions execution() {
        return execution;
    }

    /** The scheduler given to {@link #deliverOn}, or null for {@link Delivery#defaultScheduler()}. */
    public @Nullable Scheduler deliverOn() {
        return execution.deliverOn();
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long position() {
        return position;
    }

    /** The range length, or {@link #TO_END}. */
    public long length() {
        return length;
    }

    /** The engine given, or null for the default one. */
    public @Nullable FileEngine engine() {
        return execution.engine();
    }

    public Set<OpenOption> openOptions() {
        return openOptions;
    }

    public BufferMode bufferMode() {
        return bufferMode;
    }

    /** The pool of {@link BufferMode#POOLED}, else null. */
    public @Nullable BufferPool pool() {
        return pool;
    }

    /** True if the file is opened with {@link FilefluxOption#DIRECT}. */
    public boolean direct() {
        return openOptions.contains(FilefluxOption.DIRECT);
    }

    /** Checks the combination of options; called when a publisher is assembled. */
    ReadOptions validate() {
        if (direct()) {
            if (chunkSize % DIRECT_ALIGNMENT != 0) {
                throw new IllegalArgumentException("DIRECT needs a chunkSize that is a multiple of "
                        + DIRECT_ALIGNMENT + ", was " + chunkSize);
            }
            if (position % DIRECT_ALIGNMENT != 0) {
                throw new IllegalArgumentException("DIRECT needs a position that is a multiple of "
                        + DIRECT_ALIGNMENT + ", was " + position);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "ReadOptions[chunkSize=" + chunkSize + ", maxInFlight=" + maxInFlight + ", position=" + position
                + ", length=" + (length == TO_END ? "to end" : length) + ", " + execution
                + ", openOptions=" + openOptions + ", bufferMode=" + bufferMode + "]";
    }
}
