package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.FilefluxOption;
import io.fileflux.core.TestFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads into a caller's buffers ({@link BufferAllocator}), on every engine: every byte in place, every
 * buffer either emitted or released exactly once (after completion, take, cancel and error), and no
 * allocator method on an engine thread.
 */
class BufferAllocatorReadTest {

    static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;
    FileEngine engine;

    static List<String> engines() {
        return TestEngines.available();
    }

    FileEngine engine(String name) {
        engine = Engines.create(name);
        return engine;
    }

    @AfterEach
    void noLeaks() {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(30), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
    }

    /** A buffer of the tracking allocator: direct memory, and what happened to it. */
    static final class Held {
        final ByteBuffer memory;
        int readable;
        volatile String state = "allocated";

        Held(int size) {
            memory = ByteBuffer.allocateDirect(size);
        }
    }

    /** Counts buffers allocated, filled and released, and every misuse of the contract. */
    static class Tracking implements BufferAllocator<Held> {
        final AtomicInteger allocated = new AtomicInteger();
        final AtomicInteger filled = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        final Queue<String> violations = new ConcurrentLinkedQueue<>();

        private void onOwnThread(String what) {
            String name = Thread.currentThread().getName();
            if (name.matches("fileflux-(nio|uring|iocp)-.*")) {
                violations.add(what + " on engine thread " + name);
            }
        }

        @Override
        public Held allocate(int size) {
            onOwnThread("allocate");
            allocated.incrementAndGet();
            return new Held(size);
        }

        @Override
        public ByteBuffer writableView(Held buffer, int size) {
            onOwnThread("writableView");
            return buffer.memory.duplicate();
        }

        @Override
        public Held filled(Held buffer, int bytes) {
            onOwnThread("filled");
            if (!buffer.state.equals("allocated")) {
                violations.add("filled a buffer " + buffer.state);
            }
            buffer.state = "filled";
            buffer.readable = bytes;
            filled.incrementAndGet();
            return buffer;
        }

        @Override
        public void release(Held buffer) {
            onOwnThread("release");
            if (!buffer.state.equals("allocated")) {
                violations.add("released a buffer " + buffer.state);
            }
            buffer.state = "released";
            released.incrementAndGet();
        }

        /** Waits until every buffer allocated was emitted or released, then checks the contract held. */
        void awaitBalanced() {
            TestFiles.await(Duration.ofSeconds(30), "every buffer emitted or released: " + this,
                    () -> allocated.get() == filled.get() + released.get());
            assertEquals(List.of(), List.copyOf(violations));
        }

        @Override
        public String toString() {
            return allocated + " allocated, " + filled + " filled, " + released + " released";
        }
    }

