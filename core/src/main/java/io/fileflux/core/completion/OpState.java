package io.fileflux.core.completion;

/**
 * The life cycle of a {@link CompletionOp}. The only transitions are
 * {@code SUBMITTED → CANCEL_REQUESTED → COMPLETED}, {@code SUBMITTED → CLOSE_REQUESTED → COMPLETED} and
 * {@code SUBMITTED → COMPLETED}; anything else (a second completion above all) is a bug and fails loudly.
 */
public enum OpState {
    /** Registered in the op table and handed (or about to be handed) to the kernel. */
    SUBMITTED,
    /** A kernel cancel was requested; the op still owns its buffer until its completion arrives. */
    CANCEL_REQUESTED,
    /**
     * The engine is closing: a kernel cancel was requested, and a cancelled completion is reported as
     * {@link io.fileflux.core.EngineClosedException}. The op owns its buffer until its completion arrives.
     */
    CLOSE_REQUESTED,
    /** The completion arrived and the callback has started; the op owns nothing any more. */
    COMPLETED
}
