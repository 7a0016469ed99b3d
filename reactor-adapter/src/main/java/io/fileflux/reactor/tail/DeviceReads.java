package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * Asynchronous reads for the tail's start-up: a positional read of up to N bytes, continued after
 * short reads, as a {@link Mono}. The engine's callback only submits the next read or completes the
 * sink; what follows runs on a bounded-elastic thread, never on the engine's thread.
 */
final class DeviceReads {

    private DeviceReads() {
    }

    /**
     * The bytes of {@code device} in {@code [position, position + length)}, fewer if the file ends
     * first, as a heap buffer ready to read. Cancelling cancels the read in flight.
     */
    static Mono<ByteBuffer> read(FileDevice device, long position, int length) {
        return Mono.<ByteBuffer>create(sink -> new Loop(device, position, ByteBuffer.allocate(length), sink).next())
                .publishOn(Schedulers.boundedElastic());
    }

    /** One read after another until the buffer is full or the file ends. */
    private static final class Loop implements IoCallback {
        private final FileDevice device;
        private final long position;
        private final ByteBuffer buffer;
        private final MonoSink<ByteBuffer> sink;
        private volatile IoOperation op;
        private volatile boolean cancelled;

        Loop(FileDevice device, long position, ByteBuffer buffer, MonoSink<ByteBuffer> sink) {
            this.device = device;
            this.position = position;
            this.buffer = buffer;
            this.sink = sink;
            sink.onCancel(() -> {
                cancelled = true;
                IoOperation o = op;
                if (o != null) {
                    o.cancel();
                }
            });
        }

        void next() {
            if (cancelled) {
                return;
            }
            if (!buffer.hasRemaining()) {
                sink.success(buffer.flip());
                return;
            }
            try {
                op = device.read(buffer, position + buffer.position(), this);
            } catch (RuntimeException e) {
                sink.error(e);
            }
        }

        @Override
        public void completed(int n) {
            if (n == 0) {
                sink.success(buffer.flip());
            } else {
                next();
            }
        }

        @Override
        public void failed(IOException e) {
            sink.error(e);
        }
    }
}
