package io.fileflux.spring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.ReadOptions;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The DataBuffer bridge and byte ranges, on every engine available here, with Netty's pooled buffers. */
class FileDataBuffersTest {

    @TempDir
    Path dir;
    FileEngine engine;

    static List<String> engines() {
        return Engines.probeAll().stream().filter(EngineStatus::available).map(EngineStatus::name).toList();
    }

    @AfterEach
    void noLeaks() {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(10), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
    }

    /** Netty pooled buffers, remembering every buffer it hands out so the test can prove each was released. */
    static class TrackingFactory implements DataBufferFactory {
        final NettyDataBufferFactory netty = new NettyDataBufferFactory(new PooledByteBufAllocator(true));
        final ConcurrentLinkedQueue<DataBuffer> allocated = new ConcurrentLinkedQueue<>();

        @Override
        @Deprecated
        public DataBuffer allocateBuffer() {
            return allocateBuffer(256);
        }

        @Override
        public DataBuffer allocateBuffer(int initialCapacity) {
            DataBuffer b = netty.allocateBuffer(initialCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public DataBuffer wrap(java.nio.ByteBuffer byteBuffer) {
            return netty.wrap(byteBuffer);
        }

        @Override
        public DataBuffer wrap(byte[] bytes) {
            return netty.wrap(bytes);
        }

        @Override
        public DataBuffer join(List<? extends DataBuffer> dataBuffers) {
            return netty.join(dataBuffers);
        }

        @Override
        public boolean isDirect() {
            return true;
        }

        long unreleased() {
            return allocated.stream().filter(b -> ((PooledDataBuffer) b).isAllocated()).count();
        }
    }

    static byte[] drain(Flux<DataBuffer> flux) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flux.doOnNext(b -> {
            byte[] bytes = new byte[b.readableByteCount()];
            b.read(bytes);
            out.write(bytes, 0, bytes.length);
            DataBufferUtils.release(b);
        }).blockLast(Duration.ofSeconds(60));
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsWholeFileAndRangeIntoFactoryBuffers(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 1_000_003, 1);
        ReadOptions base = ReadOptions.defaults().engine(engine).chunkSize(64 * 1024).maxInFlight(4);
        assertArrayEquals(data, drain(FileDataBuffers.read(file, DefaultDataBufferFactory.sharedInstance, base)));

        BufferPool pool = new BufferPool(64 * 1024, 8);
        TrackingFactory netty = new TrackingFactory();
        ReadOptions pooled = base.pooled(pool).range(1000, 500_000);
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 501_000), drain(FileDataBuffers.read(file, netty, pooled)));
        assertEquals(0, pool.outstanding());
        assertEquals(0, netty.unreleased());
        assertFalse(netty.allocated.isEmpty(), "read into the factory's buffers");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void cancelReleasesEveryBufferAndClosesTheFile(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        TestFiles.create(file, 4 << 20, 2);
        BufferPool pool = new BufferPool(64 * 1024, 8);
        TrackingFactory netty = new TrackingFactory();
        ReadOptions opts = ReadOptions.defaults().engine(engine).pooled(pool).maxInFlight(4);
        List<FileRegion> regions = List.of(new FileRegion(0, 2 << 20), new FileRegion(3 << 20, 1 << 20));
        StepVerifier.create(ByteRanges.multipart(file, regions, 4 << 20, MediaType.APPLICATION_OCTET_STREAM,
                                "b", netty, opts).doOnNext(DataBufferUtils::release), 4)
                .expectNextCount(4)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        TestFiles.await(Duration.ofSeconds(10), "file closed", () -> !TestFiles.isOpen(file));
        TestFiles.await(Duration.ofSeconds(10), "pool buffers back", () -> pool.outstanding() == 0);
        assertEquals(0, netty.unreleased());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void multipartFromOneOpenFileWithExactLength(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 10_000, 3);
        List<FileRegion> regions = ByteRanges.resolve(HttpRange.parseRanges("bytes=0-99, -500, 9000-"), 10_000);
        assertEquals(List.of(new FileRegion(0, 100), new FileRegion(9500, 500), new FileRegion(9000, 1000)), regions);
        String boundary = ByteRanges.newBoundary();
        ReadOptions opts = ReadOptions.defaults().engine(engine).chunkSize(128);
        AtomicLong maxOpen = new AtomicLong();
        byte[] body = drain(ByteRanges.multipart(file, regions, 10_000, MediaType.TEXT_PLAIN, boundary,
                DefaultDataBufferFactory.sharedInstance, opts)
                .doOnNext(b -> maxOpen.accumulateAndGet(engine.stats().openDevices(), Math::max)));
        assertEquals(ByteRanges.multipartLength(regions, 10_000, MediaType.TEXT_PLAIN, boundary), body.length);
        assertEquals(1, maxOpen.get(), "one open file for every part");
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("\r\n--" + boundary + "\r\nContent-Type: text/plain\r\n"
                + "Content-Range: bytes 0-99/10000\r\n\r\n"), text.substring(0, 120));
        assertTrue(text.endsWith("\r\n--" + boundary + "--\r\n"));
        int at = text.indexOf("Content-Range: bytes 9500-9999/10000\r\n\r\n") + 40;
        assertArrayEquals(Arrays.copyOfRange(data, 9500, 10_000), Arrays.copyOfRange(body, at, at + 500));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aFactoryThatCannotAllocateFailsTheStreamWithAnIoErrorAndLeaksNothing(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f.bin");
        TestFiles.create(file, 10 * 4096, 3);
        BufferPool pool = new BufferPool(4096, 4);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        TrackingFactory exhausted = new TrackingFactory() {
            @Override
            public DataBuffer allocateBuffer(int initialCapacity) {
                if (calls.incrementAndGet() == 3) {
                    throw new OutOfMemoryError("Direct buffer memory"); // what Netty throws when it runs out
                }
                return super.allocateBuffer(initialCapacity);
            }
        };
        // one read in flight: the third buffer is allocated after two chunks were emitted
        StepVerifier.create(FileDataBuffers.read(file, exhausted, ReadOptions.defaults().engine(engine).pooled(pool)
                                .maxInFlight(1))
                        .doOnNext(DataBufferUtils::release))
                .expectNextCount(2)
                .expectErrorSatisfies(e -> {
                    assertTrue(e instanceof java.io.IOException, e.toString());
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                })
                .verify(Duration.ofSeconds(60));
        TestFiles.await(Duration.ofSeconds(60), "pool buffers back: " + pool.outstanding(), () -> pool.outstanding() == 0);
        assertEquals(0, exhausted.unreleased(), "factory buffers left unreleased");
    }

