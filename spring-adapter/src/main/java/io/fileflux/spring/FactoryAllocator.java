package io.fileflux.spring;

import io.fileflux.reactor.BufferAllocator;
import java.nio.ByteBuffer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * A {@link DataBufferFactory} as the read publisher's {@link BufferAllocator}: each chunk is read
 * straight into a buffer of the factory through its writable {@code ByteBuffer} view
 * ({@link DataBuffer#writableByteBuffers()}: Netty's {@code nioBuffer} of a pooled direct buffer, a slice
 * of a {@code DefaultDataBuffer}'s buffer), and that buffer is emitted. A buffer whose writable bytes are
 * not one view (a composite) is given back, and the chunk is read into a wrapped heap buffer of the
 * factory instead.
 *
 * <p>Threading: stateless; called inside a read subscription's drain. Ownership: see {@link BufferAllocator}.
 */
final class FactoryAllocator implements BufferAllocator<DataBuffer> {

    private final DataBufferFactory factory;

    FactoryAllocator(DataBufferFactory factory) {
        this.factory = factory;
    }

    @Override
    public DataBuffer allocate(int size) {
        DataBuffer buffer = factory.allocateBuffer(size);
        boolean usable;
        try {
            usable = view(buffer, size) != null;
        } catch (RuntimeException | Error e) {
            DataBufferUtils.release(buffer);
            throw e;
        }
        if (usable) {
            return buffer;
        }
        DataBufferUtils.release(buffer);
        DataBuffer wrapped = factory.wrap(ByteBuffer.allocate(size));
        wrapped.readPosition(0);
        wrapped.writePosition(0); // wrap() makes the whole buffer readable: empty it
        return wrapped;
    }

    @Override
    public ByteBuffer writableView(DataBuffer buffer, int size) {
        return view(buffer, size);
    }

    @Override
    public DataBuffer filled(DataBuffer buffer, int bytes) {
        return buffer.writePosition(buffer.writePosition() + bytes);
    }

    @Override
    public void release(DataBuffer buffer) {
        DataBufferUtils.release(buffer);
    }

    /** The single writable view of {@code buffer} with room for {@code size} bytes, or null. */
    private static ByteBuffer view(DataBuffer buffer, int size) {
        try (DataBuffer.ByteBufferIterator it = buffer.writableByteBuffers()) {
            if (!it.hasNext()) {
                return null;
            }
            ByteBuffer view = it.next();
            return !it.hasNext() && !view.isReadOnly() && view.remaining() >= size ? view : null;
        }
    }

    @Override
    public String toString() {
        return "FactoryAllocator[" + factory + "]";
    }
}
