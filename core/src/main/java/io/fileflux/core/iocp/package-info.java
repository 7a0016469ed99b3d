/**
 * The Windows engine: overlapped {@code ReadFile}/{@code WriteFile} on handles bound to one I/O completion
 * port, reaped by a single thread with {@code GetQueuedCompletionStatusEx}, cancelled per operation with
 * {@code CancelIoEx}, all through JNA direct mappings of kernel32 ({@code Win32Native}).
 *
 * <p>Layout: the op table, op states, buffer lifetime and result dispatch are the model shared with the
 * io_uring engine ({@link io.fileflux.core.completion}). Here: {@code Win32} (constants, structure
 * offsets, error names) and {@code Win32Paths} (paths, dispositions, open errors) are plain Java;
 * {@code Win32Native} holds every native call; {@code IocpDriver} is the
 * {@link io.fileflux.core.completion.CompletionDriver} (submit, cancel, packet → result, the trampoline
 * for synchronous completions), tested on every OS through a fake {@code IocpPort}; {@code Overlapped} is
 * an op's native OVERLAPPED; {@link io.fileflux.core.iocp.IocpEngine} and {@code IocpDevice} open files and
 * run the completion thread.
 *
 * <p>Tested for real in a Windows JVM under Wine: {@code .ci/wine-test.sh}.
 */
package io.fileflux.core.iocp;
