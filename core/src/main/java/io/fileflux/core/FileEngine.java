package io.fileflux.core;

import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * A completion-based I/O engine: it owns one completion queue (an io_uring ring, an I/O completion
 * port, or the java.nio thread pool) and the thread(s) that reap it, and it opens files as
 * {@link FileDevice devices}.
 *
 * <p>Threading: every method is thread-safe. Completion callbacks of every device opened by this
 * engine run on the engine's own thread(s); they must not block.
 *
 * <p>Ownership: engines obtained from {@link Engines#shared()} live as long as the JVM and refuse to
 * be closed; an engine from {@link Engines#create(String)} belongs to the caller, who closes it after
 * the devices it opened.
 */
public interface FileEngine extends AutoCloseable {

    /** The engine's name: {@code nio}, {@code io_uring} or {@code iocp}. */
    String name();

    /**
     * Opens {@code path} as a device. Supported options: {@code READ}, {@code WRITE}, {@code CREATE},
     * {@code CREATE_NEW}, {@code TRUNCATE_EXISTING}, {@code SYNC}, {@code DSYNC} from
     * {@link java.nio.file.StandardOpenOption}, and {@link FilefluxOption}; no option means
     * {@code READ}. {@code APPEND} is refused: devices write at explicit positions.
     *
     * @throws IOException {@link java.nio.file.NoSuchFileException},
     *         {@link java.nio.file.AccessDeniedException},
     *         {@link java.nio.file.FileSystemException} (for a directory, among others) and the other
     *         {@code java.nio.file} exceptions a Java user expects from {@code Files.newByteChannel}
     * @throws IllegalArgumentException for an unsupported option combination
     */
    FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException;

    /** Opens {@code path} for reading. */
    default FileDevice open(Path path) throws IOException {
        return open(path, Set.of(java.nio.file.StandardOpenOption.READ));
    }

    /**
     * Lends {@code region} to this engine for the engine's lifetime, so that reads and writes whose bytes
     * lie inside it may skip per-operation preparation of its memory. On io_uring the region is
     * registered with the ring once ({@code IORING_REGISTER_BUFFERS}: the kernel pins its pages now, not
     * at every operation), and an operation on any device of this engine whose buffer lies wholly inside
     * a registered region is submitted as {@code IORING_OP_READ_FIXED} / {@code WRITE_FIXED}; any other
     * buffer is used as before. The other engines have no such registration: they return false and
     * behave exactly as without the call.
     *
     * <p>Ownership: from the call until the engine is closed the engine keeps a reference to
     * {@code region} (so its memory is not freed while the kernel holds its pages); the caller keeps
     * using it freely — typically carved into per-operation slices with {@code slice(offset, length)},
     * all of which benefit. Memory that is freed explicitly (a {@code MappedByteBuffer} unmapped, native
     * memory released) must not be registered. Registrations are never undone before {@link #close()}.
     *
     * <p>Threading: thread-safe; it waits for the engine's completion thread to register the region (a
     * system call), so call it while setting up, not on a latency-critical path.
     *
     * @param region a direct buffer; its whole capacity, from index 0, is registered
     * @return true if the engine registered the region; false if this engine has no use for it or the
     *         kernel refused (no support, {@code RLIMIT_MEMLOCK} reached, a table full), or the engine is
     *         closed — I/O into the region then works as for any other buffer
     * @throws IllegalArgumentException if {@code region} is not direct, has no capacity, or (io_uring)
     *                                  is larger than 1 GiB
     */
    default boolean registerBuffer(java.nio.ByteBuffer region) {
        java.util.Objects.requireNonNull(region, "region");
        if (!region.isDirect() || region.capacity() == 0) {
            throw new IllegalArgumentException("registerBuffer needs a direct buffer with capacity > 0: " + region);
        }
        return false;
    }

    /** Live counters of this engine: open devices and operations in flight. */
    EngineStats stats();

    /** A one-line description for diagnostics ({@code ./fileflux info}). */
    default String describe() {
        return name();
    }

    /**
     * Stops the engine's threads and releases its queue; calling this more than once is harmless.
     *
     * <p>Every device still open is closed (its handle once its last operation has completed), and
     * every operation in flight is cancelled: its callback runs exactly once, with
     * {@link EngineClosedException} ({@code read failed: PATH at offset N: ENGINE_CLOSED (engine
     * closed)}) on every engine, or with its normal result if it finished first. An operation
     * submitted afterwards on one of those devices is refused with {@code IllegalStateException}
     * ({@code read on a closed engine: PATH}); so is {@link #open}.
     *
     * @throws IllegalStateException on an engine from {@link Engines#shared()}, which lives as long as
     *                               the JVM (use {@link Engines#create(String)} for one you close)
     */
    @Override
    void close();
}
