package io.fileflux.bench;

import io.fileflux.core.completion.CompletionOp;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import sun.misc.Unsafe;

/**
 * The work every contender does with every byte it reads, identical for all: a wrapping sum of the
 * chunk read as 64-bit words in the buffer's byte order (plus its tail bytes). It loads every byte, so no
 * reader can skip data, and it is cheap enough (well above 10 GB/s) not to hide the reader's own cost.
 *
 * <p>Each kind of buffer is folded by a method of its own: the JIT's type profile of a
 * {@code ByteBuffer.getLong} call is per method, so one loop shared by every contender saw direct, heap and
 * read-only buffers, became a virtual call per word (megamorphic), and folded at 1.4–2 GB/s — slowing
 * whichever contender ran after others had polluted it, the {@code FileChannel.read} baseline included.
 * Direct buffers are then read through their native address, without {@code getLong}: through the
 * buffer, the same baseline loop folded at 7 GB/s in one JVM and 4 GB/s in the next, depending on how
 * the JIT compiled its bounds and scope checks; by address the loop is the same machine code in every run.
 */
public final class Fold {

    private static final VarHandle BIG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LITTLE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final Unsafe UNSAFE = unsafe();

    private Fold() {
    }

    /** Folds {@code buf} from its position to its limit, leaving both unchanged. */
    public static long fold(ByteBuffer buf) {
        if (buf.hasArray()) {
            return foldArray(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(),
                    buf.order() == ByteOrder.LITTLE_ENDIAN);
        }
        return buf.isDirect() ? foldDirect(buf) : foldReadOnlyHeap(buf);
    }

    /** Folds {@code len} bytes of {@code array} from {@code off} into the same value as {@link #fold(ByteBuffer)}. */
    public static long fold(byte[] array, int off, int len) {
        return foldArray(array, off, len, false);
    }

    private static long foldArray(byte[] a, int off, int len, boolean little) {
        long sum = 0;
        int i = off;
        int end = off + len;
        int words = end - 7;
        if (little) {
            for (; i < words; i += 8) {
                sum += (long) LITTLE.get(a, i);
            }
        } else {
            for (; i < words; i += 8) {
                sum += (long) BIG.get(a, i);
            }
        }
        for (; i < end; i++) {
            sum += a[i];
        }
        return sum;
    }

    /** Direct buffers (writable or read-only): 64-bit loads at the native address, in the buffer's order. */
    private static long foldDirect(ByteBuffer buf) {
        long base = CompletionOp.addressOf(buf);
        boolean nativeOrder = buf.order() == ByteOrder.nativeOrder();
        long sum = 0;
        long i = base + buf.position();
        long end = base + buf.limit();
        long words = end - 7;
        if (nativeOrder) {
            for (; i < words; i += 8) {
                sum += UNSAFE.getLong(i);
            }
        } else {
            for (; i < words; i += 8) {
                sum += Long.reverseBytes(UNSAFE.getLong(i));
            }
        }
        for (; i < end; i++) {
            sum += UNSAFE.getByte(i);
        }
        return sum;
    }

    /** Read-only heap buffers only (their array is not accessible). */
    private static long foldReadOnlyHeap(ByteBuffer buf) {
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

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
