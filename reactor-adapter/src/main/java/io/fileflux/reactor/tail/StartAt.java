package io.fileflux.reactor.tail;

import java.util.Objects;

/**
 * Where a tail starts reading: the beginning, the end, the last N lines, or a checkpoint. A
 * {@link TailOptions#checkpointer(Checkpointer) checkpointer} with a committed checkpoint overrides
 * it. Immutable.
 */
public final class StartAt {

    enum Kind { BEGINNING, END, LAST_LINES, CHECKPOINT }

    private static final StartAt BEGINNING = new StartAt(Kind.BEGINNING, 0, null);
    private static final StartAt END = new StartAt(Kind.END, 0, null);

    final Kind kind;
    final long lines;
    final Checkpoint checkpoint;

    private StartAt(Kind kind, long lines, Checkpoint checkpoint) {
        this.kind = kind;
        this.lines = lines;
        this.checkpoint = checkpoint;
    }

    /** Offset 0. */
    public static StartAt beginning() {
        return BEGINNING;
    }

    /** The file's size when the subscription opens it: only what is appended later. */
    public static StartAt end() {
        return END;
    }

    /**
     * The start of the last {@code n} lines (an unterminated last line counts as one), like
     * {@code tail -n N}; the beginning if the file has fewer.
     */
    public static StartAt lastLines(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("lines must be >= 0, was " + n);
        }
        return n == 0 ? END : new StartAt(Kind.LAST_LINES, n, null);
    }

    /**
     * Just past a checkpoint. If the path now names another file, the checkpoint's file is looked for
     * beside it (a rotated {@code app.log.1}) and finished first; if it is gone or was truncated below
     * the checkpoint, the tail starts at 0 of the current file and reports
     * {@link TailEvent.Kind#CHECKPOINT_LOST}.
     */
    public static StartAt checkpoint(Checkpoint checkpoint) {
        return new StartAt(Kind.CHECKPOINT, 0, Objects.requireNonNull(checkpoint, "checkpoint"));
    }

    @Override
    public String toString() {
        switch (kind) {
            case LAST_LINES:
                return "last " + lines + " lines";
            case CHECKPOINT:
                return "checkpoint " + checkpoint;
            default:
                return kind.name().toLowerCase();
        }
    }
}
