package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.FileFingerprint;
import io.fileflux.core.FileIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Checkpoint text round trips (with and without fingerprint), and the fingerprint's growth and matching. */
class CheckpointFormatTest {

    @Test
    void checkpointsRoundTripWithAndWithoutFingerprint() {
        FileIdentity id = new FileIdentity(0xfd01, 123456789L);
        Checkpoint plain = new Checkpoint(id, 42);
        assertEquals("fd01:123456789@42", plain.toString());
        assertEquals(plain, Checkpoint.parse(plain.toString()));
        assertNull(Checkpoint.parse("fd01:123456789@42").fingerprint(), "today's format still parses");
        byte[] start = "first line\n".getBytes(StandardCharsets.US_ASCII);
        Checkpoint withFp = new Checkpoint(id, 42, FileFingerprint.of(start, start.length));
        assertEquals(withFp, Checkpoint.parse(withFp.toString()));
        assertTrue(withFp.toString().startsWith("fd01:123456789#11:"), withFp.toString());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse("fd01:1#x:y@3"));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse("nothing"));
    }

    @Test
    void fingerprintGrowsWithTheFileUpToOneKibibyteAndMatchesTheSameFileGrown() {
        byte[] file = new byte[3000];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) ('a' + i % 26);
        }
        Fingerprinter f = new Fingerprinter();
        f.accept(0, ByteBuffer.wrap(file, 0, 100));
        FileFingerprint small = f.fingerprint();
        assertEquals(100, small.length());
        f.accept(200, ByteBuffer.wrap(file, 200, 50)); // not contiguous: ignored
        assertEquals(100, f.known());
        f.accept(50, ByteBuffer.wrap(file, 50, 2000)); // overlaps what is known
        assertEquals(FileFingerprint.FULL_LENGTH, f.known());
        assertTrue(f.fingerprint().full());
        assertTrue(small.matches(file, file.length), "the same file, grown");
        assertTrue(f.matches(small));
        byte[] other = file.clone();
        other[7] = 'Z';
        assertFalse(small.matches(other, other.length), "another file reusing the inode");
        assertFalse(f.fingerprint().matches(file, 500), "shorter than the fingerprint: not that file");
        f.reset();
        assertEquals(FileFingerprint.EMPTY, f.fingerprint());
    }
}
