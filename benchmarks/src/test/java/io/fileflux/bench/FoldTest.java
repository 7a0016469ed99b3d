package io.fileflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Fold}: every kind of buffer folds to the same value as one plain loop over its words. */
class FoldTest {

    /** The definition: words read in {@code order}, then the tail bytes, summed with wrap-around. */
    private static long reference(byte[] b, int off, int len, ByteOrder order) {
        ByteBuffer w = ByteBuffer.wrap(b).order(order);
        long sum = 0;
        int i = off;
        for (; i + 8 <= off + len; i += 8) {
            sum += w.getLong(i);
        }
        for (; i < off + len; i++) {
            sum += b[i];
        }
        return sum;
    }

    @Test
    void everyBufferKindFoldsAlike() {
        Random random = new Random(42);
        for (int len : new int[] {0, 1, 7, 8, 9, 4096, 65_537}) {
            byte[] data = new byte[len + 5];
            random.nextBytes(data);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                long want = reference(data, 3, len, order);
                ByteBuffer heap = ByteBuffer.wrap(data, 3, len).order(order);
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).order(order);
                direct.put(data).position(3).limit(3 + len);
                String what = len + " bytes, " + order;
                assertEquals(want, Fold.fold(heap), "heap, " + what);
                assertEquals(want, Fold.fold(heap.slice().order(order)), "heap slice, " + what);
                assertEquals(want, Fold.fold(heap.asReadOnlyBuffer().order(order)), "read-only heap, " + what);
                assertEquals(want, Fold.fold(direct), "direct, " + what);
                assertEquals(want, Fold.fold(direct.asReadOnlyBuffer().order(order)), "read-only direct, " + what);
                assertEquals(3, heap.position(), "position unchanged");
            }
            assertEquals(reference(data, 3, len, ByteOrder.BIG_ENDIAN), Fold.fold(data, 3, len), "array");
        }
    }
}
