package io.fileflux.core;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A fingerprint of a file's first bytes: how many bytes were hashed and a 64-bit hash of them (the
 * first eight bytes of their SHA-256). With a {@link FileIdentity} it tells a file from another that
 * reuses its inode number after the first was deleted: the two rarely begin with the same bytes. A
 * file shorter than {@link #FULL_LENGTH} is fingerprinted over the bytes it has; such a fingerprint
 * matches a longer file that begins with those bytes (the same file, grown). Immutable.
 *
 * @param length how many bytes from offset 0 were hashed, 0 to {@link #FULL_LENGTH}
 * @param hash   the first eight bytes of the SHA-256 of those bytes, big-endian
 */
public record FileFingerprint(int length, long hash) {

    /** The number of leading bytes a full fingerprint covers: 1 KiB. */
    public static final int FULL_LENGTH = 1024;

    /** The fingerprint of an empty file (or of none of its bytes). */
    public static final FileFingerprint EMPTY = of(new byte[0], 0);

    public FileFingerprint {
        if (length < 0 || length > FULL_LENGTH) {
            throw new IllegalArgumentException("fingerprint length must be 0.." + FULL_LENGTH + ", was " + length);
        }
    }

    /** The fingerprint of {@code bytes[0, length)}. */
    public static FileFingerprint of(byte[] bytes, int length) {
        if (length < 0 || length > bytes.length || length > FULL_LENGTH) {
            throw new IllegalArgumentException("length must be 0.." + Math.min(bytes.length, FULL_LENGTH)
                    + ", was " + length);
        }
        MessageDigest md = sha256();
        md.update(bytes, 0, length);
        return new FileFingerprint(length, ByteBuffer.wrap(md.digest()).getLong());
    }

    /** True once the fingerprint covers {@link #FULL_LENGTH} bytes (it will not change as the file grows). */
    public boolean full() {
        return length == FULL_LENGTH;
    }

    /**
     * True if a file whose first bytes are {@code start[0, available)} can be the file this fingerprint
     * was taken of: it has at least {@link #length()} bytes and those hash the same.
     */
    public boolean matches(byte[] start, int available) {
        return available >= length && of(start, length).hash == hash;
    }

    /** {@code LENGTH:HASH} (hash in 16 hex digits), parsed back by {@link #parse(String)}. */
    @Override
    public String toString() {
        return length + ":" + String.format("%016x", hash);
    }

    /** Parses the form produced by {@link #toString()}. */
    public static FileFingerprint parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not a file fingerprint (expected LENGTH:HASH): " + text);
        }
        try {
            return new FileFingerprint(Integer.parseInt(text.substring(0, colon)),
                    Long.parseUnsignedLong(text.substring(colon + 1), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a file fingerprint (expected LENGTH:HASH): " + text, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
