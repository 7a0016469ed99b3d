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
