package io.fileflux.bench;

import java.nio.file.Path;

/**
 * One contender of the sequential-read benchmark: reads a whole file in chunks of a given size and
 * {@link Fold folds} every byte. Implementations keep their long-lived resources (a Vert.x instance,
 * a buffer pool) between calls and release them in {@link #close()}.
 */
public interface SequentialReader extends AutoCloseable {

    /** A short, stable label used in tables, charts and the {@code --only} filter. */
    String name();

    /** Reads all of {@code file} in chunks of {@code chunkSize} bytes, consuming every byte. */
    Outcome read(Path file, int chunkSize) throws Exception;

    /** Releases what the contender keeps between reads; safe to call more than once. */
    @Override
    default void close() {
    }
}
