package io.fileflux.core;

/**
 * A handle to one submitted operation.
 *
 * <p>Threading: thread-safe. Cancelling never frees the operation's buffer: it stays owned by the
 * engine until the operation's callback has run.
 */
public interface IoOperation {

    /** The file position the operation was submitted at ({@code -1} for a sync). */
    long position();

    /** True once the operation's callback has started. */
    boolean isDone();

    /**
     * Asks the kernel to cancel the operation ({@code IORING_OP_ASYNC_CANCEL}, {@code CancelIoEx}).
     * The callback still runs exactly once: with {@link IoCancelledException} if the cancel won, or
     * with the normal result if the operation had already completed (a normal race). On the
     * {@code nio} engine cancellation is best effort: the operation is detached and reported as
     * cancelled when the channel completes it.
     */
    void cancel();
}
