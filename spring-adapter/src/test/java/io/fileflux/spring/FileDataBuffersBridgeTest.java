package io.fileflux.spring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.ReadOptions;
import io.fileflux.reactor.WriteOptions;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.http.MediaType;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The zero-copy bridge with Netty's pooled allocator, on every engine: reads land in the factory's own
 * buffers (no other buffer is allocated), writes of {@code Publisher<DataBuffer>} release every buffer,
 * and no Netty buffer stays live after completion, take, cancel or error — counted by the allocator's
 * own arena metrics (thread caches off, so a freed buffer leaves the active count at once) and by
 * remembering every buffer handed out.
 */
class FileDataBuffersBridgeTest {

    static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;
    FileEngine engine;

    static List<String> engines() {
        return Engines.probeAll().stream().filter(EngineStatus::available).map(EngineStatus::name).toList();
    }

    @AfterEach
    void noLeaks() {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(30), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
    }

    /** Netty's pooled direct allocator without thread caches, remembering each buffer it hands out. */
    static final class Netty extends FileDataBuffersTest.TrackingFactory {
        final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true, 1, 1, 8192, 9, 0, 0, false);
        final NettyDataBufferFactory factory = new NettyDataBufferFactory(allocator);

        @Override
        public DataBuffer allocateBuffer(int initialCapacity) {
            DataBuffer b = factory.allocateBuffer(initialCapacity);
            allocated.add(b);
            return b;
        }

        /** Live pooled buffers, by the allocator's own count. */
        long active() {
            return allocator.metric().directArenas().stream().mapToLong(PoolArenaMetric::numActiveAllocations).sum()
                    + allocator.metric().heapArenas().stream().mapToLong(PoolArenaMetric::numActiveAllocations).sum();
        }

