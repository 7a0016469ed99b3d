package io.fileflux.core.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The native memory of one operation: an {@code OVERLAPPED} followed by the op's token in the shared
 * {@link io.fileflux.core.completion.OpTable}, so a packet's {@code lpOverlapped} leads back to its op.
 * It is attached to the op ({@link io.fileflux.core.completion.CompletionOp#attach}), which the op table
 * holds until the completion is dispatched: the kernel never writes into freed memory. It is never
 * pooled either, so a late {@code CancelIoEx} cannot hit another operation that reused the address.
 *
 * <p>Also carries a result the driver found without a packet (a synchronous completion, a flush) until
 * the completion thread delivers it.
 */
final class Overlapped {

    /** Offset of the 8-byte token, right after the 32-byte x64 OVERLAPPED. */
    static final int TOKEN = Win32.OVERLAPPED_SIZE;
    static final int SIZE = TOKEN + 8;

    final Memory memory;
    /** The OVERLAPPED's address: what the kernel gets and what a packet gives back. */
    final long address;
    private volatile int handoffError;
    private volatile int handoffBytes;

    /**
     * @param token    the op's token
     * @param position the file offset, or -1 for a handle without position (a pipe)
     */
    Overlapped(long token, long position) {
        memory = new Memory(SIZE);
        memory.clear();
        if (position > 0) {
            // an overlapped handle has no file pointer, every op carries its own 64-bit offset
            memory.setInt(Win32.OVERLAPPED_Offset, (int) position);
            memory.setInt(Win32.OVERLAPPED_OffsetHigh, (int) (position >>> 32));
        }
        memory.setLong(TOKEN, token);
        address = Pointer.nativeValue(memory);
    }

    /** The token stored behind the OVERLAPPED at {@code address} (an address from a packet of ours). */
    static long tokenAt(long address) {
        return new Pointer(address).getLong(TOKEN);
    }

    /** The NTSTATUS the kernel wrote into {@code OVERLAPPED.Internal}. */
    int ntStatus() {
        return memory.getInt(Win32.OVERLAPPED_Internal);
    }

    /** The byte count the kernel wrote into {@code OVERLAPPED.InternalHigh} (valid once complete). */
    int bytesTransferred() {
        return (int) memory.getLong(Win32.OVERLAPPED_InternalHigh);
    }

    void setHandoff(int win32Error, int bytes) {
        handoffBytes = bytes;
        handoffError = win32Error;
    }

    int handoffError() {
        return handoffError;
    }

    int handoffBytes() {
        return handoffBytes;
    }
}
