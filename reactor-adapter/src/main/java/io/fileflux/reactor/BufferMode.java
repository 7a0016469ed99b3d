package io.fileflux.reactor;

/**
 * Where the buffers a read publisher emits come from, and who frees them.
 */
public enum BufferMode {
    /**
     * A new heap buffer per chunk (the default); it belongs to the subscriber. The garbage collector
     * reclaims it cheaply; the native engines read through a reused direct bounce buffer.
     */
    HEAP,
    /**
     * A new direct buffer per chunk; it belongs to the subscriber. The kernel reads into it in place,
     * but allocating (and zeroing, and later cleaning) native memory per chunk costs more than the
     * copy it saves, and unreclaimed buffers hold native memory until a GC: measured at half the
     * speed of {@link #HEAP} (docs/benchmarks.md). Use it when the consumer needs direct buffers.
     */
    DIRECT,
    /**
     * Buffers from a {@link io.fileflux.core.BufferPool}: the subscriber returns each emitted buffer
     * with {@code pool.release(buffer)}; buffers read but never emitted (cancel, error) are returned
     * by the publisher. Allocation-free in steady state.
     */
    POOLED
}
