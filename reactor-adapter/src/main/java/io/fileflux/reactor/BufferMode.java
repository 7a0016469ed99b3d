package io.fileflux.reactor;

/**
 * Where the buffers a read publisher emits come from, and who frees them.
 */
public enum BufferMode {
    /** A new heap buffer per chunk; it belongs to the subscriber. */
    HEAP,
    /** A new direct buffer per chunk (the default); it belongs to the subscriber. */
    DIRECT,
    /**
     * Buffers from a {@link io.fileflux.core.BufferPool}: the subscriber returns each emitted buffer
     * with {@code pool.release(buffer)}; buffers read but never emitted (cancel, error) are returned
     * by the publisher. Allocation-free in steady state.
     */
    POOLED
}
