package io.fileflux.core.completion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The ops of one engine that the kernel may still be working on, keyed by the token each was
 * submitted with. Holding an op here is what keeps its buffers and native memory strongly reachable
 * until its completion is reaped (see "Buffer ownership" and "Cancellation" in docs/semantics.md).
 *
 * <p>Tokens: bits 0–31 are a slot index, bits 32–61 the slot's generation (so a reused slot never
 * answers to a stale token); a token is never 0 and never has bit 62 or 63 set — those are
 * {@link #RESERVED_BITS} a driver may use for its internal completions (wake-ups, cancel results).
 *
 * <p>Threading: thread-safe; every method holds the table's monitor briefly and never calls out.
 */
public final class OpTable {

    /** Token bits an op's token never uses; drivers tag internal completions with them. */
    public static final long RESERVED_BITS = 0xC000_0000_0000_0000L;

    private static final int GENERATION_MASK = 0x3fff_ffff;

    private CompletionOp[] ops;
    private int[] generations;
    private int[] free;
    private int freeCount;
    private int used;
    private int size;
    private boolean closed;

    /** A table sized for {@code initialCapacity} ops; it grows as needed. */
    public OpTable(int initialCapacity) {
        int n = Math.max(initialCapacity, 4);
        ops = new CompletionOp[n];
        generations = new int[n];
        free = new int[n];
    }

    /**
     * Adds {@code op}, assigns its token and returns it.
     *
     * @throws IllegalStateException once {@link #close()} was called
     */
    public synchronized long register(CompletionOp op) {
        Objects.requireNonNull(op, "op");
        if (closed) {
            throw new IllegalStateException("engine closed");
        }
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == ops.length) {
                int n = ops.length * 2;
                ops = Arrays.copyOf(ops, n);
                generations = Arrays.copyOf(generations, n);
                free = Arrays.copyOf(free, n);
            }
            slot = used++;
        }
        int generation = (generations[slot] + 1) & GENERATION_MASK;
        if (generation == 0) {
            generation = 1;
        }
        generations[slot] = generation;
        ops[slot] = op;
        size++;
        long token = ((long) generation << 32) | (slot & 0xffff_ffffL);
        op.token(token);
        return token;
    }

    /**
     * Removes and returns the op submitted with {@code token}, or null if there is none (a stale or
     * foreign token, or one already removed). The caller then delivers the op's result.
     */
    public synchronized CompletionOp remove(long token) {
        if ((token & RESERVED_BITS) != 0) {
            return null;
        }
        long slotLong = token & 0xffff_ffffL;
        if (slotLong >= used) {
            return null;
        }
        int slot = (int) slotLong;
        CompletionOp op = ops[slot];
        if (op == null || generations[slot] != (int) (token >>> 32)) {
            return null;
        }
        ops[slot] = null;
        free[freeCount++] = slot;
        if (--size == 0 && closed) {
            notifyAll();
        }
        return op;
    }

    /** The op registered under {@code token}, still in flight, or null. */
    public synchronized CompletionOp get(long token) {
        if ((token & RESERVED_BITS) != 0 || (token & 0xffff_ffffL) >= used) {
            return null;
        }
        int slot = (int) (token & 0xffff_ffffL);
        CompletionOp op = ops[slot];
        return op != null && generations[slot] == (int) (token >>> 32) ? op : null;
    }

    /** Ops registered and not yet removed. */
    public synchronized int size() {
        return size;
    }

    /** True once {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Refuses further registrations and returns the ops still in flight, which the caller cancels.
     * Later calls return the ops still in flight then.
     */
    public synchronized List<CompletionOp> close() {
        closed = true;
        List<CompletionOp> live = new ArrayList<>(size);
        for (int i = 0; i < used; i++) {
            if (ops[i] != null) {
                live.add(ops[i]);
            }
        }
        return live;
    }

    /**
     * Waits until the table is closed and empty.
     *
     * @return false if the timeout elapsed first
     */
    public synchronized boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!(closed && size == 0)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
