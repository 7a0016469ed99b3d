package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.util.Objects;

/**
 * Where a tailing reader resumes: a file (by identity, not by name) and the offset just past the last
 * item delivered from it. Immutable.
 *
 * @param identity the file's identity (dev+inode, volume serial+file index)
 * @param offset   the offset just past the item this checkpoint belongs to
 */
public record Checkpoint(FileIdentity identity, long offset) {

    public Checkpoint {
        Objects.requireNonNull(identity, "identity");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /** {@code IDENTITY@OFFSET}, parsed back by {@link #parse(String)}. */
    @Override
    public String toString() {
        return identity + "@" + offset;
    }

    /** Parses the form produced by {@link #toString()}. */
    public static Checkpoint parse(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("not a checkpoint (expected IDENTITY@OFFSET): " + text);
        }
        try {
            return new Checkpoint(FileIdentity.parse(text.substring(0, at)), Long.parseLong(text.substring(at + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a checkpoint (expected IDENTITY@OFFSET): " + text, e);
        }
    }
}
