package io.fileflux.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of direct buffers of one size, for readers that hand buffers back instead of leaving them
 * to the garbage collector. {@link #acquire()} returns a cleared buffer; {@link #release(ByteBuffer)}
 * gives it back. Buffers beyond {@code maxRetained} are dropped on release rather than kept.
 *
 * <p>Capacity: at most {@link #capacity()} buffers are lent at once. Acquiring past it fails at once
 * with {@link PoolExhaustedException} (it never waits: an acquire runs on engine and delivery threads,
 * which must not block). The default capacity is {@value #DEFAULT_CAPACITY_BYTES} bytes' worth of
 * buffers, and never less than {@code maxRetained} or 16 buffers. The pool therefore never holds
 * more than {@code capacity × bufferSize} bytes.
 *
 * <p>Leaks: the pool holds lent buffers only weakly. A lent buffer that becomes unreachable without
 * being released is counted in {@link #leaked()} (and leaves {@link #outstanding()}, freeing its
 * place in the capacity) when the pool next notices it — on the next acquire, release or call of
 * {@link #leaked()} or {@link #outstanding()} after the garbage collector cleared it; the first leak
 * of each pool is logged once as a WARN naming the pool. Tracking costs one weak reference per
 * buffer allocated, nothing per acquire or release.
 *
 * <p>Threading: thread-safe; acquire and release may happen on different threads.
 *
 * <p>Ownership: an acquired buffer belongs to its holder until released, and must be released once
 * and not used after; a second release is refused with {@link IllegalStateException}. {@link #outstanding()}
 * counts buffers acquired and not yet released, so tests and metrics can prove nothing leaked.
 */
public final class BufferPool {

    private static final Logger LOG = LoggerFactory.getLogger(BufferPool.class);

    /** Bytes' worth of buffers a pool lends at most when no capacity is given: 256 MiB. */
    public static final long DEFAULT_CAPACITY_BYTES = 256L << 20;

    private static final int ALIGNMENT = 4096;

    private final int bufferSize;
    private final int maxRetained;
    private final int capacity;
    /** Released buffers kept for reuse; each holds its buffer strongly. Guarded by this. */
    private final ArrayDeque<Lease> free;
    /** Every buffer of this pool, free or lent, by identity hash; chained. Guarded by this. */
    private Lease[] table = new Lease[64];
    private int tableSize;
    /** Buffers lent and not released (leaked ones leave it once noticed). Guarded by this. */
    private int lent;
    /** Leases whose buffer the garbage collector cleared: a lent one is a leak. */
    private final ReferenceQueue<ByteBuffer> collected = new ReferenceQueue<>();
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong leaked = new AtomicLong();
    /** {@link #lent}, readable without the lock (for {@link #toString()}). */
    private volatile int outstanding;

    /**
     * A pool lending at most {@link #DEFAULT_CAPACITY_BYTES} bytes' worth of buffers (at least
     * {@code maxRetained} and 16 of them).
     *
     * @param bufferSize  capacity of every buffer, in bytes (&gt; 0)
     * @param maxRetained how many released buffers to keep for reuse (&ge; 0)
     */
    public BufferPool(int bufferSize, int maxRetained) {
        this(bufferSize, maxRetained, defaultCapacity(bufferSize, maxRetained));
    }

    /**
     * @param bufferSize  capacity of every buffer, in bytes (&gt; 0)
     * @param maxRetained how many released buffers to keep for reuse (&ge; 0, at most {@code capacity})
     * @param capacity    how many buffers may be lent at once (&gt; 0); acquiring more fails with
     *                    {@link PoolExhaustedException}
     */
    public BufferPool(int bufferSize, int maxRetained, int capacity) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0, was " + bufferSize);
        }
        if (maxRetained < 0) {
            throw new IllegalArgumentException("maxRetained must be >= 0, was " + maxRetained);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
        }
        if (maxRetained > capacity) {
            throw new IllegalArgumentException("maxRetained (" + maxRetained + ") must be at most capacity ("
                    + capacity + ")");
        }
        this.bufferSize = bufferSize;
        this.maxRetained = maxRetained;
        this.capacity = capacity;
        this.free = new ArrayDeque<>(Math.min(maxRetained, 1024));
    }

    private static int defaultCapacity(int bufferSize, int maxRetained) {
        long byBytes = bufferSize <= 0 ? 1 : DEFAULT_CAPACITY_BYTES / bufferSize;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(Math.max(maxRetained, 16), byBytes));
    }

    /** The capacity of every buffer of this pool. */
    public int bufferSize() {
        return bufferSize;
    }

    /** How many buffers may be lent at once. */
    public int capacity() {
        return capacity;
    }

    /**
     * Takes a buffer (position 0, limit = capacity), reusing a released one when available.
     *
     * @throws PoolExhaustedException if {@link #capacity()} buffers are already lent
     * @throws OutOfMemoryError       if a new direct buffer cannot be allocated
     */
    public ByteBuffer acquire() {
        ByteBuffer b;
        synchronized (this) {
            expunge();
            if (lent >= capacity) {
                throw new PoolExhaustedException(exhausted());
            }
            Lease lease = free.pollFirst();
            if (lease != null) {
                b = lease.buffer;
                lease.buffer = null; // lent: held only weakly from here, so a dropped buffer is noticed
                lease.lent = true;
                outstanding = ++lent;
                return b.clear();
            }
            lent++; // reserve the place before allocating outside the lock
        }
        try {
            b = allocate();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                outstanding = --lent;
            }
            throw e;
        }
        allocated.incrementAndGet();
        Lease lease = new Lease(b, collected);
        lease.lent = true;
        synchronized (this) {
            insert(lease);
            outstanding = lent;
        }
        return b;
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
        synchronized (this) {
            Lease lease = find(buffer);
            if (lease == null || !lease.lent) {
                throw new IllegalStateException("buffer released twice, or not acquired from this pool: " + buffer);
            }
            lease.lent = false;
            outstanding = --lent;
            if (free.size() < maxRetained) {
                lease.buffer = buffer;
                free.addFirst(lease);
            } else {
                remove(lease);
                lease.clear(); // dropped on purpose: never reported
            }
            expunge();
        }
    }

    /** Buffers acquired and not yet released (a leaked buffer counts until the pool notices it). */
    public long outstanding() {
        synchronized (this) {
            expunge();
            return lent;
        }
    }

    /** Buffers this pool has allocated since it was created. */
    public long allocated() {
        return allocated.get();
    }

    /**
     * Lent buffers the garbage collector found unreachable before they were released. Each such
     * buffer is counted once, when the pool notices it (this call looks).
     */
    public long leaked() {
        synchronized (this) {
            expunge();
        }
        return leaked.get();
    }

    @Override
    public String toString() {
        return "BufferPool[" + bufferSize + "-byte buffers, " + outstanding + " of " + capacity + " lent, "
                + allocated.get() + " allocated, " + leaked.get() + " leaked]";
    }

    private String exhausted() {
        return "BufferPool exhausted: all " + capacity + " of its " + bufferSize + "-byte buffers are lent and not"
                + " released" + (leaked.get() > 0 ? " (" + leaked.get() + " were leaked)" : "")
                + ". Release each buffer with pool.release(buffer) once done (pooled reads: also"
                + " .doOnDiscard(ByteBuffer.class, pool::release)), or create the pool with a larger capacity"
                + " (new BufferPool(size, retained, capacity)) or read with fewer reads in flight";
    }

    /** Guarded by this: reports and forgets leases whose lent buffer was collected. */
    private void expunge() {
        // ReferenceQueue.poll is one volatile read while nothing was collected
        java.lang.ref.Reference<? extends ByteBuffer> r;
        while ((r = collected.poll()) != null) {
            Lease lease = (Lease) r;
            if (!lease.lent) {
                continue; // already dropped (cleared by release), nothing lost
            }
            lease.lent = false;
            remove(lease);
            outstanding = --lent;
            long n = leaked.incrementAndGet();
            if (n == 1) {
                LOG.warn("a {}-byte buffer of {} became unreachable without pool.release(buffer): it was leaked"
                        + " (reported once per pool; pool.leaked() counts them)", bufferSize, this);
            }
        }
    }

    private static int hash(ByteBuffer b) {
        int h = System.identityHashCode(b);
        return h ^ (h >>> 16);
    }

    private Lease find(ByteBuffer b) {
        int h = hash(b);
        for (Lease l = table[h & (table.length - 1)]; l != null; l = l.next) {
            if (l.hash == h && l.get() == b) {
                return l;
            }
        }
        return null;
    }

    private void insert(Lease lease) {
        if (tableSize >= table.length * 3 / 4) {
            Lease[] old = table;
            table = new Lease[old.length * 2];
            for (Lease head : old) {
                for (Lease l = head; l != null; ) {
                    Lease next = l.next;
                    int i = l.hash & (table.length - 1);
                    l.next = table[i];
                    table[i] = l;
                    l = next;
                }
            }
        }
        int i = lease.hash & (table.length - 1);
        lease.next = table[i];
        table[i] = lease;
        tableSize++;
    }

    private void remove(Lease lease) {
        int i = lease.hash & (table.length - 1);
        Lease prev = null;
        for (Lease l = table[i]; l != null; prev = l, l = l.next) {
            if (l == lease) {
                if (prev == null) {
                    table[i] = l.next;
                } else {
                    prev.next = l.next;
                }
                l.next = null;
                tableSize--;
                return;
            }
        }
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

    /**
     * One buffer of the pool, for its whole life: weakly referenced always, strongly ({@link #buffer})
     * only while free. Allocated once per buffer, so lending costs nothing.
     */
    private static final class Lease extends WeakReference<ByteBuffer> {
        final int hash;
        /** Non-null while free (in {@link #free}); null while lent. Guarded by the pool. */
        ByteBuffer buffer;
        /** Lent and not released. Guarded by the pool. */
        boolean lent;
        Lease next;

        Lease(ByteBuffer b, ReferenceQueue<ByteBuffer> q) {
            super(b, q);
            this.hash = hash(b);
        }
    }
}
