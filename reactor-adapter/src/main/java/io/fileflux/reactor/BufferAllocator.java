package io.fileflux.reactor;

import java.nio.ByteBuffer;

/**
 * Where a read publisher gets the buffers it reads into and emits, when they are another library's
 * buffers (a Spring {@code DataBuffer}, a Netty {@code ByteBuf}): the kernel reads straight into the
 * buffer's memory through a writable {@link ByteBuffer} view, and the buffer itself is emitted — no
 * copy. Given to {@link FileFlux#read(java.nio.file.Path, ReadOptions, BufferAllocator)}; it replaces
 * the options' {@link BufferMode}.
 *
 * <p>Life of a buffer: {@link #allocate} → {@link #writableView} (the engine reads into the view) → either
 * {@link #filled} (the buffer is emitted and belongs to the subscriber from then on) or {@link #release}
 * (read but never emitted: cancel, error, end of file). Exactly one of the two, once per buffer. The
 * publisher never releases a buffer while a read into its view is in flight: after a cancel it waits
 * for the kernel's completion first, so the memory is never reused while the kernel may write into it.
 *
 * <p>Threading: every method runs inside the subscription's drain — one thread at a time per
 * subscription, on the subscriber's thread or a delivery thread, never on an engine's completion
 * thread. Methods must not block. A method that throws fails the stream (an {@link OutOfMemoryError}
 * from {@code allocate} becomes an {@link java.io.IOException} naming the file); a buffer whose
 * {@code filled} threw is released by the publisher.
 *
 * @param <B> the buffer type emitted
 */
public interface BufferAllocator<B> {

    /**
     * A new buffer with room for at least {@code size} bytes.
     *
     * @param size bytes the next read transfers at most (at least 1)
     */
    B allocate(int size);

    /**
     * A writable view of {@code buffer}'s memory where the read's bytes go: at least {@code size} bytes
     * remaining from its position, not read-only, backed by the buffer's own memory (direct memory lets
     * the kernel read in place; a heap view is filled through the engine's bounce buffer). The view must
     * stay valid until {@link #filled} or {@link #release}. The publisher moves its position; nothing
     * else may use it meanwhile.
     */
    ByteBuffer writableView(B buffer, int size);

    /**
     * {@code bytes} bytes (at least 1) were read into the view from its position: make them the
     * buffer's readable content and return the buffer to emit (usually {@code buffer} itself).
     */
    B filled(B buffer, int bytes);

    /** Gives back a buffer that will not be emitted. */
    void release(B buffer);
}
