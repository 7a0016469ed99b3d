package io.fileflux.reactor.tail;

import io.fileflux.reactor.lines.Terminator;
import org.jspecify.annotations.Nullable;

/**
 * One line of a file (without its terminator) with the checkpoint just past it.
 *
 * <p>Threading: immutable; {@link #ack()} may be called from any thread.
 */
public final class TailLine {

    private final String text;
    private final Checkpoint checkpoint;
    private final Checkpointer.Session session;
    private final long seq;
    private final Terminator terminator;

    TailLine(String text, Terminator terminator, Checkpoint checkpoint, Checkpointer.Session session) {
        this.text = text;
        this.terminator = terminator;
        this.checkpoint = checkpoint;
        this.session = session;
        this.seq = session != null ? session.next() : 0;
    }

    /** The line's text, decoded, without {@code \n} or {@code \r\n}. */
    public String text() {
        return text;
    }

    /**
     * How the line ended in the file: {@code \n}, {@code \r\n}, or {@link Terminator#NONE} for a
     * piece of a split overlong line, an incomplete line flushed after {@code LineOptions.flushIdle}
     * (its rest follows as another item) or a last line without newline. Writing {@code text()} then
     * {@code terminator().text()} for every line reproduces the file's bytes when lines are decoded
     * with ISO-8859-1 (what {@code fileflux tail} does).
     */
    public Terminator terminator() {
        return terminator;
    }

    /**
     * Where a reader resuming after this line starts: the file the line ended in and the offset just
     * past its terminator. A piece of a split overlong line carries the checkpoint before the line, so a
     * restart re-reads the whole line; null only for a piece of a line that began before anything else
     * was read.
     */
    public @Nullable Checkpoint checkpoint() {
        return checkpoint;
    }

    /** Acknowledges this line to the tail's {@link Checkpointer} (no-op without one). */
    public void ack() {
        if (session != null) {
            session.ack(seq, checkpoint);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
