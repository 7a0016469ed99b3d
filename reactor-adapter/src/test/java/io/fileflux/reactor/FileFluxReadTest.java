package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.TestFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The read publisher's contracts (DESIGN.md 1-8), on every engine available here. */
class FileFluxReadTest {

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
            TestFiles.await(Duration.ofSeconds(10), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
    }

    static byte[] collect(Flux<ByteBuffer> flux) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flux.doOnNext(b -> {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes, 0, bytes.length);
        }).blockLast(Duration.ofSeconds(60));
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsWholeFilesOfEdgeSizes(String name) throws Exception {
        ReadOptions opts = ReadOptions.defaults().engine(engine(name));
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 10 * 1024 * 1024 + 3}) {
            Path file = dir.resolve("f" + size);
            byte[] expected = TestFiles.create(file, size, size);
            assertArrayEquals(expected, collect(FileFlux.read(file, opts)), "size " + size);
            assertArrayEquals(expected, collect(FileFlux.read(file, opts.bufferMode(BufferMode.HEAP)
                    .maxInFlight(1))), "heap, 1 in flight, size " + size);
            assertFalse(TestFiles.isOpen(file), "closed before onComplete");
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsRangesExactly(String name) throws Exception {
        Path file = dir.resolve("r");
        byte[] data = TestFiles.create(file, 1_000_003, 11);
        ReadOptions opts = ReadOptions.defaults().engine(engine(name)).chunkSize(10_007);
        long[][] ranges = {{0, 0}, {1, 1}, {12345, 777}, {4095, 100_000}, {999_990, 13}, {999_990, 1000},
                {1_000_003, 10}, {2_000_000, 10}};
        for (long[] r : ranges) {
            int from = (int) Math.min(r[0], data.length);
            int to = (int) Math.min(r[0] + r[1], data.length);
            assertArrayEquals(Arrays.copyOfRange(data, from, to),
                    collect(FileFlux.read(file, opts.range(r[0], r[1]))), "range " + r[0] + "+" + r[1]);
        }
        assertArrayEquals(Arrays.copyOfRange(data, 500_000, data.length),
                collect(FileFlux.read(file, opts.position(500_000))), "from a position to the end");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsPastFourGigabytes(String name) throws Exception {
        Path file = dir.resolve("sparse");
        long offset = 4L * 1024 * 1024 * 1024 + 4097;
        byte[] data = TestFiles.bytes(300_000, 5);
        TestFiles.sparse(file, offset, data);
        List<FileChunk> chunks = FileFlux.readChunks(file, ReadOptions.defaults().engine(engine(name))
                .position(offset)).collectList().block(Duration.ofSeconds(30));
        assertEquals(offset, chunks.get(0).offset());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long expectedOffset = offset;
        for (FileChunk c : chunks) {
            assertEquals(expectedOffset, c.offset(), "contiguous offsets");
            expectedOffset = c.end();
            byte[] b = new byte[c.length()];
            c.data().get(b);
            out.write(b, 0, b.length);
        }
        assertArrayEquals(data, out.toByteArray());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void oneChunkPerRequest(String name) throws Exception {
        Path file = dir.resolve("req");
        TestFiles.create(file, 5 * CHUNK, 1);
        FileEngine e = engine(name);
        List<ByteBuffer> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch completed = new java.util.concurrent.CountDownLatch(1);
        BaseSubscriber<ByteBuffer> sub = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // no demand yet
            }

            @Override
            protected void hookOnNext(ByteBuffer b) {
                got.add(b);
            }

            @Override
            protected void hookOnComplete() {
                completed.countDown();
            }
        };
        FileFlux.read(file, ReadOptions.defaults().engine(e)).subscribe(sub);
        // causal, not timed: with no outstanding demand nothing is read at all, so once the reads asked
        // for have completed (nothing in flight) no chunk beyond the demand can ever come
        assertEquals(0, e.stats().submitted(), "a read was submitted without demand");
        long[] steps = {1, 1, 3};
        long requested = 0;
        for (long n : steps) {
            sub.request(n);
            requested += n;
            long want = requested;
            TestFiles.await(Duration.ofSeconds(60), want + " chunks", () -> got.size() >= want);
            TestFiles.await(Duration.ofSeconds(60), "nothing in flight", () -> e.stats().inFlight() == 0);
            assertEquals(want, got.size(), "chunks beyond the demand");
            assertEquals(want, e.stats().submitted(), "reads beyond the demand");
        }
        assertTrue(got.stream().allMatch(b -> b.remaining() == CHUNK));
        sub.request(1); // the end of file is learned against demand too
        assertTrue(completed.await(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(5, got.size());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void unboundedDemandWithASlowSubscriberHoldsAtMostMaxInFlightChunks(String name) throws Exception {
        Path file = dir.resolve("slow");
        byte[] data = TestFiles.create(file, 40 * 16 * 1024, 2);
        BufferPool pool = new BufferPool(16 * 1024, 64);
        int maxInFlight = 4;
        AtomicLong maxHeld = new AtomicLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileFlux.read(file, ReadOptions.defaults().engine(engine(name)).pooled(pool).maxInFlight(maxInFlight))
                .doOnNext(b -> {
                    // the buffer in hand plus every read in flight or waiting to be emitted
                    maxHeld.accumulateAndGet(pool.outstanding(), Math::max);
                    sleep(3);
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.write(bytes, 0, bytes.length);
                    pool.release(b);
                })
                .blockLast(Duration.ofSeconds(60));
        assertArrayEquals(data, out.toByteArray());
        assertTrue(maxHeld.get() <= maxInFlight + 1, "held " + maxHeld.get() + " buffers");
        assertEquals(0, pool.outstanding(), "every pooled buffer is back");
        assertTrue(pool.allocated() <= maxInFlight + 1, "allocated " + pool.allocated());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aPoolTooSmallForTheReadsInFlightFailsClearlyAndClosesTheFile(String name) throws Exception {
        Path file = dir.resolve("small-pool");
        TestFiles.create(file, 16 * 4096, 4);
        BufferPool pool = new BufferPool(4096, 2, 2);
        // the first acquire past the capacity fails the stream, whatever the subscriber does
        Exception error = assertThrows(Exception.class, () -> FileFlux.read(file,
                        ReadOptions.defaults().engine(engine(name)).pooled(pool).maxInFlight(4))
                .doOnNext(pool::release)
                .blockLast(Duration.ofSeconds(60)));
        Throwable cause = error.getCause() != null && !(error instanceof java.io.IOException) ? error.getCause() : error;
        assertInstanceOf(java.io.IOException.class, cause, String.valueOf(error));
        assertTrue(cause.getMessage().contains(file.toString()), cause.getMessage());
        assertTrue(cause.getMessage().contains("4 reads in flight"), cause.getMessage());
        assertTrue(cause.getMessage().contains("BufferPool exhausted: all 2 of its 4096-byte buffers"), cause.getMessage());
        assertInstanceOf(io.fileflux.core.PoolExhaustedException.class, cause.getCause());
        assertFalse(TestFiles.isOpen(file), "the file is closed before onError");
        assertEquals(0, pool.outstanding(), "every pooled buffer is back");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void demandIsNeverExceededAndReadsStayWithinDemand(String name) throws Exception {
        Path file = dir.resolve("demand");
        TestFiles.create(file, 100 * 4096, 3);
        BufferPool pool = new BufferPool(4096, 64);
        AtomicLong requested = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicInteger violations = new AtomicInteger();
        FileFlux.read(file, ReadOptions.defaults().engine(engine(name)).pooled(pool).maxInFlight(16))
                .subscribe(new BaseSubscriber<>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                        requested.addAndGet(2);
                        s.request(2);
                    }

                    @Override
                    protected void hookOnNext(ByteBuffer b) {
                        if (received.incrementAndGet() > requested.get()) {
                            violations.incrementAndGet();
                        }
                        // outstanding demand is 1 or 0 here: nothing else may be read or reading
                        if (pool.outstanding() > 1 + (requested.get() - received.get())) {
                            violations.incrementAndGet();
                        }
                        pool.release(b);
                        if (received.get() % 2 == 0) {
                            requested.addAndGet(2);
                            request(2);
                        }
                    }
                });
        TestFiles.await(Duration.ofSeconds(30), "all chunks", () -> received.get() == 100);
        assertEquals(0, violations.get());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void cancelMidStreamClosesTheFileAndLeavesNoOpInFlight(String name) throws Exception {
        Path file = dir.resolve("cancel");
        TestFiles.create(file, 20 * 1024 * 1024, 4);
        FileEngine e = engine(name);
        var fdsBefore = TestFiles.fdSnapshot();
        BufferPool pool = new BufferPool(CHUNK, 64);
        AtomicInteger seen = new AtomicInteger();
        StepVerifier.create(FileFlux.read(file, ReadOptions.defaults().engine(e).pooled(pool).maxInFlight(16))
                        .doOnNext(pool::release), 0)
                .thenRequest(100)
                .expectNextCount(100)
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> seen.incrementAndGet() < 20)
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        TestFiles.await(Duration.ofSeconds(10), "cancelled reads completed and file closed",
                () -> e.stats().inFlight() == 0 && e.stats().openDevices() == 0);
        assertFalse(TestFiles.isOpen(file));
        TestFiles.awaitNoFdOpenedSince(fdsBefore, Duration.ofSeconds(5));
        // the handle closes on the engine thread after the last cancelled read's callback; the drain that
        // returns those reads' buffers runs after it, on a delivery thread
        TestFiles.await(Duration.ofSeconds(30), "buffers of cancelled reads returned to the pool: " + pool,
                () -> pool.outstanding() == 0);
    }

    /**
     * A FIFO is read like {@code cat} reads it: each chunk is emitted as soon as the writer wrote it
     * (not held back until the chunk is full), offsets count the bytes received, and the Flux
     * completes when the writer closes.
     */
    @ParameterizedTest
    @MethodSource("engines")
    void fifoChunksArriveAsWrittenAndTheFluxCompletesWhenTheWriterCloses(String name) throws Exception {
        Path fifo = dir.resolve("pipe");
        assumeTrue(TestFiles.mkfifo(fifo), "named pipes of the POSIX kind");
        FileEngine e = engine(name);
        java.util.concurrent.CompletableFuture<java.io.OutputStream> writer = TestFiles.fifoWriter(fifo);
        StepVerifier.create(FileFlux.readChunks(fifo, ReadOptions.defaults().engine(e).chunkSize(64 * 1024)))
                .then(() -> write(writer, "hello "))
                .assertNext(c -> {
                    assertEquals(0, c.offset());
                    assertEquals("hello ", java.nio.charset.StandardCharsets.UTF_8.decode(c.data()).toString());
                })
                .then(() -> write(writer, "world"))
                .assertNext(c -> {
                    assertEquals(6, c.offset());
                    assertEquals("world", java.nio.charset.StandardCharsets.UTF_8.decode(c.data()).toString());
                })
                .then(() -> {
                    try {
                        writer.join().close();
                    } catch (java.io.IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                })
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    private static void write(java.util.concurrent.CompletableFuture<java.io.OutputStream> writer, String text) {
        try {
            java.io.OutputStream out = writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void takeCancelsUpstream(String name) throws Exception {
        Path file = dir.resolve("take");
        TestFiles.create(file, 10 * CHUNK, 4);
        assertEquals(3, FileFlux.read(file, ReadOptions.defaults().engine(engine(name))).take(3).count()
                .block(Duration.ofSeconds(10)));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void outOfOrderCompletionsAndShortReadsStillDeliverInOrder(String name) throws Exception {
        Path file = dir.resolve("ooo");
        byte[] data = TestFiles.create(file, 3 * 1024 * 1024 + 17, 6);
        FaultyEngine faulty = FaultyEngine.reads(engine(name), 3000, -1, 4);
        List<FileChunk> chunks = FileFlux.readChunks(file, ReadOptions.defaults().engine(faulty).chunkSize(8192)
                .maxInFlight(8)).collectList().block(Duration.ofSeconds(60));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> shortChunks = new java.util.ArrayList<>();
        long expected = 0;
        for (FileChunk c : chunks) {
            if (c.length() != 8192) {
                shortChunks.add(c.length());
            }
            assertEquals(expected, c.offset());
            expected = c.end();
            byte[] b = new byte[c.length()];
            c.data().get(b);
            out.write(b, 0, b.length);
        }
        assertArrayEquals(data, out.toByteArray());
        assertEquals(List.of(17), shortChunks, "short reads are continued, not emitted as short chunks");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void chunksBeforeAFailingOffsetArriveThenTheError(String name) throws Exception {
        Path file = dir.resolve("eio");
        TestFiles.create(file, 10 * 4096, 7);
        FaultyEngine faulty = FaultyEngine.reads(engine(name), 0, 5 * 4096 + 100, 3);
        StepVerifier.create(FileFlux.readChunks(file, ReadOptions.defaults().engine(faulty).chunkSize(4096)
                        .maxInFlight(8)))
                .expectNextMatches(c -> c.offset() == 0)
                .expectNextMatches(c -> c.offset() == 4096)
                .expectNextMatches(c -> c.offset() == 2 * 4096)
                .expectNextMatches(c -> c.offset() == 3 * 4096)
                .expectNextMatches(c -> c.offset() == 4 * 4096)
                .expectErrorSatisfies(err -> {
                    FileIoException io = assertInstanceOf(FileIoException.class, err);
                    assertEquals(file, io.path());
                    assertEquals(5 * 4096, io.offset());
                    assertEquals("EIO", io.errorName());
                    assertTrue(io.getMessage().contains(file.toString()), io.getMessage());
                })
                .verify(Duration.ofSeconds(10));
        assertFalse(TestFiles.isOpen(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aRealKernelErrorCarriesPathOffsetAndCode(String name) throws Exception {
        Path mem = Path.of("/proc/self/mem");
        assumeTrue(!TestFiles.isWindows() && Files.isReadable(mem), "Linux /proc/self/mem");
        // page 0 of the address space is never mapped: the kernel answers EIO
        StepVerifier.create(FileFlux.read(mem, ReadOptions.defaults().engine(engine(name)).length(4096)))
                .expectErrorSatisfies(err -> {
                    FileIoException io = assertInstanceOf(FileIoException.class, err);
                    assertEquals(0, io.offset());
                    assertEquals(mem, io.path());
                })
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void openFailuresAreJavaNioFileExceptions(String name) throws Exception {
        ReadOptions opts = ReadOptions.defaults().engine(engine(name));
        StepVerifier.create(FileFlux.read(dir.resolve("missing"), opts))
                .expectError(NoSuchFileException.class).verify(Duration.ofSeconds(5));
        StepVerifier.create(FileFlux.read(dir, opts))
                .expectErrorSatisfies(e -> assertInstanceOf(FileSystemException.class, e))
                .verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void unreadableFileIsAccessDenied(String name) throws Exception {
        assumeFalse(TestFiles.isRoot() || TestFiles.isWindows(), "root reads every file; POSIX permissions");
        Path file = dir.resolve("secret");
        TestFiles.create(file, 10, 1);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        StepVerifier.create(FileFlux.read(file, ReadOptions.defaults().engine(engine(name))))
                .expectError(AccessDeniedException.class).verify(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void pooledBuffersAllComeBackAfterCompletionAndAfterAnError(String name) throws Exception {
        Path file = dir.resolve("pooled");
        byte[] data = TestFiles.create(file, 1_000_000, 8);
        BufferPool pool = new BufferPool(32 * 1024, 16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileFlux.read(file, ReadOptions.defaults().engine(engine(name)).pooled(pool).maxInFlight(8))
                .doOnNext(b -> {
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.write(bytes, 0, bytes.length);
                    pool.release(b);
                }).blockLast(Duration.ofSeconds(30));
        assertArrayEquals(data, out.toByteArray());
        assertEquals(0, pool.outstanding());

        FaultyEngine faulty = FaultyEngine.reads(engine, 0, 500_000, 1);
        StepVerifier.create(FileFlux.read(file, ReadOptions.defaults().engine(faulty).pooled(pool).maxInFlight(8))
                        .doOnNext(pool::release))
                .thenConsumeWhile(b -> true)
                .expectError(FileIoException.class)
                .verify(Duration.ofSeconds(10));
        assertEquals(0, pool.outstanding());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void emitsOnTheEngineThreadNotTheCaller(String name) throws Exception {
        Path file = dir.resolve("thread");
        TestFiles.create(file, 300 * 4096, 9);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        // a chunk emitted by another thread than the caller waits until subscribe() has returned, so that some
        // chunks are surely emitted after it (a descheduled caller once saw the whole file emitted meanwhile)
        java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
        Thread caller = Thread.currentThread();
        FileFlux.read(file, ReadOptions.defaults().engine(engine(name)).maxInFlight(1).chunkSize(4096))
                .doOnNext(b -> {
                    if (Thread.currentThread() != caller) {
                        try {
                            returned.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (subscribed.get()) {
                        threads.add(Thread.currentThread().getName());
                    }
                })
                .doFinally(signal -> done.countDown())
                .subscribe();
        // once subscribe() has returned, every chunk is emitted by the completion that produced it:
        // on one of the engine's own threads (before that, the subscribing thread may drain too)
        subscribed.set(true);
        returned.countDown();
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(threads.isEmpty(), "chunks emitted after subscribe() returned");
        assertTrue(threads.stream().allMatch(t -> t.startsWith("fileflux-")), threads.toString());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readsWithODirectInEveryBufferMode(String name) throws Exception {
        Path file = dir.resolve("odirect");
        byte[] data = TestFiles.create(file, 1_000_003, 21);
        FileEngine e = engine(name);
        ReadOptions direct = ReadOptions.defaults().engine(e).chunkSize(64 * 1024)
                .openOptions(io.fileflux.core.FilefluxOption.DIRECT);
        try {
            FileFlux.read(file, direct.bufferMode(BufferMode.DIRECT).length(4096)).blockLast(Duration.ofSeconds(10));
        } catch (RuntimeException refused) {
            assumeTrue(false, "this file system refuses O_DIRECT: " + refused);
        }
        BufferPool pool = new BufferPool(64 * 1024, 8);
        for (ReadOptions opts : List.of(direct, direct.bufferMode(BufferMode.DIRECT), direct.pooled(pool))) {
            assertArrayEquals(data, collectReleasing(FileFlux.read(file, opts), opts.pool()), opts.toString());
            // a range that ends inside a block: whole blocks are read, the range is what is emitted
            assertArrayEquals(Arrays.copyOfRange(data, 8192, 8192 + 70_001),
                    collectReleasing(FileFlux.read(file, opts.range(8192, 70_001)), opts.pool()), opts.toString());
        }
        assertEquals(0, pool.outstanding());
    }

    static byte[] collectReleasing(Flux<ByteBuffer> flux, BufferPool pool) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flux.doOnNext(b -> {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes, 0, bytes.length);
            if (pool != null) {
                pool.release(b);
            }
        }).blockLast(Duration.ofSeconds(60));
        return out.toByteArray();
    }

    @Test
    void badArgumentsFailAtAssembly() {
        Path file = dir.resolve("x");
        assertThrows(NullPointerException.class, () -> FileFlux.read(null));
        assertThrows(NullPointerException.class, () -> FileFlux.read(file, null));
        IllegalArgumentException chunk = assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.defaults().chunkSize(0));
        assertTrue(chunk.getMessage().contains("chunkSize"), chunk.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().maxInFlight(0));
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().position(-1));
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().length(-5));
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().engine("no-such-engine"));
        assertThrows(IllegalArgumentException.class, () -> FileFlux.read(file, ReadOptions.defaults()
                .openOptions(io.fileflux.core.FilefluxOption.DIRECT).chunkSize(1000)));
        assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.defaults().openOptions(java.nio.file.StandardOpenOption.WRITE));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void nonPositiveRequestIsAnError(String name) throws Exception {
        Path file = dir.resolve("neg");
        TestFiles.create(file, 10 * CHUNK, 9);
        AtomicReference<Throwable> error = new AtomicReference<>();
        FileFlux.read(file, ReadOptions.defaults().engine(engine(name))).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(0);
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.set(t);
            }
        });
        TestFiles.await(Duration.ofSeconds(5), "onError", () -> error.get() != null);
        assertInstanceOf(IllegalArgumentException.class, error.get());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aChunksLengthAndEndDoNotMoveWhenItsBufferIsRead() throws Exception {
        Path file = dir.resolve("twelve");
        Files.writeString(file, "twelve bytes");
        FileChunk chunk = FileFlux.readChunks(file, ReadOptions.defaults()).blockFirst(Duration.ofSeconds(10));
        chunk.data().get(new byte[5]);
        assertEquals(12, chunk.length());
        assertEquals(12, chunk.end());
    }

    @Test
    void aPoolSmallerThanTheChunkSizeIsRefusedWhenThePipelineIsAssembled() {
        BufferPool pool = new BufferPool(64 * 1024, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.defaults().pooled(pool).chunkSize(1 << 20));
        assertTrue(e.getMessage().contains("larger than the pool's buffers"), e.getMessage());
        assertEquals(32 * 1024, ReadOptions.defaults().pooled(pool).chunkSize(32 * 1024).chunkSize());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().chunkSize(Integer.MAX_VALUE));
        assertEquals(0, pool.outstanding());
    }

    /**
     * A huge chunk size on a small file allocates what the file holds plus a small end-of-file probe,
     * not the chunk size (measured as bytes allocated by every thread of the JVM during the read).
     */
    @ParameterizedTest
    @MethodSource("engines")
    void aHugeChunkSizeOnASmallFileAllocatesLittle(String name) throws Exception {
        Path file = dir.resolve("small");
        byte[] data = TestFiles.create(file, 12_000, 9);
        FileEngine e = engine(name);
        long before = allocatedByAllThreads();
        byte[] got = concat(FileFlux.read(file, ReadOptions.defaults().engine(e).chunkSize(512 << 20))
                .collectList().block(Duration.ofSeconds(30)));
        long allocated = allocatedByAllThreads() - before;
        assertArrayEquals(data, got);
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes for a 12 KB file");
    }

    private static long allocatedByAllThreads() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long n = threads.getThreadAllocatedBytes(id);
            sum += Math.max(0, n);
        }
        return sum;
    }

    private static byte[] concat(List<ByteBuffer> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : chunks) {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }
}