        void awaitNoneLive() {
            TestFiles.await(Duration.ofSeconds(30), "every Netty buffer released: " + active() + " live, "
                    + unreleased() + " of ours", () -> active() == 0 && unreleased() == 0);
        }
    }

    private ReadOptions options(String name) {
        engine = Engines.create(name);
        return ReadOptions.defaults().engine(engine).chunkSize(CHUNK).maxInFlight(8);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsIntoTheFactorysBuffersWithoutAnyOtherBuffer(String name) throws Exception {
        ReadOptions o = options(name);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 1_000_003, 1);
        Netty netty = new Netty();
        Set<DataBuffer> emitted = Collections.newSetFromMap(new IdentityHashMap<>());
        byte[] read = FileDataBuffersTest.drain(FileDataBuffers.read(file, netty, o).doOnNext(emitted::add));
        assertArrayEquals(data, read);
        assertEquals(16, emitted.size(), "15 whole chunks and the rest");
        Set<DataBuffer> allocated = Collections.newSetFromMap(new IdentityHashMap<>());
        allocated.addAll(netty.allocated);
        assertTrue(allocated.containsAll(emitted), "each emitted buffer is one the factory allocated, read into in place");
        assertEquals(emitted.size() + 1, allocated.size(),
                "no other buffer but the one of the read that found the end of the file (released)");
        assertTrue(emitted.iterator().next().toString().contains("Pooled"), "Netty pooled memory");
        netty.awaitNoneLive();

        byte[] range = FileDataBuffersTest.drain(FileDataBuffers.read(file, netty, o.range(70_001, 300_000)));
        assertArrayEquals(Arrays.copyOfRange(data, 70_001, 370_001), range);
        netty.awaitNoneLive();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void multipartReadsEveryPartIntoTheFactorysBuffersFromOneOpenFile(String name) throws Exception {
        // as a server streams several ranges: a pool in the options (the starter's), Netty's pooled factory
        BufferPool pool = new BufferPool(CHUNK, 8, 64);
        ReadOptions o = options(name).pooled(pool);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 1_000_003, 4);
        List<FileRegion> regions = List.of(new FileRegion(0, 100_000), new FileRegion(200_000, 150_001),
                new FileRegion(500_000, 1), new FileRegion(600_000, 200_000), new FileRegion(999_000, 1003));
        Netty netty = new Netty();
        Set<DataBuffer> emitted = Collections.newSetFromMap(new IdentityHashMap<>());
        AtomicLong maxOpen = new AtomicLong();
        String boundary = ByteRanges.newBoundary();
        byte[] body = FileDataBuffersTest.drain(ByteRanges.multipart(file, regions, data.length,
                        MediaType.APPLICATION_OCTET_STREAM, boundary, netty, o)
                .doOnNext(b -> {
                    emitted.add(b);
                    maxOpen.accumulateAndGet(engine.stats().openDevices(), Math::max);
                }));
        assertEquals(ByteRanges.multipartLength(regions, data.length, MediaType.APPLICATION_OCTET_STREAM, boundary),
                body.length);
        assertEquals(1, maxOpen.get(), "one open file for every part");
        assertEquals(0, pool.allocated(), "no pool buffer: the parts are read into the factory's buffers");
        Set<DataBuffer> allocated = Collections.newSetFromMap(new IdentityHashMap<>());
        allocated.addAll(netty.allocated);
        long fileBuffers = emitted.stream().filter(allocated::contains).count();
        // 2 + 3 + 1 + 4 + 1 chunks of file data; the rest are the part headers and the closing boundary
        assertEquals(11, fileBuffers, "each part's chunks read in place into buffers the factory allocated");
        assertEquals(11 + regions.size() + 1, emitted.size());
        int at = 0;
        for (FileRegion r : regions) {
            at = indexOf(body, ("Content-Range: " + r.contentRange(data.length) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), at);
            assertArrayEquals(Arrays.copyOfRange(data, (int) r.position(), (int) (r.position() + r.length())),
                    Arrays.copyOfRange(body, at, at + (int) r.length()), r.toString());
        }
        netty.awaitNoneLive();
    }

    /** The index just after the first {@code needle} in {@code haystack} from {@code from}. */
    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        throw new AssertionError("not found from " + from);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aHeapFactoryWorksToo(String name) throws Exception {
        ReadOptions o = options(name);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 200_001, 2);
        assertArrayEquals(data, FileDataBuffersTest.drain(FileDataBuffers.read(file, DefaultDataBufferFactory.sharedInstance, o)));
        assertArrayEquals(data, FileDataBuffersTest.drain(FileDataBuffers.read(file,
                new NettyDataBufferFactory(new PooledByteBufAllocator(false)), o)));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void takeAndCancelLeaveNoNettyBufferLive(String name) throws Exception {
        ReadOptions o = options(name).maxInFlight(16);
        Path file = dir.resolve("f");
        TestFiles.create(file, 4 << 20, 3);
        Netty netty = new Netty();
        List<DataBuffer> three = FileDataBuffers.read(file, netty, o).take(3).collectList().block(Duration.ofSeconds(60));
        assertEquals(3, three.size());
        three.forEach(DataBufferUtils::release);
        netty.awaitNoneLive();

        CountDownLatch gotTwo = new CountDownLatch(2);
        AtomicReference<Subscription> upstream = new AtomicReference<>();
        FileDataBuffers.read(file, netty, o).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                upstream.set(s);
                s.request(2);
            }

            @Override
            protected void hookOnNext(DataBuffer b) {
                DataBufferUtils.release(b);
                gotTwo.countDown();
            }
        });
        assertTrue(gotTwo.await(60, TimeUnit.SECONDS));
        upstream.get().request(10); // reads in flight, then cancelled with them still in the kernel
        upstream.get().cancel();
        netty.awaitNoneLive();
        TestFiles.await(Duration.ofSeconds(30), "file closed", () -> !TestFiles.isOpen(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anErrorMidwayLeavesNoNettyBufferLive(String name) throws Exception {
        ReadOptions o = options(name);
        Path file = dir.resolve("f");
        TestFiles.create(file, 4 << 20, 4);
        Netty netty = new Netty();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicReference<Subscription> upstream = new AtomicReference<>();
        FileDataBuffers.read(file, netty, o).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                upstream.set(s);
                s.request(1);
            }

            @Override
            protected void hookOnNext(DataBuffer b) {
                DataBufferUtils.release(b);
                first.countDown();
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.set(t);
                ended.countDown();
            }

            @Override
            protected void hookOnComplete() {
                ended.countDown();
            }
        });
        assertTrue(first.await(60, TimeUnit.SECONDS));
        engine.close(); // the next reads fail with ENGINE_CLOSED (or are refused): the stream ends in error
        upstream.get().request(Long.MAX_VALUE);
        assertTrue(ended.await(60, TimeUnit.SECONDS));
        assertTrue(error.get() instanceof EngineClosedException || error.get() instanceof IllegalStateException,
                String.valueOf(error.get()));
        netty.awaitNoneLive();
    }

    private static DataBuffer filled(Netty netty, byte[] data, int from, int to) {
        DataBuffer b = netty.allocateBuffer(to - from);
        b.write(data, from, to - from);
        return b;
    }

    @ParameterizedTest
    @MethodSource("engines")
    void writesReleaseEveryBufferOnceWrittenAndTheFileHoldsTheBytes(String name) throws Exception {
        engine = Engines.create(name);
        byte[] data = TestFiles.bytes(1_000_003, 5);
        Netty netty = new Netty();
        Path target = dir.resolve("out");
        Flux<DataBuffer> source = Flux.range(0, 16)
                .map(i -> filled(netty, data, i * CHUNK, Math.min(data.length, (i + 1) * CHUNK)));
        long n = FileDataBuffers.write(source, target, WriteOptions.defaults().engine(engine).maxInFlight(4)
                .atomic(true).durability(WriteOptions.Durability.FSYNC)).block(Duration.ofSeconds(60));
        assertEquals(data.length, n);
        assertArrayEquals(data, Files.readAllBytes(target));
        assertEquals(16, netty.allocated.size());
        netty.awaitNoneLive();
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(target), listing.toList(), "no temporary file left");
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aCancelledWriteReleasesWhatItReceived(String name) throws Exception {
        engine = Engines.create(name);
        byte[] data = TestFiles.bytes(20 * CHUNK, 6);
        Netty netty = new Netty();
        Path target = dir.resolve("out");
        Flux<DataBuffer> source = Flux.range(0, 20).map(i -> filled(netty, data, i * CHUNK, (i + 1) * CHUNK))
                .concatWith(Flux.never()); // the source never ends: only a cancel stops the write
        Disposable write = FileDataBuffers.write(source, target, WriteOptions.defaults().engine(engine).maxInFlight(4))
                .subscribe();
        TestFiles.await(Duration.ofSeconds(30), "all twenty written", () -> {
            try {
                return Files.size(target) == data.length;
            } catch (IOException e) {
                return false;
            }
        });
        write.dispose();
        netty.awaitNoneLive();
        TestFiles.await(Duration.ofSeconds(30), "file closed", () -> !TestFiles.isOpen(target));

        Netty again = new Netty();
        Flux<DataBuffer> busy = Flux.range(0, 200).map(i -> filled(again, data, 0, CHUNK)).concatWith(Flux.never());
        Disposable early = FileDataBuffers.write(busy, dir.resolve("early"), WriteOptions.defaults().engine(engine)
                .maxInFlight(8)).subscribe();
        TestFiles.await(Duration.ofSeconds(30), "writes started", () -> !again.allocated.isEmpty());
        early.dispose(); // with writes in flight, most likely
        again.awaitNoneLive();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anUpstreamErrorReleasesEveryBufferAndAnAtomicWriteLeavesNothing(String name) throws Exception {
        engine = Engines.create(name);
        byte[] data = TestFiles.bytes(10 * CHUNK, 7);
        Netty netty = new Netty();
        Path target = dir.resolve("out");
        Flux<DataBuffer> source = Flux.range(0, 10).map(i -> filled(netty, data, i * CHUNK, (i + 1) * CHUNK))
                .concatWith(Mono.error(new IOException("upstream broke")));
        IOException e = assertThrows(IOException.class, () -> {
            try {
                FileDataBuffers.write(source, target, WriteOptions.defaults().engine(engine).atomic(true))
                        .block(Duration.ofSeconds(60));
            } catch (RuntimeException wrapped) {
                throw wrapped.getCause();
            }
        });
        assertEquals("upstream broke", e.getMessage());
        netty.awaitNoneLive();
        assertFalse(Files.exists(target));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(), listing.toList(), "the temporary file is gone");
        }
    }

    @Test
    void aCompositeBufferIsCopiedAndReleasedAtOnce() throws Exception {
        engine = Engines.create(Engines.shared().name());
        Netty netty = new Netty();
        byte[] data = TestFiles.bytes(3000, 8);
        DataBuffer composite = netty.factory.join(List.of(filled(netty, data, 0, 1000), filled(netty, data, 1000, 3000)));
        List<DataBuffer> parts = new ArrayList<>(List.of(composite, filled(netty, data, 0, 10), netty.allocateBuffer(5)));
        Path target = dir.resolve("out");
        long n = FileDataBuffers.write(Flux.fromIterable(parts), target, WriteOptions.defaults().engine(engine))
                .block(Duration.ofSeconds(60));
        assertEquals(3010, n, "an empty buffer writes nothing");
        byte[] expected = Arrays.copyOf(data, 3010);
        System.arraycopy(data, 0, expected, 3000, 10);
        assertArrayEquals(expected, Files.readAllBytes(target));
        netty.awaitNoneLive();
    }

    @Test
    void assemblyChecksArgumentsAndOpensNothingUntilSubscribed() throws Exception {
        Path x = dir.resolve("x");
        assertThrows(NullPointerException.class, () -> FileDataBuffers.write(null, x, WriteOptions.defaults()));
        assertThrows(NullPointerException.class, () -> FileDataBuffers.read(x, null, ReadOptions.defaults()));
        java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();
        Mono<Long> write = FileDataBuffers.write(Flux.<DataBuffer>empty().doOnSubscribe(s -> subscribed.set(true)), x,
                WriteOptions.defaults());
        assertFalse(subscribed.get());
        assertFalse(Files.exists(x));
        assertEquals(0L, write.block(Duration.ofSeconds(60)));
        assertTrue(subscribed.get());
        assertEquals(0, Files.size(x));
    }
}
