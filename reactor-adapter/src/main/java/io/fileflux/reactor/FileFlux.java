package io.fileflux.reactor;

import io.fileflux.core.FileEngine;
import io.fileflux.core.LocalPaths;
import io.fileflux.reactor.internal.TailAccess;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.TailChunk;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.FileLine;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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

    /** The whole file in 64 KiB chunks, 16 reads in flight, on the default engine. */
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
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options").validate();
        return new FluxFileRead<>(path, options, (offset, data) -> data);
    }

    /**
     * The file (or the range of {@code options}) read straight into buffers of {@code allocator}, emitted
     * in offset order: the kernel reads into each buffer's writable view, and the buffer itself is emitted,
     * without a copy (see {@link BufferAllocator} for the life of a buffer). Each emitted buffer belongs to
     * the subscriber; buffers read but never emitted (cancel, error, end of file) go back through
     * {@link BufferAllocator#release}, once the kernel is done with them. Reactor's discard hook is not
     * used for them; add {@code doOnDiscard} for buffers queued by operators downstream.
     *
     * <pre>{@code
     * Flux<ByteBuf> chunks = FileFlux.read(path, ReadOptions.defaults(), nettyAllocator);
     * }</pre>
     *
     * @param options chunk size, reads in flight, range, engine; the buffer mode and pool are not used
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options, or
     *                                  {@link io.fileflux.core.FilefluxOption#DIRECT} (whose aligned
     *                                  buffers an allocator does not promise)
     */
    public static <B> Flux<B> read(Path path, ReadOptions options, BufferAllocator<B> allocator) {
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options").validate();
        return new FluxFileRead<>(path, checkAllocator(options, allocator), allocator);
    }

    /** Refuses what an allocator cannot serve; returns {@code options}. */
    static ReadOptions checkAllocator(ReadOptions options, BufferAllocator<?> allocator) {
        Objects.requireNonNull(allocator, "allocator");
        if (options.direct()) {
            throw new IllegalArgumentException("DIRECT reads need aligned buffers: read with a buffer mode"
                    + " (ReadOptions.pooled or bufferMode), not an allocator");
        }
        return options;
    }

    /**
     * Like {@link #read(Path, ReadOptions)}, each chunk with the file offset it was read from, for
     * checkpointing ({@link FileChunk#end()} is where a restart resumes).
     */
    public static Flux<FileChunk> readChunks(Path path, ReadOptions options) {
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options").validate();
        return new FluxFileRead<>(path, options, FileChunk::new);
    }

    /** Writes {@code source} to {@code path} (created or truncated) with {@link WriteOptions#defaults()}. */
    public static Mono<Long> write(Publisher<? extends ByteBuffer> source, Path path) {
        return write(source, path, WriteOptions.defaults());
    }

    /**
     * Writes every buffer of {@code source}, in order, to {@code path} and emits the number of bytes
     * written. Each subscription opens the file (on the subscribing thread), requests buffers only as
     * writes complete, keeps several positional writes in flight, and succeeds only once every byte is
     * written (and synced, renamed, as the options ask) and the file closed. On an upstream error, a
     * failed write or a cancel it stops requesting and writing, waits for the writes in flight, closes
     * the file (deleting the temporary file of an atomic replace) and reports the error.
     *
     * <p>Buffers: the write publisher never changes a received buffer's content, position or limit. It
     * reads a buffer until that buffer's write completed, then hands it to
     * {@link WriteOptions#release(java.util.function.Consumer)} and keeps no reference to it.
     *
     * <pre>{@code
     * long n = FileFlux.write(FileFlux.read(src), dst, WriteOptions.defaults().atomic(true)).block();
     * }</pre>
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Mono<Long> write(Publisher<? extends ByteBuffer> source, Path path, WriteOptions options) {
        Objects.requireNonNull(source, "source");
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options").validate();
        return new FileWriteMono(source, path, options);
    }

    /**
     * Copies {@code source} to {@code target} and emits the number of bytes copied (the source's size).
     * Never blocks the caller.
     *
     * <p>On Linux with the io_uring engine (chosen, or selected by default) and a truncating or create-new
     * target, the kernel copies ({@code copy_file_range}) and holes stay holes ({@code SEEK_DATA} /
     * {@code SEEK_HOLE}; the target's size is set with {@code ftruncate}). The calls run in 32 MiB slices on
     * Reactor's {@code boundedElastic} scheduler: progress is reported and a cancel is seen between slices,
     * and the progress callback and the result come from that thread. Where the kernel refuses the pair of
     * files before anything is copied ({@code EXDEV}, {@code ENOSYS}, {@code EOPNOTSUPP}, {@code EINVAL}),
     * for a source that is not a regular file with a positive size ({@code /proc} files, FIFOs, devices),
     * on the nio and IOCP engines, and for append and positioned writes, the copy goes through the read and
     * write publishers: 1 MiB pooled buffers, {@code options.maxInFlight()} reads and as many writes in
     * flight.
     *
     * <p>The source is opened first; the target is created or truncated only after that (a FIFO with no
     * writer leaves the target as it was). With {@link WriteOptions#atomic(boolean)}, a symbolic link at
     * {@code target} is followed (the file it names is replaced, as a plain copy writes through it), and
     * temporary files of this target's pattern left by a killed copy — last modified more than ten minutes
     * ago and open in no process — are deleted first. On error or cancel both files are closed and the
     * temporary file of an atomic copy is deleted.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Mono<Long> copy(Path source, Path target, WriteOptions options) {
        LocalPaths.require(source);
        LocalPaths.require(target);
        Objects.requireNonNull(options, "options").validate();
        return FileWriteCopy.copy(source, target, options);
    }

    /**
     * Opens the file once per subscription, runs {@code body} with it, and closes it when the body
     * terminates or is cancelled; the terminal signal comes after the file is closed. Use it to read
     * several ranges from one open file:
     *
     * <pre>{@code
     * Flux<ByteBuffer> parts = FileFlux.usingFile(path, ReadOptions.defaults(), file ->
     *         Flux.concat(file.read(0, 500), file.read(9_500, 500)));
     * }</pre>
     *
     * <p>Cancelling the result cancels the reads in flight of every range being read, then closes the
     * file once they have completed. The position and length of {@code options} are ignored; each
     * {@link OpenFile#read} gives its own.
     *
     * @param path    the file, opened for reading on the subscribing thread
     * @param options chunk size, reads in flight, buffer mode, engine and open options of every read
     * @param body    what to emit, given the open file
     * @param <T>     what the body emits
     * @throws NullPointerException if an argument is null
     */
    public static <T> Flux<T> usingFile(Path path, ReadOptions options,
                                        Function<? super OpenFile, ? extends Publisher<? extends T>> body) {
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options").validate();
        Objects.requireNonNull(body, "body");
        return Flux.usingWhen(
                Mono.fromCallable(() -> {
                    FileEngine engine = options.execution().engineOrDefault();
                    Set<OpenOption> open = new HashSet<>(options.openOptions());
                    open.add(StandardOpenOption.READ);
                    return OpenFile.of(engine.open(path, open), options);
                }),
                body,
                OpenFile::close,
                (file, error) -> file.close(),
                OpenFile::close);
    }

    /**
     * Follows {@code path} like {@code tail -F}: growth, rotation, truncation, checkpoints (see
     * {@code docs/tailing.md}). Chunks are contiguous within one file; after a
     * {@link io.fileflux.reactor.tail.TailEvent.Kind#ROTATED rotation} they continue at offset 0 of the new
     * file, after a {@link io.fileflux.reactor.tail.TailEvent.Kind#TRUNCATED truncation} at offset 0 of the
     * same file. Every subscription starts asynchronously, reads only against demand, emits on the delivery
     * pool or the requesting thread (never on the engine's or a watcher's thread), and closes every file it
     * opened on cancel or termination.
     */
    public static Flux<TailChunk> tail(Path path, TailOptions options) {
        return TailAccess.tails().chunks(path, options);
    }

    /**
     * Follows {@code path} as lines, decoded as {@code lines} says, each with its checkpoint (and
     * acknowledgement, with a {@link TailOptions#checkpointer checkpointer}). A line split across a rotation
     * is emitted whole, with the new file's checkpoint; an incomplete last line is held until its newline,
     * until {@link LineOptions#flushIdle} or, when the stream completes, emitted as is.
     */
    public static Flux<TailLine> tailLines(Path path, TailOptions options, LineOptions lines) {
        return TailAccess.tails().lines(path, options, lines);
    }

    /**
     * Follows every file matching the globs of {@code options} as one stream of lines, each with its path,
     * file identity, start offset and checkpoint (see {@link TailAllOptions} and {@code docs/tailing.md}):
     * files created later are found, files deleted are read to their end, at most
     * {@link TailAllOptions#maxFiles} are followed at once and served in turn so that a busy file cannot
     * starve the others.
     */
    public static Flux<FileLine> tailAll(TailAllOptions options) {
        return TailAccess.manyTails().lines(options);
    }

    /** The lines of {@code path} (UTF-8), read once, each with its checkpoint. */
    public static Flux<TailLine> lines(Path path) {
        return lines(path, LineOptions.defaults());
    }

    /** The lines of {@code path}, read once, decoded as {@code lines} says, each with its checkpoint. */
    public static Flux<TailLine> lines(Path path, LineOptions lines) {
        return tailLines(path, TailOptions.defaults().follow(false), lines);
    }
}