    static byte[] bytes(Flux<Held> flux) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flux.doOnNext(h -> {
            byte[] b = new byte[h.readable];
            h.memory.get(0, b);
            out.write(b, 0, b.length);
        }).blockLast(Duration.ofSeconds(60));
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsEveryByteIntoTheAllocatorsBuffersAndEmitsThem(String name) throws Exception {
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 1_000_003, 1);
        Tracking alloc = new Tracking();
        ReadOptions o = ReadOptions.defaults().engine(engine(name)).chunkSize(CHUNK).maxInFlight(8);
        assertArrayEquals(data, bytes(FileFlux.read(file, o, alloc)));
        alloc.awaitBalanced();
        assertEquals(16, alloc.filled.get(), "15 whole chunks and the last 16,963 bytes");
        byte[] range = bytes(FileFlux.read(file, o.range(70_000, 200_000), alloc));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 70_000, 270_000), range);
        alloc.awaitBalanced();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void rangesOfAnOpenFileReadIntoTheAllocatorsBuffers(String name) throws Exception {
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 300_000, 2);
        Tracking alloc = new Tracking();
        ReadOptions o = ReadOptions.defaults().engine(engine(name)).chunkSize(CHUNK);
        byte[] two = bytes(FileFlux.usingFile(file, o, f -> Flux.concat(f.read(10, 100, alloc),
                f.read(200_000, ReadOptions.TO_END, alloc))));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(data, 10, 100);
        expected.write(data, 200_000, 100_000);
        assertArrayEquals(expected.toByteArray(), two);
        alloc.awaitBalanced();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void takeAndCancelReleaseEveryBufferReadButNotEmitted(String name) throws Exception {
        Path file = dir.resolve("f");
        TestFiles.create(file, 4 << 20, 3);
        Tracking alloc = new Tracking();
        ReadOptions o = ReadOptions.defaults().engine(engine(name)).chunkSize(CHUNK).maxInFlight(16);
        List<Held> three = FileFlux.read(file, o, alloc).take(3).collectList().block(Duration.ofSeconds(60));
        assertEquals(3, three.size());
        alloc.awaitBalanced();
        assertEquals(3, alloc.filled.get());

        Tracking again = new Tracking();
        AtomicInteger seen = new AtomicInteger();
        FileFlux.read(file, o, again).doOnNext(h -> seen.incrementAndGet())
                .takeUntil(h -> seen.get() == 5).then().block(Duration.ofSeconds(60));
        again.awaitBalanced();
        assertEquals(5, again.filled.get());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anIoErrorReleasesWhatWasReadPastIt(String name) throws Exception {
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 1 << 20, 4);
        Tracking alloc = new Tracking();
        FaultyEngine faulty = FaultyEngine.reads(engine(name), 0, 5L * CHUNK + 17, 4);
        ReadOptions o = ReadOptions.defaults().engine(faulty).chunkSize(CHUNK).maxInFlight(8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Throwable error = FileFlux.read(file, o, alloc)
                .doOnNext(h -> {
                    byte[] b = new byte[h.readable];
                    h.memory.get(0, b);
                    out.write(b, 0, b.length);
                })
                .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(Duration.ofSeconds(60));
        assertInstanceOf(FileIoException.class, error);
        assertArrayEquals(java.util.Arrays.copyOf(data, 5 * CHUNK), out.toByteArray(), "every chunk before the failure");
        alloc.awaitBalanced();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shortReadsCompletingOutOfOrderFillEachBufferInPlace(String name) throws Exception {
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 700_001, 5);
        Tracking alloc = new Tracking();
        FaultyEngine faulty = FaultyEngine.reads(engine(name), 10_000, -1, 4);
        ReadOptions o = ReadOptions.defaults().engine(faulty).chunkSize(CHUNK).maxInFlight(8);
        assertArrayEquals(data, bytes(FileFlux.read(file, o, alloc)));
        alloc.awaitBalanced();
    }

    /** §2.13: a subscriber that throws has cancelled; the buffer it threw on is its own, the rest is released. */
    @ParameterizedTest
    @MethodSource("engines")
    void aSubscriberThatThrowsIsCancelledAndEveryOtherBufferReleased(String name) throws Exception {
        Path file = dir.resolve("f");
        TestFiles.create(file, 2 << 20, 8);
        Tracking alloc = new Tracking();
        ReadOptions o = ReadOptions.defaults().engine(engine(name)).chunkSize(CHUNK).maxInFlight(16);
        AtomicInteger seen = new AtomicInteger();
        java.util.concurrent.CountDownLatch threw = new java.util.concurrent.CountDownLatch(1);
        FileFlux.read(file, o, alloc).subscribe(new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnNext(Held h) {
                if (seen.incrementAndGet() == 3) {
                    threw.countDown();
                    throw new IllegalStateException("subscriber bug");
                }
            }
        });
        assertTrue(threw.await(60, java.util.concurrent.TimeUnit.SECONDS));
        alloc.awaitBalanced();
        assertEquals(3, alloc.filled.get(), "no buffer after the one it threw on");
    }

    @Test
    void aFilledThatThrowsFailsTheStreamAndReleasesThatBuffer() throws Exception {
        Path file = dir.resolve("f");
        TestFiles.create(file, 300_000, 6);
        Tracking alloc = new Tracking() {
            @Override
            public Held filled(Held buffer, int bytes) {
                if (filled.get() == 2) {
                    throw new IllegalStateException("refused");
                }
                return super.filled(buffer, bytes);
            }
        };
        ReadOptions o = ReadOptions.defaults().engine(engine(Engines.shared().name())).chunkSize(CHUNK);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FileFlux.read(file, o, alloc).blockLast(Duration.ofSeconds(60)));
        assertEquals("refused", e.getMessage());
        alloc.awaitBalanced();
        assertEquals(2, alloc.filled.get());
    }

    @Test
    void aViewTooSmallFailsTheStreamAndReleasesItsBuffer() throws Exception {
        Path file = dir.resolve("f");
        TestFiles.create(file, 100_000, 7);
        Tracking alloc = new Tracking() {
            @Override
            public ByteBuffer writableView(Held buffer, int size) {
                return buffer.memory.duplicate().limit(size - 1);
            }
        };
        ReadOptions o = ReadOptions.defaults().engine(engine(Engines.shared().name())).chunkSize(CHUNK);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FileFlux.read(file, o, alloc).blockLast(Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("no writable view of 65536 bytes"), e.getMessage());
        alloc.awaitBalanced();
        assertEquals(1, alloc.released.get());
    }

    @Test
    void directReadsAndNullAllocatorsAreRefusedAtAssembly() {
        Path file = dir.resolve("f");
        assertThrows(IllegalArgumentException.class, () -> FileFlux.read(file,
                ReadOptions.defaults().openOptions(FilefluxOption.DIRECT), new Tracking()));
        assertThrows(NullPointerException.class, () -> FileFlux.read(file, ReadOptions.defaults(),
                (BufferAllocator<Held>) null));
    }
}
