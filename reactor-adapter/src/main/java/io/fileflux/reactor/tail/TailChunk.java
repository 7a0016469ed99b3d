package io.fileflux.reactor.tail;

import io.fileflux.core.FileFingerprint;
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
    /** The file's first bytes as known when these were read (null: unknown). */
    private final FileFingerprint fingerprint;
    private final long offset;
    private final ByteBuffer data;
    /** Taken when the chunk is made: the subscriber reading the buffer must not move the checkpoint. */
    private final int length;
    private final Checkpointer.Session session;
    private final long seq;

    TailChunk(FileIdentity identity, FileFingerprint fingerprint, long offset, ByteBuffer data,
              Checkpointer.Session session) {
        this.identity = identity;
        this.fingerprint = fingerprint;
        this.offset = offset;
        this.data = data;
        this.length = data.remaining();
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

    /** The number of bytes read, however much of {@link #data()} the subscriber has consumed since. */
    public int length() {
        return length;
    }

    /** The offset just past these bytes (unchanged by reading the buffer). */
    public long end() {
        return offset + length;
    }

    /** Where a reader resuming after this chunk starts. */
    public Checkpoint checkpoint() {
        return checkpointAt(end());
    }

    /** A checkpoint in this chunk's file at {@code offset} (for items cut from it, like lines). */
    Checkpoint checkpointAt(long offset) {
        return new Checkpoint(identity, offset, fingerprint);
    }

    /** Acknowledges this chunk to the tail's {@link Checkpointer} (no-op without one). */
    public void ack() {
        if (session != null) {
            session.ack(seq, checkpoint());
        }
    }

    @Override
    public String toString() {
        return "TailChunk[" + identity + "@" + offset + "+" + length + "]";
    }
}
