package io.fileflux.kafka;

import java.nio.file.Path;

/**
 * Kafka rejected a line's record for good (too large, not authorized, invalid) and the shipper's
 * {@link RejectionPolicy} is {@link RejectionPolicy#FAIL}, or the producer failed in a way that no
 * record can get past (fenced, closed, a cluster authorization error). The cause is the producer's
 * exception; the line was not acknowledged.
 */
public final class RecordRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String identity;
    private final long offset;

    /** A rejection of the line at {@code offset} of {@code path}. */
    public RecordRejectedException(Path path, String identity, long offset, Throwable cause) {
        super(path + " at offset " + offset + " (" + identity + "): Kafka rejected the record: " + cause, cause);
        this.path = path;
        this.identity = identity;
        this.offset = offset;
    }

    /** The line's file. */
    public Path path() {
        return path;
    }

    /** The file's identity. */
    public String identity() {
        return identity;
    }

    /** The line's start offset. */
    public long offset() {
        return offset;
    }
}
