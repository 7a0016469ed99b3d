package io.fileflux.core.iocp;

/**
 * The three native services the {@link OpTable} needs from a completion port. The engine implements it
 * with kernel32; the unit tests implement it in plain Java so that every completion path, including the
 * synchronous ones Wine never takes, runs on any OS.
 */
interface IocpPort {

    /** Completion key of every file handle associated with the port. */
    long KEY_IO = 1;
    /** Completion key of a packet posted by the engine: the operation's result is already stored in it. */
    long KEY_HANDOFF = 2;
    /** Completion key of a packet that only wakes the completion thread up. */
    long KEY_WAKE = 3;

    /**
     * Queues a {@link #KEY_HANDOFF} packet whose {@code lpOverlapped} is {@code token}
     * ({@code PostQueuedCompletionStatus}).
     *
     * @return 0, or the Win32 error of the failed post
     */
    int postHandoff(long token);

    /**
     * Asks the kernel to cancel the operation whose OVERLAPPED is at {@code token} on {@code handle}
     * ({@code CancelIoEx}).
     *
     * @return 0 if a cancel was requested, otherwise the Win32 error ({@code ERROR_NOT_FOUND} means the
     *         operation had already completed: normal)
     */
    int cancel(long handle, long token);

    /** Translates the NTSTATUS found in {@code OVERLAPPED.Internal} to a Win32 error code. */
    int ntStatusToWin32(int status);
}
