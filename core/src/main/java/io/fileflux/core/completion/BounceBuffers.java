package io.fileflux.core.completion;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct, 4096-aligned buffers through which the kernel reads into or writes from a heap
 * {@code ByteBuffer}, kept for reuse: one free list per power-of-two size class from 4 KiB to
 * {@link CompletionOp#MAX_BOUNCE}, holding at most {@value #MAX_RETAINED_BYTES} bytes in all.
 *
 * <p>Ownership: a buffer is taken when an op is created and given back only once the op's
 * completion has been reaped (the kernel is done with it), never earlier — so nothing the kernel may
 * still write into is ever handed to another op. Used by every engine whose kernel interface needs
 * native memory (io_uring, iocp, and nio, whose channel would otherwise take a temporary direct
 * buffer on its own pool thread, where a failed allocation could not reach the op). Threading:
 * thread-safe.
 */
public final class BounceBuffers {

    static final int ALIGNMENT = 4096;
    static final long MAX_RETAINED_BYTES = 16L << 20;
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = Integer.numberOfTrailingZeros(CompletionOp.MAX_BOUNCE);

    @SuppressWarnings("unchecked")
    private static final ArrayDeque<ByteBuffer>[] FREE = new ArrayDeque[MAX_SHIFT + 1];
    private static final AtomicLong RETAINED = new AtomicLong();
    private static final AtomicLong ALLOCATED = new AtomicLong();

    static {
        for (int i = MIN_SHIFT; i <= MAX_SHIFT; i++) {
            FREE[i] = new ArrayDeque<>();
        }
    }

    private BounceBuffers() {
    }

    /** A buffer with at least {@code n} bytes (n ≤ MAX_BOUNCE), position 0, limit {@code n}. */
    public static ByteBuffer acquire(int n) {
        int shift = classOf(n);
        ByteBuffer b;
        ArrayDeque<ByteBuffer> free = FREE[shift];
        synchronized (free) {
            b = free.pollFirst();
        }
        if (b != null) {
            RETAINED.addAndGet(-b.capacity());
        } else {
            b = ByteBuffer.allocateDirect((1 << shift) + ALIGNMENT - 1).alignedSlice(ALIGNMENT);
            ALLOCATED.incrementAndGet();
        }
        b.clear().limit(n);
        return b;
    }

    /** Gives back a buffer from {@link #acquire}, after the kernel is done with it. */
    public static void release(ByteBuffer b) {
        int shift = 31 - Integer.numberOfLeadingZeros(b.capacity());
        if (shift < MIN_SHIFT || shift > MAX_SHIFT) {
            return;
        }
        if (RETAINED.addAndGet(b.capacity()) > MAX_RETAINED_BYTES) {
            RETAINED.addAndGet(-b.capacity()); // full: let the garbage collector have it
            return;
        }
        ArrayDeque<ByteBuffer> free = FREE[shift];
        synchronized (free) {
            free.addFirst(b);
        }
    }

    /** Buffers allocated since start (a pool that works keeps this flat). */
    static long allocated() {
        return ALLOCATED.get();
    }

    private static int classOf(int n) {
        int shift = 32 - Integer.numberOfLeadingZeros(Math.max(n, 1) - 1);
        return Math.max(MIN_SHIFT, shift);
    }
}