    @Test
    void unsatisfiableRangesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ByteRanges.resolve(HttpRange.parseRanges("bytes=100-"), 100));
        assertThrows(IllegalArgumentException.class, () -> ByteRanges.resolve(HttpRange.parseRanges("bytes=0-0"), 0));
        assertThrows(IllegalArgumentException.class,
                () -> ByteRanges.resolve(HttpRange.parseRanges("bytes=0-99,0-99"), 100), "amplification");
        assertEquals(List.of(new FileRegion(50, 50)), ByteRanges.resolve(HttpRange.parseRanges("bytes=50-1000"), 100));
        assertEquals("bytes 50-99/100", new FileRegion(50, 50).contentRange(100));
        // a set with a satisfiable range: the unsatisfiable ones are left out
        assertEquals(List.of(new FileRegion(0, 2)), ByteRanges.resolve(HttpRange.parseRanges("bytes=0-1,200-300"), 100));
    }

    @Test
    void rangeHeadersAreEvaluatedAsRfc9110Says() {
        assertEquals(Optional.empty(), ByteRanges.resolve("items=0-1", 10), "another unit: ignored");
        assertEquals(Optional.empty(), ByteRanges.resolve("", 10));
        assertEquals(Optional.of(List.of(new FileRegion(0, 2))), ByteRanges.resolve("BYTES=0-1", 10));
        assertEquals(Optional.of(List.of(new FileRegion(0, 10))), ByteRanges.resolve("bytes=0-9999999999999999999999", 10));
        assertEquals(Optional.of(List.of(new FileRegion(0, 10))), ByteRanges.resolve("bytes=-99999999999999999999", 10));
        assertEquals(Optional.of(List.of(new FileRegion(7, 3))), ByteRanges.resolve("bytes=-3", 10));
        assertEquals(Optional.of(List.of(new FileRegion(0, 2))), ByteRanges.resolve("bytes=0-1,20-30", 10));
        assertEquals(Optional.of(List.of(new FileRegion(0, 2), new FileRegion(8, 2))),
                ByteRanges.resolve("bytes=0-1, 20-30,,8-", 10));
        for (String refused : List.of("bytes=10-", "bytes=20-30,40-50", "bytes=-0", "bytes=5-2", "bytes=a-b",
                "bytes=", "bytes", "bytes=1", "bytes=0-1,0-9", "bytes=+1-2", "bytes=1-2-3")) {
            assertThrows(IllegalArgumentException.class, () -> ByteRanges.resolve(refused, 10), refused);
        }
        assertThrows(IllegalArgumentException.class, () -> ByteRanges.resolve("bytes=0-0", 0), "empty file");
        String many = "bytes=" + "0-0,".repeat(ByteRanges.MAX_RANGES) + "1-1";
        assertThrows(IllegalArgumentException.class, () -> ByteRanges.resolve(many, 1_000_000));
    }
}
