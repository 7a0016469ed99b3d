package io.fileflux.core.completion;

/** What a {@link CompletionOp} does; the label names the operation in error messages. */
public enum OpKind {
    /** A positional read into the op's buffer. */
    READ("read"),
    /** A positional write from the op's buffer. */
    WRITE("write"),
    /** An fsync or fdatasync of the whole file. */
    SYNC("sync");

    private final String label;

    OpKind(String label) {
        this.label = label;
    }

    /** The operation's name in messages and exceptions: {@code read}, {@code write}, {@code sync}. */
    public String label() {
        return label;
    }
}
