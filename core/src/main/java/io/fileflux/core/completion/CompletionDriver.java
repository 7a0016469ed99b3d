package io.fileflux.core.completion;

/**
 * The thin platform part of a completion-queue engine (io_uring, IOCP): it knows how to hand an op
 * to the kernel, how to ask the kernel to cancel it, and (on its own completion thread) how to reap
 * completions. Everything else — the op table, buffer ownership, result dispatch — lives in this
 * package.
 *
 * <p>Reaping contract: for every completion the driver calls {@link OpTable#remove(long)} with the
 * token it submitted and, if an op comes back, exactly one of {@link CompletionOp#complete(int)},
 * {@link CompletionOp#fail(int, String, String)} or {@link CompletionOp#cancelled(int, String)}.
 * Completions whose token is unknown (stale) are logged and ignored.
 *
 * <p>Threading: both methods may be called from any thread, including the driver's own completion
 * thread from inside a callback; neither may block that thread.
 */
public interface CompletionDriver {

    /** The table that owns this driver's ops until their completion. */
    OpTable ops();

    /**
     * Hands a registered op to the kernel. After a normal return the op's completion will arrive
     * exactly once. A caller other than the completion thread may be made to wait while the kernel
     * queue is full; the completion thread never waits.
     *
     * @throws IllegalStateException if the driver is shut down; the op was not handed to the kernel
     *                               and the caller unregisters it
     */
    void submit(CompletionOp op);

    /**
     * Asks the kernel to cancel a submitted op ({@code IORING_OP_ASYNC_CANCEL}, {@code CancelIoEx}).
     * Never blocks and never completes the op itself: the op's own completion still arrives, with a
     * cancelled status or, if the cancel lost the race, with its normal result.
     */
    void cancel(CompletionOp op);
}
