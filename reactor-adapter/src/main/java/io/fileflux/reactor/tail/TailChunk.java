package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.nio.ByteBuffer;

/**
 * Bytes read by a tail: which file they came from, at which offset, and the checkpoint just past
 * them. The buffer (a heap buffer, position 0) belongs to the subscriber.
 *
 * <p>Threading: immutable apart from the buffer; {@link #ack()} may be called from any thread.
 */
public final class TailChunk {

    private final FileIdentity identity;
    private final long offset;
    private final ByteBuffer data;
    private final Checkpointer.Session session;
    private final long seq;

    TailChunk(FileIdentity identity, long offset, ByteBuffer data, Checkpointer.Session session) {
        this.identity = identity;
        this.offset = offset;
        this.data = data;
        this.session = session;
        this.seq = session != null ? session.next() : 0;
    }

    /** The identity of the file these bytes were read from. */
    public FileIdentity identity() {
        return identity;
    }

    /** The file offset of the first byte. */
    public long offset() {
        return offset;
    }

    /**
     * The bytes. An empty chunk marks that the file has been idle for the lines' flush timeout (it is
     * only emitted to the line decoder).
     */
    public ByteBuffer data() {
        return data;
    }

    /** The offset just past these bytes. */
    public long end() {
        return offset + data.remaining();
    }

    /** Where a reader resuming after this chunk starts. */
    public Checkpoint checkpoint() {
        return new Checkpoint(identity, end());
    }

    /** Acknowledges this chunk to the tail's {@link Checkpointer} (no-op without one). */
    public void ack() {
        if (session != null) {
            session.ack(seq, checkpoint());
        }
    }

    @Override
    public String toString() {
        return "TailChunk[" + identity + "@" + offset + "+" + data.remaining() + "]";
    }
}
