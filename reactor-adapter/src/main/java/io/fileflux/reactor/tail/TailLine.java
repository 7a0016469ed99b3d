package io.fileflux.reactor.tail;

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

    TailLine(String text, Checkpoint checkpoint, Checkpointer.Session session) {
        this.text = text;
        this.checkpoint = checkpoint;
        this.session = session;
        this.seq = session != null ? session.next() : 0;
    }

    /** The line's text, decoded, without {@code \n} or {@code \r\n}. */
    public String text() {
        return text;
    }

    /**
     * Where a reader resuming after this line starts: the file the line ended in and the offset just
     * past its terminator. A piece of a split overlong line carries the checkpoint before the line, so a
     * restart re-reads the whole line; null only for a piece of a line that began before anything else
     * was read.
     */
    public Checkpoint checkpoint() {
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
