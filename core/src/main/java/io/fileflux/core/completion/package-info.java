/**
 * The model shared by the completion-queue engines (io_uring, IOCP): <em>submit an op tagged with a
 * token; the completion queue hands back token + result</em>.
 *
 * <p>{@link io.fileflux.core.completion.CompletionOp} is one operation with its state and the memory
 * it owns; {@link io.fileflux.core.completion.OpTable} keeps every op the kernel may still touch
 * strongly reachable, keyed by token; {@link io.fileflux.core.completion.CompletionDevice} turns device
 * calls into ops. A platform engine supplies a {@link io.fileflux.core.completion.CompletionDriver}:
 * how to submit, cancel and reap, nothing more.
 */
package io.fileflux.core.completion;
