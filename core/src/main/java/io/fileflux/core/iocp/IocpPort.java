package io.fileflux.core.iocp;

/**
 * The native services the {@link IocpDriver} needs from kernel32. The engine implements it with
 * {@link Win32Native}; the unit tests implement it in plain Java so that every completion path,
 * including the synchronous ones Wine never takes, runs on any OS.
 */
interface IocpPort {

    /** Completion key of every file handle associated with the port. */
    long KEY_IO = 1;
    /** Completion key of a packet posted by the driver: the op's result is already in its {@link Overlapped}. */
    long KEY_HANDOFF = 2;
    /** Completion key of a packet that only wakes the completion thread up. */
    long KEY_WAKE = 3;

    /**
     * {@code ReadFile} ({@code write} false) or {@code WriteFile} with the OVERLAPPED at {@code overlapped}
     * and a NULL byte-count pointer.
     *
     * @return {@link Win32#ERROR_SUCCESS} if the call returned TRUE, otherwise {@code GetLastError()}
     *         ({@link Win32#ERROR_IO_PENDING} when a completion will come)
     */
    int startIo(boolean write, long handle, long address, int length, long overlapped);

    /** {@code FlushFileBuffers} (blocking): 0, or the Win32 error. */
    int flush(long handle);

    /**
     * Queues a {@link #KEY_HANDOFF} packet whose {@code lpOverlapped} is the op's {@code token}
     * ({@code PostQueuedCompletionStatus}).
     *
     * @return 0, or the Win32 error of the failed post
     */
    int postHandoff(long token);

    /**
     * {@code CancelIoEx(handle, overlapped)}.
     *
     * @return 0 if a cancel was requested, otherwise the Win32 error ({@code ERROR_NOT_FOUND} means the
     *         operation had already completed: normal)
     */
    int cancel(long handle, long overlapped);

    /** Translates the NTSTATUS found in {@code OVERLAPPED.Internal} to a Win32 error code. */
    int ntStatusToWin32(int status);
}
