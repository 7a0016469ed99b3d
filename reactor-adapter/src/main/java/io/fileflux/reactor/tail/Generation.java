package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileIdentity;
import java.nio.ByteBuffer;

/**
 * One file the tail holds open: the file it reads, or one seen at the path since, waiting to be read.
 * Held open, its inode number cannot be reused by another file while the tail compares against it.
 *
 * <p>Threading: created by the start-up or the path probe and handed to the subscription's drain
 * through a queue (which publishes the final fields); the mutable fields are the drain's.
 */
final class Generation {

    final FileDevice device;
    final FileIdentity identity;
    /** {@link System#nanoTime()} when the tail first saw this file at the path. */
    final long seenNanos;
    /**
     * The size of the previous newest generation when this one was seen (-1: unknown): if that one has
     * not grown since, nobody wrote it after the rotation.
     */
    final long predecessorSizeWhenSeen;
    final Fingerprinter start = new Fingerprinter();

    /**
     * How many of the last bytes read each read reads again, to see that they did not change: if they did,
     * the file was truncated and written again up to (or past) the offset read, which its size cannot show.
     */
    static final int OVERLAP = 32;
    // drain-owned: the last bytes read (up to OVERLAP), ending at the offset read
    private final byte[] lastBytes = new byte[OVERLAP];
    private int lastLength;

    // drain-owned
    /** Whether the file was checked for having no size (a {@code /proc} file: size 0, and content). */
    boolean sizeChecked;
    /** The file reports size 0 but has content: its end is where reads end, not its size. */
    boolean sizeless;

    /**
     * A copy made by a copytruncate rotation ({@link CopyBeside}): its end is final, so the tail moves on
     * to the next generation at once, without the rotation grace, and reports no rotation.
     */
    boolean complete;

    // drain-owned: the rotation grace bookkeeping while a newer generation waits
    /** The size at the last look at its end while a newer one waited; -1: no such look yet. */
    long lastLookSize = -1;
    /** When the tail last saw it change (or, if it did not change after the rotation, when that was seen). */
    long lastChangeNanos;
    /** The bytes of all newer generations at {@link #lastChangeNanos}. */
    long newerBytesAtChange;

    Generation(FileDevice device, long seenNanos, long predecessorSizeWhenSeen) {
        this.device = device;
        this.identity = device.identity();
        this.seenNanos = seenNanos;
        this.predecessorSizeWhenSeen = predecessorSizeWhenSeen;
    }

    /**
     * At its end while newer generations wait: records whether it changed since the last such look
     * ({@code size} now, {@code newerBytes} the newer ones' bytes now, {@code next} the oldest of them).
     * A first look that finds it as large as when {@code next} appeared dates its last change to then:
     * nobody wrote it after the rotation.
     */
    void lookAtEnd(long size, long now, Generation next, long newerBytes) {
        if (lastLookSize < 0) {
            boolean untouched = next.predecessorSizeWhenSeen == size;
            lastChangeNanos = untouched ? next.seenNanos : now;
            newerBytesAtChange = untouched ? 0 : newerBytes;
        } else if (size != lastLookSize) {
            lastChangeNanos = now;
            newerBytesAtChange = newerBytes;
        }
        lastLookSize = size;
    }

    /**
     * A read of it while newer generations wait ended at {@code end}: if that is past the last size seen,
     * it changed now, when the newer ones held {@code newerBytes}. Without this, a read that went past
     * the size its look saw (the writer was mid-write) left the change to be dated at the next look, after
     * the bytes were emitted and maybe after the writer had moved on, and the move went unnoticed until the
     * grace ran out.
     */
    void readPast(long end, long now, long newerBytes) {
        if (end > lastLookSize) {
            lastLookSize = end;
            lastChangeNanos = now;
            newerBytesAtChange = newerBytes;
        }
    }

    /** How many bytes before {@code position} the next read should read again (0: none known). */
    int overlap(long position) {
        return sizeless ? 0 : (int) Math.min(lastLength, position);
    }

    /**
     * True if the first {@code overlap} bytes of {@code read} (read again from before the offset) are the
     * bytes last read there: the file was not rewritten under the tail.
     */
    boolean unchanged(ByteBuffer read, int overlap) {
        for (int i = 0; i < overlap; i++) {
            if (read.get(read.position() + i) != lastBytes[lastLength - overlap + i]) {
                return false;
            }
        }
        return true;
    }

    /** Keeps the last bytes of {@code data} (just read, ending at the new offset read) for the next check. */
    void rememberEnd(ByteBuffer data) {
        int n = data.remaining();
        if (n >= OVERLAP) {
            data.get(data.limit() - OVERLAP, lastBytes, 0, OVERLAP);
            lastLength = OVERLAP;
        } else {
            int keep = Math.min(lastLength, OVERLAP - n);
            System.arraycopy(lastBytes, lastLength - keep, lastBytes, 0, keep);
            data.get(data.position(), lastBytes, keep, n);
            lastLength = keep + n;
        }
    }

    /** The last bytes read (up to {@link #OVERLAP}), ending at the offset read. */
    byte[] lastBytes() {
        return java.util.Arrays.copyOf(lastBytes, lastLength);
    }

    /**
     * This generation is the complete copy of {@code original} made before it was truncated: same first
     * bytes, same last bytes before the offset read, and an end that will not move (no rotation grace).
     */
    void copyOf(Generation original) {
        System.arraycopy(original.lastBytes, 0, lastBytes, 0, original.lastLength);
        lastLength = original.lastLength;
        start.copyOf(original.start);
        sizeChecked = true;
        complete = true;
    }

    /** Forgets the last bytes read (the tail reads the file again from 0). */
    void forgetEnd() {
        lastLength = 0;
    }

    /** Closes the file (asynchronously; safe more than once). */
    void close() {
        device.closeAsync();
    }

    /** The size now, or -1 if it cannot be read. */
    long sizeOrUnknown() {
        try {
            return device.size();
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return identity + " (" + device.path() + ")";
    }
}
