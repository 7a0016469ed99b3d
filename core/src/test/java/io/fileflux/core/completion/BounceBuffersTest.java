package io.fileflux.core.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BounceBuffersTest {

    @Test
    void buffersAreAlignedSizedToTheRequestAndReusedAfterRelease() {
        ByteBuffer a = BounceBuffers.acquire(10_000);
        assertTrue(a.isDirect());
        assertEquals(0, a.position());
        assertEquals(10_000, a.limit());
        assertTrue(a.capacity() >= 16_384, "rounded up to its size class");
        assertEquals(0, a.alignmentOffset(0, BounceBuffers.ALIGNMENT), "4096-aligned");
        BounceBuffers.release(a);
        ByteBuffer b = BounceBuffers.acquire(12_000);
        assertSame(a, b, "the same size class reuses the released buffer");
        assertEquals(12_000, b.limit());
        BounceBuffers.release(b);
    }

    @Test
    void heapReadsThroughTheEngineDoNotAllocateABouncePerOperationOnceWarm() {
        ByteBuffer warm = BounceBuffers.acquire(65_536);
        BounceBuffers.release(warm);
        long before = BounceBuffers.allocated();
        for (int i = 0; i < 1000; i++) {
            ByteBuffer b = BounceBuffers.acquire(65_536);
            BounceBuffers.release(b);
        }
        assertEquals(before, BounceBuffers.allocated());
    }
}
