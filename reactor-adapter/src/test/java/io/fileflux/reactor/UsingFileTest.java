package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@link FileFlux#usingFile}: several ranges from one open file, closed once, on every engine. */
class UsingFileTest {

    @org.junit.jupiter.api.io.TempDir
    Path dir;
    FileEngine engine;

    static List<String> engines() {
        return TestEngines.available();
    }

    @AfterEach
    void noLeaks() {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(10), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
    }

    static byte[] slice(byte[] b, long from, long len) {
        return Arrays.copyOfRange(b, (int) from, (int) Math.min(b.length, from + len));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsSeveralRangesFromOneOpenFile(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        byte[] data = TestFiles.create(file, 300_000, 7);
        ReadOptions opts = ReadOptions.defaults().engine(engine).chunkSize(4096).maxInFlight(3);
        AtomicReference<Long> opensSeen = new AtomicReference<>();
        byte[] got = FileFluxReadTest.collect(FileFlux.usingFile(file, opts, f -> {
            opensSeen.set(engine.stats().openDevices());
            return Flux.concat(f.read(0, 500), f.read(299_500, 500), f.read(10_000, 100_000),
                    f.read(200_000, ReadOptions.TO_END), f.read(0, 0));
        }));
        byte[] want = concat(slice(data, 0, 500), slice(data, 299_500, 500), slice(data, 10_000, 100_000),
                slice(data, 200_000, 100_000));
        assertArrayEquals(want, got);
        assertEquals(1L, opensSeen.get(), "one device for every range");
        assertFalse(TestFiles.isOpen(file), "closed before the terminal signal");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void cancelClosesTheFileAndReleasesPooledBuffers(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        TestFiles.create(file, 2 << 20, 8);
        BufferPool pool = new BufferPool(16 * 1024, 8);
        ReadOptions opts = ReadOptions.defaults().engine(engine).pooled(pool).maxInFlight(4);
        // merge queues chunks ahead of demand: those it drops on cancel reach the discard hook (the
        // publisher returns only the buffers it never emitted)
        StepVerifier.create(FileFlux.usingFile(file, opts, f -> Flux.merge(f.read(0, 1 << 20), f.read(1 << 20, 1 << 20)))
                        .doOnNext(pool::release).doOnDiscard(java.nio.ByteBuffer.class, pool::release), 3)
                .expectNextCount(3)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        TestFiles.await(Duration.ofSeconds(10), "file closed", () -> engine.stats().openDevices() == 0);
        TestFiles.await(Duration.ofSeconds(10), "pooled buffers back", () -> pool.outstanding() == 0);
        assertFalse(TestFiles.isOpen(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readingAfterTheBodyEndedFailsAndOpenErrorsAreSignalled(String name) throws Exception {
        engine = Engines.create(name);
        Path file = dir.resolve("f");
        TestFiles.create(file, 1000, 9);
        ReadOptions opts = ReadOptions.defaults().engine(engine);
        AtomicReference<OpenFile> leaked = new AtomicReference<>();
        FileFlux.usingFile(file, opts, f -> {
            leaked.set(f);
            return f.read(0, 10);
        }).blockLast(Duration.ofSeconds(10));
        StepVerifier.create(leaked.get().read(0, 10))
                .expectErrorSatisfies(e -> assertInstanceOf(IllegalStateException.class, e))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(FileFlux.usingFile(dir.resolve("missing"), opts, f -> f.read(0, 10)))
                .expectErrorSatisfies(e -> assertInstanceOf(NoSuchFileException.class, e))
                .verify(Duration.ofSeconds(10));
        assertTrue(leaked.get().toString().contains("f"));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
