package io.fileflux.reactor.tail;

import io.fileflux.core.FileFingerprint;
import io.fileflux.core.FileIdentity;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a tailing reader resumes: a file (by identity and a fingerprint of its first bytes, not by
 * name) and the offset just past the last item delivered from it. Immutable.
 *
 * <p>The fingerprint tells the file from another that reuses its inode number (deleted, then a new file
 * created): a resume checks that the file it finds still begins with the fingerprinted bytes. A
 * checkpoint without one (written by an older version) is matched by identity alone.
 *
 * @param identity    the file's identity (dev+inode, volume serial+file index)
 * @param offset      the offset just past the item this checkpoint belongs to
 * @param fingerprint the file's first bytes when the item was read, or null if unknown
 */
public record Checkpoint(FileIdentity identity, long offset, @Nullable FileFingerprint fingerprint) {

    public Checkpoint {
        Objects.requireNonNull(identity, "identity");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /** A checkpoint without fingerprint (matched by identity alone). */
    public Checkpoint(FileIdentity identity, long offset) {
        this(identity, offset, null);
    }

    /**
     * {@code IDENTITY@OFFSET}, or {@code IDENTITY#FINGERPRINT@OFFSET} with a fingerprint; parsed back by
     * {@link #parse(String)}.
     */
    @Override
    public String toString() {
        return identity + (fingerprint != null ? "#" + fingerprint : "") + "@" + offset;
    }

    /** Parses the forms produced by {@link #toString()}. */
    public static Checkpoint parse(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("not a checkpoint (expected IDENTITY@OFFSET): " + text);
        }
        String file = text.substring(0, at);
        int hash = file.indexOf('#');
        try {
            FileFingerprint fp = hash < 0 ? null : FileFingerprint.parse(file.substring(hash + 1));
            FileIdentity id = FileIdentity.parse(hash < 0 ? file : file.substring(0, hash));
            return new Checkpoint(id, Long.parseLong(text.substring(at + 1)), fp);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a checkpoint (expected IDENTITY@OFFSET): " + text, e);
        }
    }
}
