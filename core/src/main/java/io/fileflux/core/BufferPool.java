package io.fileflux.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of direct buffers of one size, for readers that hand buffers back instead of leaving them
 * to the garbage collector. {@link #acquire()} returns a cleared buffer; {@link #release(ByteBuffer)}
 * gives it back. Buffers beyond {@code maxRetained} are dropped on release rather than kept.
 *
 * <p>Threading: thread-safe; acquire and release may happen on different threads.
 *
 * <p>Ownership: an acquired buffer belongs to its holder until released, and must be released once
 * and not used after; a second release is refused with {@link IllegalStateException}. {@link #outstanding()} counts buffers acquired and not yet released, so tests
 * and metrics can prove nothing leaked.
 */
public final class BufferPool {

    private static final int ALIGNMENT = 4096;

    private final int bufferSize;
    private final int maxRetained;
    private final ArrayDeque<ByteBuffer> free;
    /** Buffers acquired and not released, by identity (a ByteBuffer's equals compares contents). Guarded by free. */
    private final Set<ByteBuffer> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicLong allocated = new AtomicLong();

    /**
     * @param bufferSize  capacity of every buffer, in bytes (&gt; 0)
     * @param maxRetained how many released buffers to keep for reuse (&ge; 0)
     */
    public BufferPool(int bufferSize, int maxRetained) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0, was " + bufferSize);
        }
        if (maxRetained < 0) {
            throw new IllegalArgumentException("maxRetained must be >= 0, was " + maxRetained);
        }
        this.bufferSize = bufferSize;
        this.maxRetained = maxRetained;
        this.free = new ArrayDeque<>(Math.min(maxRetained, 1024));
    }

    /** The capacity of every buffer of this pool. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Takes a buffer (position 0, limit = capacity), reusing a released one when available. */
    public ByteBuffer acquire() {
        ByteBuffer b;
        synchronized (free) {
            b = free.pollFirst();
        }
        if (b == null) {
            b = allocate();
            allocated.incrementAndGet();
        }
        synchronized (free) {
            lent.add(b);
        }
        outstanding.incrementAndGet();
        return b.clear();
    }

    /**
     * Gives a buffer back. The caller must not use it afterwards.
     *
     * @throws IllegalArgumentException if the buffer cannot have come from this pool
     * @throws IllegalStateException    if the buffer is not lent out: released twice, or never
     *                                  acquired here (a second release would hand one buffer to two
     *                                  holders, so it is refused and the pool stays consistent)
     */
    public void release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || buffer.capacity() != bufferSize) {
            throw new IllegalArgumentException("buffer does not belong to this pool: " + buffer);
        }
        synchronized (free) {
            if (!lent.remove(buffer)) {
                throw new IllegalStateException("buffer released twice, or not acquired from this pool: " + buffer);
            }
            if (free.size() < maxRetained) {
                free.addFirst(buffer);
            }
        }
        outstanding.decrementAndGet();
    }

    /**
     * A new buffer of exactly {@code bufferSize} bytes; 4096-aligned when the size is a multiple of
     * 4096, so that pooled buffers also serve {@code O_DIRECT} reads.
     */
    private ByteBuffer allocate() {
        if (bufferSize % ALIGNMENT != 0) {
            return ByteBuffer.allocateDirect(bufferSize);
        }
        return ByteBuffer.allocateDirect(bufferSize + ALIGNMENT).alignedSlice(ALIGNMENT).limit(bufferSize).slice();
    }

    /** Buffers acquired and not yet released. */
    public long outstanding() {
        return outstanding.get();
    }

    /** Buffers this pool has allocated since it was created. */
    public long allocated() {
        return allocated.get();
    }
}
