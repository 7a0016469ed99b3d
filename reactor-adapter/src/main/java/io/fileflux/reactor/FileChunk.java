package io.fileflux.reactor;

import java.nio.ByteBuffer;

/**
 * One chunk of a file read, with the file offset its first byte was read from. Immutable holder; the
 * buffer (position 0, limit = length) belongs to the subscriber as described by {@link BufferMode}.
 *
 * @param offset the file offset of {@code data}'s first byte
 * @param data   the bytes read
 */
public record FileChunk(long offset, ByteBuffer data) {

    /** The number of bytes in this chunk. */
    public int length() {
        return data.remaining();
    }

    /** The file offset just past this chunk: where a reader resuming after it starts. */
    public long end() {
        return offset + data.remaining();
    }
}
