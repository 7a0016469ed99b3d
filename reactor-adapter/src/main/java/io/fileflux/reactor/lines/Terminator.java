package io.fileflux.reactor.lines;

/**
 * How a decoded line ended in the input: the bytes a consumer writes after the line's text to
 * reproduce the input exactly (text + terminator, line after line, gives back the bytes decoded, as
 * long as the charset maps bytes one to one, such as ISO-8859-1). See {@link LineDecoder#terminator()}.
 */
public enum Terminator {
    /** The line ended with {@code \n}. */
    LF("\n"),
    /** The line ended with {@code \r\n} (the {@code \r} is not part of the text). */
    CRLF("\r\n"),
    /**
     * The input ended with a lone {@code \r} after the line's text, dropped from the text
     * ({@link LineDecoder#finish()} only).
     */
    CR("\r"),
    /**
     * No terminator: a piece of an overlong line (its rest follows), an incomplete line emitted by
     * {@link LineDecoder#flush()} (its rest, if any, follows later), or a last line without newline at
     * the end of the input.
     */
    NONE("");

    private final String text;

    Terminator(String text) {
        this.text = text;
    }

    /** The terminator itself: {@code "\n"}, {@code "\r\n"}, {@code "\r"} or {@code ""}. */
    public String text() {
        return text;
    }

    /** True if this ends a line ({@link #LF}, {@link #CRLF} or {@link #CR}); false for {@link #NONE}. */
    public boolean endsLine() {
        return this != NONE;
    }
}
