package io.fileflux.reactor.tail;

/** What a tail does when the file it follows shrinks below the offset already read. */
public enum TruncationPolicy {
    /** Continue from offset 0 of the same file (what {@code tail -F} does), reporting a {@link TailEvent}. */
    RESTART,
    /** Fail the stream with a {@link TruncatedFileException}. */
    FAIL
}
