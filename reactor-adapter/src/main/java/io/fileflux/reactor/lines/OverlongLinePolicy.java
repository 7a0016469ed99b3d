package io.fileflux.reactor.lines;

/** What a line decoder does with a line longer than {@link LineOptions#maxLineLength()}. */
public enum OverlongLinePolicy {
    /**
     * Emit the line in pieces of at most the maximum length, cut on a character boundary. Pieces
     * before the last do not advance the checkpoint: a restart re-emits the whole line.
     */
    SPLIT,
    /** Fail the stream with a {@link LineTooLongException}. */
    FAIL
}
