package io.fileflux.bench;

import java.nio.ByteBuffer;

/**
 * The work every contender does with every byte it reads, identical for all: a wrapping sum of the
 * chunk read as 64-bit words (plus its tail bytes). It loads every byte, so no reader can skip data,
 * and it is cheap enough (well above 10 GB/s) not to hide the reader's own cost.
 */
public final class Fold {

    private Fold() {
    }

    /** Folds {@code buf} from its position to its limit, leaving both unchanged. */
    public static long fold(ByteBuffer buf) {
        long sum = 0;
        int i = buf.position();
        int limit = buf.limit();
        int words = limit - 7;
        for (; i < words; i += 8) {
            sum += buf.getLong(i);
        }
        for (; i < limit; i++) {
            sum += buf.get(i);
        }
        return sum;
    }

    /** Folds {@code len} bytes of {@code array} from {@code off} into the same value as {@link #fold(ByteBuffer)}. */
    public static long fold(byte[] array, int off, int len) {
        return fold(ByteBuffer.wrap(array, off, len));
    }
}
