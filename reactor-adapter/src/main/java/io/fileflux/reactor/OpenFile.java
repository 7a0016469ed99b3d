package io.fileflux.reactor;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A file opened once by {@link FileFlux#usingFile}, from which any number of ranges can be read —
 * one after the other or at the same time — without opening it again: the several parts of an HTTP
 * {@code multipart/byteranges} response, an index then the records it points at, ...
 *
 * <p>Every read uses the chunk size, reads in flight, buffer mode and engine of the options given to
 * {@code usingFile}; their position and length are ignored. A read publisher from an {@code OpenFile}
 * is cold, and its terminal signal comes as soon as its range is read (the file itself is closed when
 * the {@code usingFile} body terminates). Reading after that fails with {@link IllegalStateException}.
 *
 * <p>Threading: thread-safe. Instances are created only by {@link FileFlux#usingFile}.
 */
public final class OpenFile {

    private final FileDevice device;
    private final ReadOptions options;

    OpenFile(FileDevice device, ReadOptions options) {
        this.device = device;
        this.options = options;
    }

    /** The path the file was opened from. */
    public Path path() {
        return device.path();
    }

    /** The identity (dev+inode, volume serial+file index) of the opened file. */
    public FileIdentity identity() {
        return device.identity();
    }

    /** The options every read from this file uses (chunk size, reads in flight, buffer mode, engine). */
    public ReadOptions options() {
        return options;
    }

    /** The current size of the opened file (not of whatever the path names now). */
    public long size() throws IOException {
        return device.size();
    }

    /**
     * {@code length} bytes from {@code position} (fewer at end of file), or to the end with
     * {@link ReadOptions#TO_END}; chunks in offset order, buffers owned as in {@link FileFlux#read}.
     *
     * @throws IllegalArgumentException for a negative position or length, or a misaligned
     *                                  {@code DIRECT} position
     */
    public Flux<ByteBuffer> read(long position, long length) {
        return new FluxFileRead<>(device, rangeOptions(position, length), (offset, data) -> data);
    }

    /**
     * Like {@link #read(long, long)}, read straight into buffers of {@code allocator} and emitted as they
     * are, owned as in {@link FileFlux#read(Path, ReadOptions, BufferAllocator)}.
     *
     * @throws IllegalArgumentException for a negative position or length, or a file opened with
     *                                  {@code DIRECT}
     */
    public <B> Flux<B> read(long position, long length, BufferAllocator<B> allocator) {
        return new FluxFileRead<>(device, FileFlux.checkAllocator(rangeOptions(position, length), allocator),
                allocator);
    }

    /** Like {@link #read(long, long)}, each chunk with its file offset. */
    public Flux<FileChunk> readChunks(long position, long length) {
        return new FluxFileRead<>(device, rangeOptions(position, length), FileChunk::new);
    }

    private ReadOptions rangeOptions(long position, long length) {
        return options.range(position, length).validate();
    }

    /** Closes the device; completes once the handle is closed (after any op still in flight). */
    Mono<Void> close() {
        return Mono.fromFuture(device::closeAsync);
    }

    @Override
    public String toString() {
        return "OpenFile[" + device.path() + "]";
    }

    static OpenFile of(FileDevice device, ReadOptions options) {
        return new OpenFile(Objects.requireNonNull(device, "device"), options);
    }
}
