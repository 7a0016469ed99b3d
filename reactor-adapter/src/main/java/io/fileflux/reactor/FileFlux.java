package io.fileflux.reactor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * Entry point of the Reactor adapter: files as cold {@link Flux} publishers with real backpressure,
 * several positional reads in flight, strict offset order and kernel-level cancellation.
 *
 * <pre>{@code
 * long bytes = FileFlux.read(Path.of("big.bin"), ReadOptions.defaults().chunkSize(1 << 20))
 *         .map(ByteBuffer::remaining)
 *         .reduce(0L, Long::sum)
 *         .block();
 * }</pre>
 *
 * <p>Each subscription opens the file (on the subscribing thread), reads only against demand, emits on
 * the engine's completion thread (or on the thread calling {@code request}), and closes the file
 * before its terminal signal, or after a cancel once the cancelled reads have completed. See
 * {@code docs/semantics.md} for the full contract.
 */
public final class FileFlux {

    private FileFlux() {
    }

    /** The whole file in 64 KiB chunks, 4 reads in flight, on the default engine. */
    public static Flux<ByteBuffer> read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    /**
     * The file (or the range of {@code options}) as chunks in offset order, contiguous, without gap or
     * overlap. Each emitted buffer (position 0, limit = bytes read) belongs to the subscriber, except in
     * {@link BufferMode#POOLED} mode where the subscriber releases it to the pool.
     *
     * @throws NullPointerException     if {@code path} or {@code options} is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Flux<ByteBuffer> read(Path path, ReadOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options").validate();
        return new FluxFileRead<>(path, options, (offset, data) -> data);
    }

    /**
     * Like {@link #read(Path, ReadOptions)}, each chunk with the file offset it was read from, for
     * checkpointing ({@link FileChunk#end()} is where a restart resumes).
     */
    public static Flux<FileChunk> readChunks(Path path, ReadOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options").validate();
        return new FluxFileRead<>(path, options, FileChunk::new);
    }
}
