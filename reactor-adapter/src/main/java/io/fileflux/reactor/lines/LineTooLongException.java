package io.fileflux.reactor.lines;

/**
 * A line exceeded {@link LineOptions#maxLineLength()} under {@link OverlongLinePolicy#FAIL}. The
 * decoder never buffers more than the maximum (plus a few bytes) to find this out.
 */
public final class LineTooLongException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int maxLineLength;

    public LineTooLongException(int maxLineLength) {
        super("line longer than " + maxLineLength + " bytes (maxLineLength; use OverlongLinePolicy.SPLIT to split it)");
        this.maxLineLength = maxLineLength;
    }

    /** The limit that was exceeded, in bytes. */
    public int maxLineLength() {
        return maxLineLength;
    }
}
