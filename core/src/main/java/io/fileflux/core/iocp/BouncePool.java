package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Native bounce buffers for heap {@link java.nio.ByteBuffer}s, reused: a read of a heap buffer needs
 * native memory the kernel can write while the operation is in flight, and allocating (and, past 1 MiB,
 * mapping) a fresh block per chunk would cost more than the copy. Blocks are power-of-two sized from
 * 4 KiB to 1 MiB, 4096-byte aligned (so unbuffered handles can use them too), and at most
 * {@value #PER_CLASS} per size are kept; larger requests are allocated and freed each time.
 *
 * <p>Ownership: a block belongs to one operation from {@link #acquire} until {@link #release}, which the
 * operation calls only once the kernel has reported its completion.
 *
 * <p>Threading: thread-safe.
 */
final class BouncePool {

    static final int ALIGNMENT = 4096;
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 20;
    static final int PER_CLASS = 16;

    private final ArrayBlockingQueue<Block>[] free;

    @SuppressWarnings("unchecked")
    BouncePool() {
        free = new ArrayBlockingQueue[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayBlockingQueue<>(PER_CLASS);
        }
    }

    /** One block of native memory: its allocation, and the aligned address and capacity to use. */
    static final class Block {
        final Memory memory;
        final long address;
        final int capacity;
        final int sizeClass;

        Block(int capacity, int sizeClass) {
            this.memory = new Memory((long) capacity + ALIGNMENT - 1);
            long base = Pointer.nativeValue(memory);
            this.address = (base + ALIGNMENT - 1) & -ALIGNMENT;
            this.capacity = capacity;
            this.sizeClass = sizeClass;
        }
    }

    /** A block of at least {@code length} bytes, reused when one is free. */
    Block acquire(int length) {
        int sizeClass = sizeClass(length);
        if (sizeClass < 0) {
            return new Block(length, -1);
        }
        Block block = free[sizeClass].poll();
        return block != null ? block : new Block(1 << (sizeClass + MIN_SHIFT), sizeClass);
    }

    /** Returns a block whose operation has completed; frees it if its size class is full. */
    void release(Block block) {
        if (block.sizeClass < 0 || !free[block.sizeClass].offer(block)) {
            block.memory.close();
        }
    }

    /** Blocks kept for reuse (tests). */
    int pooled() {
        int n = 0;
        for (ArrayBlockingQueue<Block> q : free) {
            n += q.size();
        }
        return n;
    }

    private static int sizeClass(int length) {
        if (length > 1 << MAX_SHIFT) {
            return -1;
        }
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(length - 1));
        return shift - MIN_SHIFT;
    }
}
