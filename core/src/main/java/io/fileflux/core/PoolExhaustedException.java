package io.fileflux.core;

/**
 * {@link BufferPool#acquire()} found every buffer of the pool lent: the pool's capacity is reached.
 * Usually buffers are not being released; the message says what to change.
 */
public final class PoolExhaustedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param message what is exhausted and what to change */
    public PoolExhaustedException(String message) {
        super(message);
    }
}
