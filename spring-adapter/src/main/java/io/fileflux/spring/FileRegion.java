package io.fileflux.spring;

/**
 * A satisfiable byte range of a file: {@code length} bytes from {@code position}. Immutable.
 *
 * @param position the first byte's offset
 * @param length   the number of bytes, at least 1
 */
public record FileRegion(long position, long length) {

    /**
     * @throws IllegalArgumentException for a negative position or a length below 1
     */
    public FileRegion {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (length < 1) {
            throw new IllegalArgumentException("length must be >= 1, was " + length);
        }
    }

    /** The offset of the last byte (inclusive), as written in {@code Content-Range}. */
    public long last() {
        return position + length - 1;
    }

    /** The {@code Content-Range} value of this region of a file of {@code size} bytes. */
    public String contentRange(long size) {
        return "bytes " + position + "-" + last() + "/" + size;
    }
}
