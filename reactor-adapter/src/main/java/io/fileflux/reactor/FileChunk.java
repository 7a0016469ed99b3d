package io.fileflux.reactor;

import java.nio.ByteBuffer;

/**
 * One chunk of a file read, with the file offset its first byte was read from. Immutable holder; the
 * buffer (position 0, limit = length) belongs to the subscriber as described by {@link BufferMode}.
 * {@link #length()} and {@link #end()} are fixed when the chunk is made: reading the buffer does not
 * change them.
 *
 * @param offset the file offset of {@code data}'s first byte
 * @param data   the bytes read
 * @param length the number of bytes read ({@code data.remaining()} when the chunk was made)
 */
public record FileChunk(long offset, ByteBuffer data, int length) {

    /** A chunk of all of {@code data}'s remaining bytes. */
    public FileChunk(long offset, ByteBuffer data) {
        this(offset, data, data.remaining());
    }

    /** The file offset just past this chunk: where a reader resuming after it starts. */
    public long end() {
        return offset + length;
    }
}
