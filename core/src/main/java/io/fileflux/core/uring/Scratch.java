package io.fileflux.core.uring;

import com.sun.jna.Memory;

/**
 * Native scratch memory per thread, for the small structures a synchronous call passes to the kernel
 * ({@code struct statx}, one {@code struct iovec}): a tail calls {@code fstat} and {@code preadv2} on every
 * wake-up, and a {@code malloc}, a cleaner registration and a {@code free} around each cost more than the
 * call itself. Threading: each thread has its own; a caller uses it only between a call's start and its
 * return (never across another use on the same thread). Freed when its thread is gone.
 */
final class Scratch {

    /** Where a {@code struct statx} goes ({@link LinuxNative#STATX_SIZE} bytes). */
    static final int STATX = 0;
    /** Where one {@code struct iovec} goes ({@link LinuxNative#IOVEC_SIZE} bytes). */
    static final int IOVEC = LinuxNative.STATX_SIZE;

    private static final ThreadLocal<Memory> MEMORY =
            ThreadLocal.withInitial(() -> new Memory(LinuxNative.STATX_SIZE + LinuxNative.IOVEC_SIZE));

    private Scratch() {
    }

    /** This thread's scratch memory. */
    static Memory get() {
        return MEMORY.get();
    }
}
