package io.fileflux.spring;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The data buffers of one write subscription, lent to the write publisher as {@code ByteBuffer} views:
 * {@link #view} hands out the readable bytes of a buffer without a copy (its one readable view, kept open
 * until the write is done), and {@link #release} — the write's release callback, run once the write of
 * that view completed, or for a view never written (cancel, error) — closes the view and releases the
 * data buffer. A buffer whose readable bytes are several views (a composite) is copied into one heap
 * buffer and released at once.
 *
 * <p>Threading: {@link #view} runs on the source's thread, {@link #release} inside the write's drain;
 * the map of lent views is guarded by this.
 */
final class DataBufferWrites {

    /** A data buffer lent as a view, and the iterator whose close ends the view. */
    private record Lent(DataBuffer buffer, DataBuffer.ByteBufferIterator views) {
    }

    /** Views lent, by identity (ByteBuffer.equals compares contents). Guarded by this. */
    private final Map<ByteBuffer, Lent> lent = new IdentityHashMap<>();

    /** The readable bytes of {@code buffer}, which belongs to this object from now on. */
    ByteBuffer view(DataBuffer buffer) {
        DataBuffer.ByteBufferIterator views = null;
        try {
            int n = buffer.readableByteCount();
            if (n > 0) {
                views = buffer.readableByteBuffers();
                ByteBuffer view = views.hasNext() ? views.next() : null;
                if (view != null && view.remaining() == n && !views.hasNext()) {
                    synchronized (this) {
                        lent.put(view, new Lent(buffer, views));
                    }
                    return view;
                }
            }
            ByteBuffer copy = ByteBuffer.allocate(n);
            buffer.toByteBuffer(buffer.readPosition(), copy, 0, n);
            close(views, buffer);
            return copy;
        } catch (RuntimeException | Error e) {
            close(views, buffer);
            throw e;
        }
    }

    /** The write is done with {@code view}: releases its data buffer (nothing for a copy). */
    void release(ByteBuffer view) {
        Lent l;
        synchronized (this) {
            l = lent.remove(view);
        }
        if (l != null) {
            close(l.views(), l.buffer());
        }
    }

    /** Data buffers lent and not released (for tests). */
    synchronized int outstanding() {
        return lent.size();
    }

    private static void close(DataBuffer.ByteBufferIterator views, DataBuffer buffer) {
        try {
            if (views != null) {
                views.close();
            }
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
