package io.fileflux.bench;

import io.fileflux.reactor.ReadOptions;
import io.fileflux.spring.FileDataBuffers;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Path;
import java.util.List;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * The Spring {@code DataBuffer} contenders, side by side with one factory each: Spring's
 * {@code DataBufferUtils.read} and Fileflux's {@code FileDataBuffers.read} (4 and 16 reads in flight,
 * straight into the factory's buffers) with Reactor Netty's factory over Netty's pooled direct allocator — what a
 * WebFlux server on Reactor Netty uses — and with the default heap factory. Every buffer is folded, then
 * released, as a handler writing it to a socket would.
 */
final class BridgeReaders {

    private BridgeReaders() {
    }

    /**
     * Spring and Fileflux, each with the Netty pooled and the heap factory (Fileflux with 4 reads in flight,
     * a server's setting for many responses at once), and Fileflux with its default reads in flight.
     */
    static List<SequentialReader> all() {
        DataBufferFactory netty = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
        DataBufferFactory heap = new DefaultDataBufferFactory();
        return List.of(new Spring("Spring DataBufferUtils.read", heap),
                new Bridge("Fileflux FileDataBuffers (Spring)", heap, 4),
                new Spring("Spring DataBufferUtils.read, Netty pooled", netty),
                new Bridge("Fileflux FileDataBuffers, Netty pooled", netty, 4),
                new Bridge("Fileflux FileDataBuffers x16 (defaults), Netty pooled", netty,
                        ReadOptions.DEFAULT_MAX_IN_FLIGHT));
    }

    /** {@code DataBufferUtils.read(path, factory, chunkSize)}. */
    private record Spring(String name, DataBufferFactory factory) implements SequentialReader {
        @Override
        public Outcome read(Path file, int chunkSize) {
            return SequentialReaders.consume(DataBufferUtils.read(file, factory, chunkSize));
        }
    }

    /** {@code FileDataBuffers.read(path, factory, options)} on the default engine, {@code inFlight} reads in flight. */
    private record Bridge(String name, DataBufferFactory factory, int inFlight) implements SequentialReader {
        @Override
        public Outcome read(Path file, int chunkSize) {
            return SequentialReaders.consume(FileDataBuffers.read(file, factory,
                    ReadOptions.defaults().chunkSize(chunkSize).maxInFlight(inFlight)));
        }
    }
}
