/**
 * The Windows engine: overlapped {@code ReadFile}/{@code WriteFile} on handles bound to one I/O completion
 * port, reaped by a single thread with {@code GetQueuedCompletionStatusEx}, cancelled per operation with
 * {@code CancelIoEx}, all through JNA direct mappings of kernel32 ({@code Win32Native}).
 *
 * <p>Layout: {@code Win32} (constants, structure offsets, error names) and {@code Win32Paths} (paths,
 * dispositions, open errors) are plain Java; {@code Win32Native} holds every native call; {@code OpTable}
 * and {@code IocpOp} are the operation model (token table, states, buffer lifetime, result dispatch),
 * tested on every OS with a fake port; {@link io.fileflux.core.iocp.IocpEngine} and {@code IocpDevice}
 * are the driver.
 *
 * <p>Tested for real in a Windows JVM under Wine: {@code .ci/wine-test.sh}.
 */
package io.fileflux.core.iocp;
