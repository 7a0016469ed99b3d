package io.fileflux.core;

/**
 * The stable identity of an opened file: {@code dev} + {@code inode} on Unix, volume serial number +
 * file index on Windows. Two paths naming the same file give equal identities; a rotated log (rename
 * + create) gives a different one. Immutable.
 *
 * @param volume the device or volume serial number
 * @param index  the inode number or file index
 */
public record FileIdentity(long volume, long index) {

    @Override
    public String toString() {
        return Long.toUnsignedString(volume, 16) + ":" + Long.toUnsignedString(index);
    }

    /** Parses the form produced by {@link #toString()}. */
    public static FileIdentity parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not a file identity (expected VOLUME:INDEX): " + text);
        }
        try {
            return new FileIdentity(Long.parseUnsignedLong(text.substring(0, colon), 16),
                    Long.parseUnsignedLong(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a file identity (expected VOLUME:INDEX): " + text, e);
        }
    }
}
