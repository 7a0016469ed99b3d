package io.fileflux.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void releasedBuffersAreReusedAndCounted() {
        BufferPool pool = new BufferPool(8192, 2);
        ByteBuffer a = pool.acquire();
        ByteBuffer b = pool.acquire();
        assertNotSame(a, b);
        assertEquals(2, pool.outstanding());
        pool.release(a);
        assertEquals(1, pool.outstanding());
        a.put(0, (byte) 1).position(10);
        ByteBuffer again = pool.acquire();
        assertTrue(again == a, "the released buffer is handed out again");
        assertEquals(0, again.position(), "cleared");
        assertEquals(8192, again.limit());
        assertEquals(0, CompletionAddress.of(again) % 4096, "a multiple of 4096 is 4096-aligned (O_DIRECT)");
        pool.release(again);
        pool.release(b);
        assertEquals(0, pool.outstanding());
        assertEquals(2, pool.allocated());
    }

    @Test
    void aSecondReleaseIsRefusedAndTheBufferIsNotHandedToTwoHolders() {
        BufferPool pool = new BufferPool(4096, 4);
        ByteBuffer a = pool.acquire();
        pool.release(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(a));
        assertTrue(e.getMessage().contains("released twice"), e.getMessage());
        assertEquals(0, pool.outstanding(), "the refused release did not count");
        ByteBuffer first = pool.acquire();
        ByteBuffer second = pool.acquire();
        assertNotSame(first, second, "one buffer was queued once, not twice");
        pool.release(first);
        pool.release(second);
    }

    @Test
    void foreignBuffersAreRefused() {
        BufferPool pool = new BufferPool(4096, 4);
        assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocate(4096)));
        assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocateDirect(100)));
        assertThrows(IllegalStateException.class, () -> pool.release(ByteBuffer.allocateDirect(4096)),
                "the right size, but never lent by this pool");
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(10, -1));
    }

    /** The native address of a direct buffer (through JNA, as the engines take it). */
    static final class CompletionAddress {
        static long of(ByteBuffer b) {
            return io.fileflux.core.completion.CompletionOp.addressOf(b);
        }
    }
}
