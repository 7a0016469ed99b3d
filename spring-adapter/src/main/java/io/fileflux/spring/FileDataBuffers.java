package io.fileflux.spring;

import io.fileflux.core.BufferPool;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.OpenFile;
import io.fileflux.reactor.ReadOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * Files as {@code Flux<DataBuffer>}: the drop-in for {@link DataBufferUtils#read(Path, DataBufferFactory, int,
 * java.nio.file.OpenOption...)} with several reads in flight, large chunks, and kernel cancellation when
 * the subscriber (an HTTP client) goes away.
 *
 * <pre>{@code
 * BufferPool pool = new BufferPool(256 * 1024, 64);               // shared by every request
 * ReadOptions options = ReadOptions.defaults().pooled(pool).maxInFlight(4);
 * Flux<DataBuffer> body = FileDataBuffers.read(path, response.bufferFactory(), options);
 * return response.writeWith(body);
 * }</pre>
 *
 * <p>How a chunk becomes a {@link DataBuffer} depends on the buffer mode of the options:
 * <ul>
 *   <li>{@code POOLED} (recommended for servers): the file is read into a Fileflux pool buffer, copied into
 *       a buffer allocated by {@code factory} (pooled Netty memory under Reactor Netty), and the pool
 *       buffer goes straight back. Memory stays in the factory's pool; nothing waits for the GC.</li>
 *   <li>{@code DIRECT} / {@code HEAP}: the buffer read is wrapped ({@link DataBufferFactory#wrap(ByteBuffer)}),
 *       without a copy; its memory is freed by the garbage collector.</li>
 * </ul>
 *
 * <p>Every emitted buffer belongs to the subscriber, who releases it ({@link DataBufferUtils#release}); every
 * buffer Reactor discards inside these publishers (cancel, error, operators' queues) is released here.
 * Cancelling cancels the reads in flight and closes the file once they have completed.
 */
public final class FileDataBuffers {

    private FileDataBuffers() {
    }

    /**
     * The file (or the range of {@code options}) as data buffers in offset order.
     *
     * @param path    the file
     * @param factory allocates (or wraps) the emitted buffers, e.g. {@code response.bufferFactory()}
     * @param options chunk size, reads in flight, range, engine, buffer mode
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for an invalid combination of options
     */
    public static Flux<DataBuffer> read(Path path, DataBufferFactory factory, ReadOptions options) {
        Objects.requireNonNull(factory, "factory");
        return toDataBuffers(FileFlux.read(path, options), factory, options.pool(), path);
    }

    /**
     * {@code length} bytes from {@code position} of a file already open (see {@link FileFlux#usingFile}),
     * with the options it was opened with.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for a negative position or length
     */
    public static Flux<DataBuffer> read(OpenFile file, long position, long length, DataBufferFactory factory) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(factory, "factory");
        return toDataBuffers(file.read(position, length), factory, file.options().pool(), file.path());
    }

    /**
     * Turns chunks into data buffers of {@code factory}: copied into factory buffers when the chunks come
     * from {@code pool} (which gets them back at once), wrapped otherwise.
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
