package io.fileflux.kafka;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One line read from a file, as the shipper takes it: where it comes from (the path it was read
 * through, the file's identity, the offsets where it starts and where the next line starts), its bytes
 * without the terminator, and the acknowledgement to run once the line is safely stored.
 *
 * <p>{@link SourceLines} builds these from a tail; any other source of lines (several files followed at
 * once, a test) builds them with the constructor. The shipper calls {@link #ack()} exactly once, and only
 * after the broker acknowledged the line's record (or, with {@link RejectionPolicy#SKIP}, after it was
 * rejected for good and reported).
 *
 * <p>Threading: immutable; {@code ack} runs on the producer's network thread, so it must be quick and
 * must not block for long (a checkpointer that saves to disk on every acknowledgement costs one
 * {@code fsync} per line there: save at an interval or flush from another thread instead). The value
 * array belongs to the shipper once the line is handed over: do not change it afterwards.
 *
 * @param path     the path the line was read through (the file's name when it was read)
 * @param identity the file's identity as text ({@code VOLUME:INDEX} for Fileflux tails), "" if unknown
 * @param offset   the offset of the line's first byte in that file, -1 if unknown
 * @param end      the offset just past the line and its terminator (where a restart after it resumes), -1 if unknown
 * @param value    the line's bytes, without its terminator
 * @param acknowledgement what acknowledges the line to its source (a checkpointer); run at most once
 */
public record SourceLine(Path path, String identity, long offset, long end, byte[] value, Runnable acknowledgement) {

    public SourceLine {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(acknowledgement, "acknowledgement");
        if (offset < -1 || end < -1) {
            throw new IllegalArgumentException("offsets must be >= 0 or -1 (unknown), were " + offset + " and " + end);
        }
    }

    /** Acknowledges the line to its source. */
    public void ack() {
        acknowledgement.run();
    }

    @Override
    public String toString() {
        return "SourceLine[" + path + " " + identity + "@" + offset + ", " + value.length + " bytes]";
    }
}
