package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The write publisher's contracts, on every engine available here. */
class WritePublisherTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    FileEngine engine;
    /** Buffers received by a test's source and not yet released by the write publisher. */
    final AtomicLong held = new AtomicLong();
    final AtomicLong maxHeld = new AtomicLong();

    static List<String> engines() {
        return TestEngines.available();
    }

    FileEngine engine(String name) {
        engine = Engines.create(name);
        return engine;
    }

    @AfterEach
    void noLeaks() throws IOException {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(10), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
        TestFiles.await(Duration.ofSeconds(10), "every buffer released, " + held.get() + " held",
                () -> held.get() == 0);
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> temps = s.filter(p -> p.getFileName().toString().contains(".fileflux-")).toList();
            assertEquals(List.of(), temps, "temporary files left behind");
        }
    }

    /** {@code data} cut into buffers of random sizes (1..maxChunk), heap or direct, counted in {@link #held}. */
    Flux<ByteBuffer> chunks(byte[] data, long seed, int maxChunk) {
        return Flux.defer(() -> {
            Random r = new Random(seed);
            List<ByteBuffer> out = new ArrayList<>();
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, 1 + r.nextInt(maxChunk));
                ByteBuffer b = r.nextBoolean() ? ByteBuffer.allocate(n + 8) : ByteBuffer.allocateDirect(n + 8);
                b.position(4);
                b.put(data, at, n);
                b.flip().position(4); // a buffer whose data does not start at 0
                out.add(b);
                at += n;
            }
            return Flux.fromIterable(out);
        }).doOnNext(b -> maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max));
    }

    WriteOptions opts(FileEngine e) {
        return WriteOptions.defaults().engine(e).release(b -> held.decrementAndGet());
    }

    /** True if {@code file} holds a prefix of {@code data}. */
    static void assertPrefix(byte[] data, Path file) throws IOException {
        byte[] got = Files.readAllBytes(file);
        assertTrue(got.length <= data.length, "file longer than the data: " + got.length);
        assertArrayEquals(Arrays.copyOf(data, got.length), got, "file is not a prefix of the data");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void randomDataOfManySizesRoundTrips(String name) throws Exception {
        FileEngine e = engine(name);
        int[] sizes = {0, 1, 4095, 4096, 4097, 65_536, 100_003, (1 << 20) + 13, 3 << 20};
        long seed = 7;
        for (int size : sizes) {
            byte[] data = TestFiles.bytes(size, seed++);
            Path file = dir.resolve("f" + size);
            List<ByteBuffer> seen = new ArrayList<>();
            Long n = FileFlux.write(chunks(data, seed, 200_000).doOnNext(seen::add), file, opts(e).maxInFlight(8))
                    .block(TIMEOUT);
            assertEquals(size, n);
            assertArrayEquals(data, Files.readAllBytes(file), "size " + size);
            for (ByteBuffer b : seen) {
                assertEquals(4, b.position(), "a received buffer was moved");
            }
            assertFalse(TestFiles.isOpen(file));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void appendsCreateNewAndPositionedWrites(String name) throws Exception {
        FileEngine e = engine(name);
        Path file = dir.resolve("log");
        byte[] a = TestFiles.bytes(70_000, 1);
        byte[] b = TestFiles.bytes(50_001, 2);
        assertEquals(a.length, FileFlux.write(chunks(a, 1, 9000), file, opts(e).append()).block(TIMEOUT));
        assertEquals(b.length, FileFlux.write(chunks(b, 2, 9000), file, opts(e).append()).block(TIMEOUT));
        byte[] ab = new byte[a.length + b.length];
        System.arraycopy(a, 0, ab, 0, a.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        assertArrayEquals(ab, Files.readAllBytes(file));

        byte[] patch = TestFiles.bytes(1000, 3);
        FileFlux.write(chunks(patch, 3, 100), file, opts(e).position(10)).block(TIMEOUT);
        System.arraycopy(patch, 0, ab, 10, patch.length);
        assertArrayEquals(ab, Files.readAllBytes(file), "a positioned write overwrites without truncating");

        Exception exists = assertThrows(Exception.class,
                () -> FileFlux.write(chunks(a, 1, 100), file, opts(e).createNew()).block(TIMEOUT));
        assertInstanceOf(FileAlreadyExistsException.class, exists.getCause() != null ? exists.getCause() : exists);
        assertArrayEquals(ab, Files.readAllBytes(file), "a failed create-new leaves the file alone");

        FileFlux.write(chunks(b, 4, 7000), file, opts(e)).block(TIMEOUT);
        assertArrayEquals(b, Files.readAllBytes(file), "the default mode truncates");

        Path fresh = dir.resolve("fresh");
        FileFlux.write(chunks(a, 5, 7000), fresh, opts(e).createNew()).block(TIMEOUT);
        assertArrayEquals(a, Files.readAllBytes(fresh));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void manyWritesInFlightCompletingOutOfOrderAndShort(String name) throws Exception {
        engine(name);
        FaultyEngine faulty = FaultyEngine.writes(engine, 5000, -1, 6);
        byte[] data = TestFiles.bytes(3 << 20, 11);
        Path file = dir.resolve("ooo");
        Long n = FileFlux.write(chunks(data, 11, 64 * 1024), file, opts(faulty).maxInFlight(16)).block(TIMEOUT);
        assertEquals(data.length, n);
        assertArrayEquals(data, Files.readAllBytes(file));
        assertTrue(faulty.maxWritesInFlight.get() > 1, "writes were issued one at a time");
        assertTrue(faulty.maxWritesInFlight.get() <= 16, "more writes in flight than allowed: "
                + faulty.maxWritesInFlight.get());
        assertTrue(faulty.shortWrites.get() > 0, "no short write happened");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void requestsUpstreamOnlyAsWritesComplete(String name) throws Exception {
        FileEngine e = engine(name);
        byte[] data = TestFiles.bytes(4 << 20, 12);
        AtomicLong requested = new AtomicLong();
        AtomicLong maxOutstanding = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        Flux<ByteBuffer> source = chunks(data, 12, 16 * 1024)
                .doOnRequest(r -> maxOutstanding.accumulateAndGet(requested.addAndGet(r) - delivered.get(), Math::max))
                .doOnNext(b -> delivered.incrementAndGet());
        FileFlux.write(source, dir.resolve("bp"), opts(e).maxInFlight(5)).block(TIMEOUT);
        assertTrue(maxOutstanding.get() <= 5, "requested beyond the free write slots: " + maxOutstanding.get());
        assertTrue(maxHeld.get() <= 5, "held more buffers than writes in flight: " + maxHeld.get());

        // the byte bound: a 1-byte budget makes it one buffer at a time
        maxHeld.set(0);
        FileFlux.write(chunks(data, 13, 16 * 1024), dir.resolve("bp2"), opts(e).maxInFlight(8).maxBytesInFlight(1))
                .block(TIMEOUT);
        assertTrue(maxHeld.get() <= 8, "held: " + maxHeld.get());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("bp2")));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anUpstreamErrorHalfWayFailsAfterTheWritesInFlightAndClosesTheFile(String name) throws Exception {
        FileEngine e = engine(name);
        byte[] data = TestFiles.bytes(2 << 20, 21);
        Path file = dir.resolve("half");
        IOException boom = new IOException("boom");
        Flux<ByteBuffer> source = Flux.concat(chunks(data, 21, 64 * 1024).take(16), Mono.error(boom));
        StepVerifier.create(FileFlux.write(source, file, opts(e).maxInFlight(8)))
                .expectErrorSatisfies(t -> assertSame(boom, t))
                .verify(TIMEOUT);
        assertFalse(TestFiles.isOpen(file), "the file stays open after the error");
        assertPrefix(data, file);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anErrorOrCompletionArrivingWhenNothingIsInFlightStillEndsTheWrite(String name) throws Exception {
        FileEngine e = engine(name);
        for (boolean atomic : new boolean[] {false, true}) {
            for (boolean fail : new boolean[] {false, true}) {
                Sinks.Many<ByteBuffer> sink = Sinks.many().unicast().onBackpressureBuffer();
                AtomicLong progress = new AtomicLong();
                Path file = dir.resolve("idle-" + atomic + "-" + fail);
                IOException x = new IOException("late");
                StepVerifier.Step<Long> step = StepVerifier.create(
                        FileFlux.write(sink.asFlux(), file, WriteOptions.defaults().engine(e).atomic(atomic)
                                .progress(progress::set)))
                        .then(() -> sink.tryEmitNext(ByteBuffer.wrap(new byte[1000])))
                        .then(() -> TestFiles.await(TIMEOUT, "the write done", () -> progress.get() == 1000))
                        .then(() -> {
                            if (fail) {
                                sink.tryEmitError(x);
                            } else {
                                sink.tryEmitComplete();
                            }
                        });
                if (fail) {
                    step.expectErrorSatisfies(t -> assertSame(x, t)).verify(TIMEOUT);
                } else {
                    step.expectNext(1000L).expectComplete().verify(TIMEOUT);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void cancelMidWriteStopsUpstreamWaitsForTheWritesAndCloses(String name) throws Exception {
        FileEngine e = engine(name);
        byte[] block = TestFiles.bytes(64 * 1024, 31);
        AtomicBoolean upstreamCancelled = new AtomicBoolean();
        AtomicLong progress = new AtomicLong();
        Flux<ByteBuffer> endless = Flux.<ByteBuffer>generate(sink -> sink.next(ByteBuffer.wrap(block)))
                .doOnNext(b -> held.incrementAndGet())
                .doOnCancel(() -> upstreamCancelled.set(true));
        Path file = dir.resolve("cancelled");
        AtomicBoolean signalled = new AtomicBoolean();
        Disposable d = FileFlux.write(endless, file, opts(e).maxInFlight(8).progress(progress::set))
                .subscribe(v -> signalled.set(true), t -> signalled.set(true), () -> signalled.set(true));
        TestFiles.await(TIMEOUT, "1 MiB written", () -> progress.get() >= 1 << 20);
        d.dispose();
        TestFiles.await(TIMEOUT, "upstream cancelled", upstreamCancelled::get);
        TestFiles.await(TIMEOUT, "file closed", () -> !TestFiles.isOpen(file));
        assertFalse(signalled.get(), "a signal after cancel");
        long size = Files.size(file);
        assertEquals(0, size % block.length, "a write was cut short: " + size);
        byte[] got = Files.readAllBytes(file);
        for (int at = 0; at < got.length; at += block.length) {
            assertArrayEquals(block, Arrays.copyOfRange(got, at, at + block.length), "block at " + at);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anInjectedIoErrorCarriesPathOffsetAndNativeError(String name) throws Exception {
        engine(name);
        long failAt = 300_000;
        FaultyEngine faulty = FaultyEngine.writes(engine, 0, failAt, 1);
        byte[] data = TestFiles.bytes(1 << 20, 41);
        Path file = dir.resolve("eio");
        StepVerifier.create(FileFlux.write(chunks(data, 41, 50_000), file, opts(faulty).maxInFlight(4)))
                .expectErrorSatisfies(t -> {
                    FileIoException io = assertInstanceOf(FileIoException.class, t);
                    assertEquals(file, io.path());
                    assertTrue(io.offset() <= failAt && failAt < io.offset() + 200_000, "offset " + io.offset());
                    assertEquals(5, io.errorCode());
                    assertEquals("EIO", io.errorName());
                    assertTrue(io.getMessage().contains(file.toString()), io.getMessage());
                })
                .verify(TIMEOUT);
        assertFalse(TestFiles.isOpen(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void atomicReplaceSwapsTheWholeFileAndKeepsItsMode(String name) throws Exception {
        FileEngine e = engine(name);
        Path file = dir.resolve("conf");
        Files.write(file, TestFiles.bytes(5000, 50));
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        }
        FaultyEngine counting = FaultyEngine.writes(e, 0, -1, 1);
        byte[] data = TestFiles.bytes(300_000, 51);
        assertEquals(data.length, FileFlux.write(chunks(data, 51, 40_000), file, opts(counting).atomic(true))
                .block(TIMEOUT));
        assertArrayEquals(data, Files.readAllBytes(file));
        assertEquals(1, counting.syncs.get(), "the temporary file is synced before the rename");
        if (posix) {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        // create-new + atomic: fails at once when the target exists
        StepVerifier.create(FileFlux.write(chunks(data, 52, 4000), file, opts(e).createNew().atomic(true)))
                .expectError(FileAlreadyExistsException.class)
                .verify(TIMEOUT);
        Path fresh = dir.resolve("fresh");
        FileFlux.write(chunks(data, 53, 40_000), fresh, opts(e).createNew().atomic(true)).block(TIMEOUT);
        assertArrayEquals(data, Files.readAllBytes(fresh));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void atomicReplaceLeavesTheOldContentOnErrorOnIoErrorAndOnCancel(String name) throws Exception {
        engine(name);
        Path file = dir.resolve("precious");
        byte[] old = TestFiles.bytes(10_000, 60);
        Files.write(file, old);
        byte[] data = TestFiles.bytes(1 << 20, 61);

        // upstream error
        IOException x = new IOException("x");
        Flux<ByteBuffer> failing = Flux.concat(chunks(data, 61, 64 * 1024).take(5), Mono.error(x));
        StepVerifier.create(FileFlux.write(failing, file, opts(engine).atomic(true)))
                .expectErrorSatisfies(t -> assertSame(x, t))
                .verify(TIMEOUT);
        assertArrayEquals(old, Files.readAllBytes(file));

        // a write error
        FaultyEngine faulty = FaultyEngine.writes(engine, 0, 500_000, 1);
        StepVerifier.create(FileFlux.write(chunks(data, 62, 64 * 1024), file, opts(faulty).atomic(true).maxInFlight(8)))
                .expectErrorSatisfies(t -> assertEquals("EIO", assertInstanceOf(FileIoException.class, t).errorName()))
                .verify(TIMEOUT);
        assertArrayEquals(old, Files.readAllBytes(file));

        // cancel
        AtomicLong progress = new AtomicLong();
        Flux<ByteBuffer> endless = Flux.<ByteBuffer>generate(s -> s.next(ByteBuffer.wrap(data, 0, 4096)))
                .doOnNext(b -> held.incrementAndGet());
        Disposable d = FileFlux.write(endless, file, opts(engine).atomic(true).progress(progress::set)).subscribe();
        TestFiles.await(TIMEOUT, "writing", () -> progress.get() > 100_000);
        d.dispose();
        TestFiles.await(TIMEOUT, "temporary file removed", () -> {
            try (Stream<Path> s = Files.list(dir)) {
                return s.noneMatch(p -> p.getFileName().toString().contains(".fileflux-"));
            } catch (IOException ex) {
                return false;
            }
        });
        assertArrayEquals(old, Files.readAllBytes(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void durabilitySyncsOnceAtTheEnd(String name) throws Exception {
        engine(name);
        byte[] data = TestFiles.bytes(200_000, 70);
        for (WriteOptions.Durability d : WriteOptions.Durability.values()) {
            FaultyEngine counting = FaultyEngine.writes(engine, 0, -1, 1);
            Path file = dir.resolve("d-" + d);
            FileFlux.write(chunks(data, 70, 30_000), file, opts(counting).durability(d)).block(TIMEOUT);
            assertArrayEquals(data, Files.readAllBytes(file));
            assertEquals(d == WriteOptions.Durability.NONE ? 0 : 1, counting.syncs.get(), d.toString());
            assertEquals(d == WriteOptions.Durability.FSYNC ? 1 : 0, counting.fsyncs.get(), d.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void permissionsOnCreate(String name) throws Exception {
        FileEngine e = engine(name);
        Path file = dir.resolve("secret");
        assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX attributes");
        FileFlux.write(chunks(new byte[100], 1, 10), file,
                opts(e).createNew().permissions(PosixFilePermissions.fromString("rw-------"))).block(TIMEOUT);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void theResultWaitsForDownstreamDemand(String name) throws Exception {
        FileEngine e = engine(name);
        byte[] data = TestFiles.bytes(10_000, 80);
        Path lazy = dir.resolve("lazy");
        // causal, not timed: the write finishes (file written and closed) while nothing was requested;
        // only then is the result asked for
        StepVerifier.create(FileFlux.write(chunks(data, 80, 1000), lazy, opts(e)), 0)
                .expectSubscription()
                .then(() -> TestFiles.await(TIMEOUT, "the file written and closed", () -> {
                    try {
                        return e.stats().openDevices() == 0 && Files.size(lazy) == data.length;
                    } catch (IOException x) {
                        return false;
                    }
                }))
                .expectNoEvent(Duration.ZERO)
                .thenRequest(1)
                .expectNext(10_000L)
                .verifyComplete();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void openFailureNeverSubscribesUpstream(String name) throws Exception {
        FileEngine e = engine(name);
        AtomicBoolean subscribed = new AtomicBoolean();
        Flux<ByteBuffer> source = Flux.<ByteBuffer>empty().doOnSubscribe(s -> subscribed.set(true));
        StepVerifier.create(FileFlux.write(source, dir.resolve("no/such/dir/f"), opts(e)))
                .expectError(NoSuchFileException.class)
                .verify(TIMEOUT);
        assertFalse(subscribed.get());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void copyComposesReadAndWrite(String name) throws Exception {
        FileEngine e = engine(name);
        Path src = dir.resolve("src");
        byte[] data = TestFiles.create(src, (5 << 20) + 77, 90);
        Path dst = dir.resolve("dst");
        assertEquals(data.length, FileFlux.copy(src, dst, WriteOptions.defaults().engine(e)).block(TIMEOUT));
        assertArrayEquals(data, Files.readAllBytes(dst));
        Path dst2 = dir.resolve("dst2");
        FileFlux.copy(src, dst2, WriteOptions.defaults().engine(e).atomic(true)
                .durability(WriteOptions.Durability.FSYNC)).block(TIMEOUT);
        assertArrayEquals(data, Files.readAllBytes(dst2));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void pooledBuffersFromTheReadPublisherAllComeBackOnSuccessCancelAndError(String name) throws Exception {
        engine(name);
        Path src = dir.resolve("pooled-src");
        byte[] data = TestFiles.create(src, (2 << 20) + 3, 100);
        BufferPool pool = new BufferPool(32 * 1024, 8);
        ReadOptions read = ReadOptions.defaults().engine(engine).maxInFlight(4).pooled(pool);

        Path dst = dir.resolve("pooled-dst");
        FileFlux.write(FileFlux.read(src, read), dst, WriteOptions.defaults().engine(engine).pooled(pool))
                .block(TIMEOUT);
        assertArrayEquals(data, Files.readAllBytes(dst));
        assertEquals(0, pool.outstanding(), "after success");

        AtomicLong progress = new AtomicLong();
        Disposable d = FileFlux.write(FileFlux.read(src, read).repeat(), dir.resolve("pooled-cancel"),
                WriteOptions.defaults().engine(engine).pooled(pool).progress(progress::set)).subscribe();
        TestFiles.await(TIMEOUT, "writing", () -> progress.get() > 1 << 20);
        d.dispose();
        TestFiles.await(TIMEOUT, "every pooled buffer back after cancel: " + pool.outstanding(),
                () -> pool.outstanding() == 0);

        FaultyEngine faulty = FaultyEngine.writes(engine, 0, 1 << 20, 3);
        StepVerifier.create(FileFlux.write(FileFlux.read(src, read), dir.resolve("pooled-eio"),
                        WriteOptions.defaults().engine(faulty).pooled(pool).maxInFlight(6)))
                .expectError(FileIoException.class)
                .verify(TIMEOUT);
        TestFiles.await(TIMEOUT, "every pooled buffer back after a write error: " + pool.outstanding(),
                () -> pool.outstanding() == 0);
    }

    @Test
    void badArgumentsFailAtAssembly() {
        Flux<ByteBuffer> none = Flux.empty();
        Path p = dir.resolve("x");
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.defaults().maxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.defaults().maxBytesInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.defaults().position(-1));
        assertThrows(IllegalArgumentException.class,
                () -> FileFlux.write(none, p, WriteOptions.defaults().append().atomic(true)));
        assertThrows(IllegalArgumentException.class,
                () -> FileFlux.write(none, p, WriteOptions.defaults().position(5).atomic(true)));
        assertThrows(NullPointerException.class, () -> FileFlux.write(null, p, WriteOptions.defaults()));
        assertFalse(Files.exists(p), "assembly opened the file");
    }

    @Test
    void releaseIsCalledOncePerBufferAlsoForEmptyOnes() throws Exception {
        AtomicInteger released = new AtomicInteger();
        Flux<ByteBuffer> source = Flux.just(ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {1, 2}),
                ByteBuffer.allocate(0));
        FileFlux.write(source, dir.resolve("r"), WriteOptions.defaults().release(b -> released.incrementAndGet()))
                .block(TIMEOUT);
        assertEquals(3, released.get());
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(dir.resolve("r")));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anAtomicWriteOverADirectoryIsRefusedBeforeAnythingIsWritten(String name) throws Exception {
        Path target = Files.createDirectory(dir.resolve("sub"));
        AtomicInteger requested = new AtomicInteger();
        Flux<ByteBuffer> source = Flux.just(ByteBuffer.wrap(new byte[100])).doOnRequest(n -> requested.incrementAndGet());
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> FileFlux.write(source, target, WriteOptions.defaults().engine(engine(name)).atomic(true)).block());
        java.nio.file.FileSystemException e = (java.nio.file.FileSystemException) reactor.core.Exceptions.unwrap(thrown);
        assertEquals(target.toString(), e.getFile(), "the error names the target, not a temporary file");
        assertEquals(0, requested.get(), "nothing was asked of the source");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(target), listing.toList(), "no temporary file left beside it");
        }
    }
}
