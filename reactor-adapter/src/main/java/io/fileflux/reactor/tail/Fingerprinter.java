package io.fileflux.reactor.tail;

import io.fileflux.core.FileFingerprint;
import java.nio.ByteBuffer;

/**
 * Collects the first {@link FileFingerprint#FULL_LENGTH} bytes of a generation as the tail reads them
 * (or as the start-up reads them) and gives their {@link FileFingerprint}. Not thread-safe: owned by
 * one thread at a time (the start-up, then the subscription's drain).
 */
final class Fingerprinter {

    private final byte[] start = new byte[FileFingerprint.FULL_LENGTH];
    /** Bytes [0, known) of the file are in {@link #start}. */
    private int known;
    private FileFingerprint cached = FileFingerprint.EMPTY;

    /** Takes what {@code data} (the bytes at {@code offset}, from its position) adds to the known start. */
    void accept(long offset, ByteBuffer data) {
        if (known == start.length || offset > known) {
            return;
        }
        int skip = (int) (known - offset);
        int n = Math.min(data.remaining() - skip, start.length - known);
        if (n <= 0) {
            return;
        }
        data.get(data.position() + skip, start, known, n);
        known += n;
        cached = null;
    }

    /** The fingerprint of the bytes known so far. */
    FileFingerprint fingerprint() {
        if (cached == null) {
            cached = FileFingerprint.of(start, known);
        }
        return cached;
    }

    /** True if the known start can be the file {@code fp} was taken of (null: nothing to compare, true). */
    boolean matches(FileFingerprint fp) {
        return fp == null || fp.matches(start, known);
    }

    /** How many leading bytes are known. */
    int known() {
        return known;
    }

    /** Knows what {@code other} knows (a copy of its file). */
    void copyOf(Fingerprinter other) {
        System.arraycopy(other.start, 0, start, 0, other.known);
        known = other.known;
        cached = null;
    }

    /** Forgets the known start (the file was truncated: its first bytes are new). */
    void reset() {
        known = 0;
        cached = FileFingerprint.EMPTY;
    }
}
