package io.fileflux.spring;

import io.fileflux.core.BufferPool;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.OpenFile;
import io.fileflux.reactor.ReadOptions;
import io.fileflux.reactor.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Files as {@code Flux<DataBuffer>}, and {@code Publisher<DataBuffer>} into files: the drop-ins for
 * {@link DataBufferUtils#read(Path, DataBufferFactory, int, java.nio.file.OpenOption...)} and
 * {@link DataBufferUtils#write(Publisher, Path, java.nio.file.OpenOption...)} with several operations in
 * flight, large chunks, and kernel cancellation when the subscriber (an HTTP client) goes away.
 *
 * <pre>{@code
 * ReadOptions options = ReadOptions.defaults().chunkSize(256 * 1024).maxInFlight(4);
 * Flux<DataBuffer> body = FileDataBuffers.read(path, response.bufferFactory(), options);
 * return response.writeWith(body);
 *
 * Mono<Long> saved = FileDataBuffers.write(request.getBody(), target, WriteOptions.defaults().atomic(true));
 * }</pre>
 *
 * <p>Reads go straight into buffers of the {@code factory}, without a copy in between: each chunk's buffer
 * is allocated from the factory and the kernel reads into its writable {@link ByteBuffer} view. With
 * Reactor Netty's factory ({@code NettyDataBufferFactory} over pooled direct memory) the kernel writes
 * into Netty's pooled memory in place; with a heap factory ({@code DefaultDataBufferFactory}) the native
 * engines read through their bounce buffer into the heap buffer. The options' buffer mode and pool are
 * not used, except for {@code DIRECT} ({@code O_DIRECT}) reads, which need aligned buffers: those are read
 * into the options' buffers (pooled buffers are copied into factory buffers and go straight back; heap and
 * direct ones are wrapped).
 *
 * <p>Ownership: every emitted buffer belongs to the subscriber, who releases it ({@link DataBufferUtils#release}).
 * Buffers read but never emitted (cancel, error, end of file) are released by the publisher once the
 * kernel is done with them, and buffers Reactor discards inside these publishers are released too
 * ({@code doOnDiscard}). Operators added downstream that queue buffers (such as {@code publishOn}) need
 * their own {@code doOnDiscard}. Cancelling cancels the reads in flight and closes the file once they
 * have completed. Allocation runs inside the subscription's drain (a delivery thread or the subscriber's
 * thread), never on an engine thread.
 */
public final class FileDataBuffers {

    private FileDataBuffers() {
    }

    /**
     * The file (or the range of {@code options}) as data buffers of {@code factory} in offset order.
     *
     * @param path    the file
     * @param factory allocates the emitted buffers, e.g. {@code response.bufferFactory()}
     * @param options chunk size, reads in flight, range, engine
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Flux<DataBuffer> read(Path path, DataBufferFactory factory, ReadOptions options) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        if (options.direct()) {
            return toDataBuffers(FileFlux.read(path, options), factory, options.pool(), path);
        }
        return FileFlux.read(path, options, new FactoryAllocator(factory))
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /**
     * {@code length} bytes from {@code position} of a file already open (see {@link FileFlux#usingFile}),
     * with the options it was opened with, read into buffers of {@code factory}.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for a negative position or length
     */
    public static Flux<DataBuffer> read(OpenFile file, long position, long length, DataBufferFactory factory) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(factory, "factory");
        if (file.options().direct()) {
            return toDataBuffers(file.read(position, length), factory, file.options().pool(), file.path());
        }
        return file.read(position, length, new FactoryAllocator(factory))
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /**
     * Writes every data buffer of {@code source}, in order, to {@code path}, and emits the number of bytes
     * written: {@link FileFlux#write(Publisher, Path, WriteOptions)} — the same modes, atomic replace and
     * durability — fed with each buffer's readable bytes without a copy. Each data buffer is released once
     * its write has completed; on an error, a failed write or a cancel, the buffers received and not yet
     * written are released as well (after the writes in flight complete), and buffers Reactor discards
     * upstream are released. A buffer whose readable bytes are not one {@link ByteBuffer} (a composite) is
     * copied and released at once.
     *
     * @param options mode, atomic, durability, writes in flight, engine; its release callback is replaced
     *                by the release of the data buffers
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Mono<Long> write(Publisher<? extends DataBuffer> source, Path path, WriteOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        FileFlux.write(Flux.empty(), path, options); // validates path and options at assembly
        return Mono.defer(() -> {
            DataBufferWrites lent = new DataBufferWrites();
            Flux<ByteBuffer> views = Flux.<DataBuffer>from(source)
                    .map(lent::view)
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
            return FileFlux.write(views, path, options.release(lent::release));
        });
    }

    /**
     * Turns chunks into data buffers of {@code factory}: copied into factory buffers when the chunks come
     * from {@code pool} (which gets them back at once), wrapped otherwise. For {@code DIRECT} reads only.
     */
    static Flux<DataBuffer> toDataBuffers(Flux<ByteBuffer> chunks, DataBufferFactory factory, BufferPool pool,
                                          Path path) {
        Flux<DataBuffer> buffers = pool == null
                ? chunks.map(factory::wrap)
                : chunks.map(chunk -> copy(chunk, factory, pool, path));
        return buffers.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /**
     * A factory buffer holding {@code chunk}, which goes back to the pool either way. A factory that cannot
     * allocate (Netty's direct memory exhausted) fails the stream with an I/O error naming the file,
     * rather than an {@code OutOfMemoryError} that Reactor would rethrow past the subscriber.
     */
    private static DataBuffer copy(ByteBuffer chunk, DataBufferFactory factory, BufferPool pool, Path path) {
        try {
            DataBuffer buffer;
            try {
                buffer = factory.allocateBuffer(chunk.remaining());
            } catch (OutOfMemoryError e) {
                throw Exceptions.propagate(new IOException("reading " + path + ": the buffer factory cannot allocate "
                        + chunk.remaining() + " bytes (" + e.getMessage() + "); lower the chunk size or the demand "
                        + "(limitRate), or give the server more memory", e));
            }
            try {
                buffer.write(chunk);
            } catch (RuntimeException | Error e) {
                DataBufferUtils.release(buffer);
                throw e;
            }
            return buffer;
        } finally {
            pool.release(chunk);
        }
    }
}
