package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.lines.LineTooLongException;
import io.fileflux.reactor.lines.OverlongLinePolicy;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailChunk;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * The hostile-subscriber suite, run on every engine available here (and on iocp in the Windows JVM):
 * subscribers that throw, block, re-enter and race, against every publisher — read, readChunks, lines,
 * tail, tailLines and write. Each case ends by checking that nothing is left: no descriptor opened by the
 * test, no op in flight, no open device, every pooled buffer back, no temporary file, and that other
 * subscriptions on the same engine were not held up. No case depends on a wall-clock window: waits are
 * for observable states, with a generous bound that only stops a hung test.
 */
@org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES) // only stops a hung case; nothing asserts a duration
class HostileSubscriberTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final int CHUNK = 4096;
    static final int CHUNKS = 8;
    static final int LINES = 12;

    @TempDir
    Path dir;
    FileEngine engine;
    BufferPool pool;
    Map<String, String> fdsBefore;
    final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    /** Every publisher the suite attacks. */
    enum Kind {
        READ, READ_POOLED, READ_CHUNKS, LINES, TAIL, TAIL_LINES, WRITE, WRITE_ATOMIC;

        boolean isWrite() {
            return this == WRITE || this == WRITE_ATOMIC;
        }

        boolean follows() {
            return this == TAIL || this == TAIL_LINES;
        }
    }

    /** Where in the stream the subscriber throws. */
    enum Where { FIRST, MIDDLE, LAST }

    static List<String> engines() {
        return TestEngines.available();
    }

    static Stream<Arguments> enginesAndKinds() {
        return engines().stream().flatMap(e -> Stream.of(Kind.values()).map(k -> Arguments.of(e, k)));
    }

    static Stream<Arguments> throwCases() {
        return engines().stream().flatMap(e -> Stream.of(Kind.values()).flatMap(k -> Stream.of(Where.values())
                .filter(w -> !k.isWrite() || w == Where.FIRST) // a write emits one item
                .map(w -> Arguments.of(e, k, w))));
    }

    @BeforeEach
    void setUp() {
        Hooks.onErrorDropped(dropped::add);
        pool = new BufferPool(CHUNK, 16);
    }

    void useEngine(String name) {
        engine = Engines.create(name);
        fdsBefore = TestFiles.fdSnapshot(); // after the engine's own descriptors (ring, eventfd)
    }

    @AfterEach
    void nothingLeft() throws IOException {
        try {
            if (engine != null) {
                TestFiles.await(WAIT, "no device open and no op in flight: " + engine.stats(),
                        () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
                TestFiles.awaitNoFdOpenedSince(fdsBefore, WAIT);
                TestFiles.await(WAIT, "every pooled buffer back (" + pool.outstanding() + " out)",
                        () -> pool.outstanding() == 0);
                try (Stream<Path> s = Files.list(dir)) {
                    List<Path> temps = s.filter(p -> p.getFileName().toString().endsWith(".tmp"))
                            .collect(Collectors.toList());
                    assertEquals(List.of(), temps, "temporary files left");
                }
            }
        } finally {
            Hooks.resetOnErrorDropped();
            if (engine != null) {
                engine.close();
            }
        }
    }

    // ---- the publishers under attack

    Path data() throws IOException {
        Path p = dir.resolve("data.bin");
        if (!Files.exists(p)) {
            Files.write(p, TestFiles.bytes(CHUNKS * CHUNK, 42));
        }
        return p;
    }

    Path text() throws IOException {
        Path p = dir.resolve("text.log");
        if (!Files.exists(p)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < LINES; i++) {
                sb.append("line ").append(i).append('\n');
            }
            Files.writeString(p, sb);
        }
        return p;
    }

    ReadOptions readOptions() {
        return ReadOptions.defaults().engine(engine).chunkSize(CHUNK);
    }

    TailOptions tailOptions(boolean follow) {
        return TailOptions.defaults().engine(engine).chunkSize(CHUNK).follow(follow);
    }

    /** How many items {@code kind} emits from the suite's files (a follow emits this many, then waits). */
    int items(Kind kind) {
        switch (kind) {
            case LINES:
            case TAIL_LINES:
                return LINES;
            case TAIL:
                return 1; // the whole small text file in one chunk, then it waits for more
            case WRITE:
            case WRITE_ATOMIC:
                return 1;
            default:
                return CHUNKS;
        }
    }

    Path target() {
        return dir.resolve("out.bin");
    }

    /** The publisher of {@code kind}; items are whatever it emits (buffers, chunks, lines, a count). */
    Publisher<?> publisher(Kind kind) throws IOException {
        switch (kind) {
            case READ:
                return FileFlux.read(data(), readOptions());
            case READ_POOLED:
                return FileFlux.read(data(), readOptions().pooled(pool));
            case READ_CHUNKS:
                return FileFlux.readChunks(data(), readOptions());
            case LINES:
                return FileFlux.tailLines(text(), tailOptions(false), LineOptions.defaults());
            case TAIL:
                return FileFlux.tail(text(), tailOptions(true).chunkSize(1 << 16));
            case TAIL_LINES:
                return FileFlux.tailLines(text(), tailOptions(true), LineOptions.defaults());
            case WRITE:
                return FileFlux.write(FileFlux.read(data(), readOptions()), target(),
                        WriteOptions.defaults().engine(engine));
            case WRITE_ATOMIC:
                return FileFlux.write(FileFlux.read(data(), readOptions()), target(),
                        WriteOptions.defaults().engine(engine).atomic(true));
            default:
                throw new AssertionError(kind);
        }
    }

    /** Releases a pooled buffer the subscriber received (its contract); a no-op for everything else. */
    void consume(Object item) {
        if (item instanceof ByteBuffer && ((ByteBuffer) item).isDirect() && ((ByteBuffer) item).capacity() == CHUNK) {
            pool.release((ByteBuffer) item);
        }
    }

    // ---- §2.13: onNext throws

    @ParameterizedTest(name = "{0} {1} throws on the {2} item")
    @MethodSource("throwCases")
    void onNextThatThrowsCancelsTheSubscriptionAndLeaksNothing(String engineName, Kind kind, Where where)
            throws Exception {
        useEngine(engineName);
        if (kind == Kind.WRITE_ATOMIC) {
            Files.writeString(target(), "old content");
        }
        int throwAt = where == Where.FIRST ? 0 : where == Where.MIDDLE ? items(kind) / 2 : items(kind) - 1;
        RuntimeException boom = new IllegalStateException("hostile onNext");
        AtomicInteger received = new AtomicInteger();
        AtomicInteger terminals = new AtomicInteger();
        CountDownLatch threw = new CountDownLatch(1);
        @SuppressWarnings("unchecked")
        Publisher<Object> p = (Publisher<Object>) publisher(kind);
        p.subscribe(new Subscriber<Object>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
                consume(item);
                if (received.getAndIncrement() == throwAt) {
                    threw.countDown();
                    throw boom;
                }
            }

            @Override
            public void onError(Throwable t) {
                terminals.incrementAndGet();
            }

            @Override
            public void onComplete() {
                terminals.incrementAndGet();
            }
        });
        assertTrue(threw.await(WAIT.toSeconds(), TimeUnit.SECONDS), "never reached item " + throwAt);
        TestFiles.await(WAIT, "the throw routed to onErrorDropped", () -> dropped.contains(boom));
        TestFiles.await(WAIT, "the subscription cleaned up: " + engine.stats(),
                () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
        assertEquals(throwAt + 1, received.get(), "items after the throw");
        assertEquals(0, terminals.get(), "§2.13: a subscriber that threw gets no terminal signal");
        if (kind.isWrite()) {
            // the write was done before its result was delivered: the file is whole and published
            assertArrayEquals(Files.readAllBytes(data()), Files.readAllBytes(target()));
        }
        otherSubscriptionsStillWork();
    }

    // ---- mappers and decoders that throw

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndKinds")
    void aMapperThatThrowsFailsTheStreamAndLeaksNothing(String engineName, Kind kind) throws Exception {
        useEngine(engineName);
        if (kind == Kind.WRITE_ATOMIC) {
            Files.writeString(target(), "old content");
        }
        RuntimeException boom = new IllegalStateException("hostile mapper");
        AtomicInteger seen = new AtomicInteger();
        Throwable error;
        if (kind.isWrite()) {
            // the mapper sits between the read and the write: the write sees an upstream error
            Flux<ByteBuffer> source = FileFlux.read(data(), readOptions()).map(b -> {
                if (seen.incrementAndGet() == CHUNKS / 2) {
                    throw boom;
                }
                return b;
            });
            WriteOptions wo = WriteOptions.defaults().engine(engine).atomic(kind == Kind.WRITE_ATOMIC);
            error = errorOf(FileFlux.write(source, target(), wo));
        } else {
            Flux<Object> mapped = Flux.from(publisher(kind)).map(item -> {
                consume(item);
                if (seen.incrementAndGet() == Math.max(1, items(kind) / 2)) {
                    throw boom;
                }
                return item;
            });
            error = errorOf(mapped.then());
        }
        assertEquals(boom, error);
        if (kind == Kind.WRITE_ATOMIC) {
            assertEquals("old content", Files.readString(target()), "the atomic target was touched");
        }
        otherSubscriptionsStillWork();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aLineDecoderThatFailsEndsLinesAndTailLinesWithItsError(String engineName) throws Exception {
        useEngine(engineName);
        Path log = dir.resolve("long.log");
        Files.writeString(log, "short\n" + "x".repeat(10_000) + "\nafter\n");
        LineOptions strict = LineOptions.defaults().maxLineLength(100).overlong(OverlongLinePolicy.FAIL);
        for (boolean follow : new boolean[] {false, true}) {
            List<String> got = new CopyOnWriteArrayList<>();
            Throwable error = errorOf(FileFlux.tailLines(log, tailOptions(follow), strict)
                    .doOnNext(l -> got.add(l.text())).then());
            assertInstanceOf(LineTooLongException.class, error, String.valueOf(error));
            // the lines of a chunk are decoded together: those before the overlong one may be lost with it
            assertTrue(got.isEmpty() || got.equals(List.of("short")), got.toString());
        }
        otherSubscriptionsStillWork();
    }

    // ---- a subscriber that blocks delays only itself

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndKinds")
    void aSubscriberBlockedInOnNextDelaysOnlyItsOwnSubscription(String engineName, Kind kind) throws Exception {
        useEngine(engineName);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        BaseSubscriber<Object> hostile = new BaseSubscriber<Object>() {
            @Override
            protected void hookOnNext(Object item) {
                consume(item);
                blocked.countDown();
                try {
                    release.await(); // held until the other subscriptions have finished
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            protected void hookOnError(Throwable t) {
                failure.set(t);
            }

            @Override
            protected void hookFinally(reactor.core.publisher.SignalType type) {
                finished.countDown();
            }
        };
        // subscribed from a thread of its own: a drain may emit on the subscribing thread (as Reactor's
        // operators do), and that thread is about to be blocked by the hostile subscriber
        Flux<?> flux = Flux.from(publisher(kind));
        Thread subscriber = new Thread(() -> flux.subscribe(hostile), "hostile-subscriber");
        subscriber.start();
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the hostile subscriber never got an item");
        try {
            // while it is blocked: reads, lines, a tail and a write of other files on the same engine finish
            otherSubscriptionsStillWork();
        } finally {
            release.countDown();
        }
        if (kind.follows()) {
            hostile.dispose();
        } else {
            assertTrue(finished.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the released subscriber never finished");
            assertNull(failure.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aWriteWhoseReleaseCallbackBlocksDelaysOnlyItself(String engineName) throws Exception {
        useEngine(engineName);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WriteOptions hostile = WriteOptions.defaults().engine(engine).release(b -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Mono<Long> write = FileFlux.write(FileFlux.read(data(), readOptions()), target(), hostile).cache();
        // subscribed from a thread of its own: the drain may run on the subscribing thread, which the
        // release callback is about to block
        Thread subscriber = new Thread(() -> write.subscribe(n -> { }, e -> { }), "hostile-writer");
        subscriber.start();
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        try {
            otherSubscriptionsStillWork();
        } finally {
            release.countDown();
        }
        assertEquals((long) CHUNKS * CHUNK, write.block(WAIT));
    }

    // ---- re-entrant subscribers: subscribing to Fileflux from inside Fileflux signals

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void readThenTailWithLastLinesInConcatNeverDeadlocks(String engineName) throws Exception {
        useEngine(engineName);
        Path a = data();
        Path b = text();
        for (int run = 0; run < 20; run++) {
            List<String> out = FileFlux.read(a, readOptions()).map(buf -> "chunk")
                    .concatWith(FileFlux.tail(b, tailOptions(false).startAt(StartAt.lastLines(2)))
                            .map(c -> StandardCharsets.UTF_8.decode(c.data()).toString()))
                    .collectList().block(WAIT);
            assertEquals(CHUNKS + 1, out.size(), String.valueOf(out));
            assertEquals("line 10\nline 11\n", out.get(CHUNKS));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void flatMapAndSwitchMapChainsOfFilefluxPublishersComplete(String engineName) throws Exception {
        useEngine(engineName);
        Path a = data();
        Path b = text();
        long expected = Files.size(a);
        for (int run = 0; run < 10; run++) {
            // every line of one file opens a read of the other, 4 at a time
            List<Long> sizes = FileFlux.tailLines(b, tailOptions(false), LineOptions.defaults())
                    .flatMap(line -> FileFlux.read(a, readOptions()).map(ByteBuffer::remaining)
                            .reduce(0L, (x, y) -> x + y), 4)
                    .collectList().block(WAIT);
            assertEquals(LINES, sizes.size());
            assertTrue(sizes.stream().allMatch(s -> s == expected), sizes.toString());
            // each chunk switches to a new tail of the last lines: the previous one is cancelled mid-flight
            List<String> last = FileFlux.read(a, readOptions())
                    .switchMap(buf -> FileFlux.tailLines(b, tailOptions(false).startAt(StartAt.lastLines(2)),
                            LineOptions.defaults()).map(TailLine::text))
                    .collectList().block(WAIT);
            assertEquals(List.of("line 10", "line 11"), last.subList(last.size() - 2, last.size()));
            // a copy inside a flatMap: a write of a read, chained from a read
            Path copy = dir.resolve("copy-" + run);
            Long written = FileFlux.read(b, readOptions()).take(1)
                    .flatMap(buf -> FileFlux.write(FileFlux.read(a, readOptions()), copy,
                            WriteOptions.defaults().engine(engine)))
                    .single().block(WAIT);
            assertEquals(expected, written);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(copy));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void subscribingFromOnNextOnCompleteAndOnErrorWorks(String engineName) throws Exception {
        useEngine(engineName);
        Path a = data();
        Path b = text();
        long size = Files.size(a);
        CountDownLatch all = new CountDownLatch(3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Subscriber<Object> reentrant = new Subscriber<>() {
            Subscription s;
            boolean first = true;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
                if (first) {
                    first = false;
                    // from onNext: a tail with last lines, subscribed here, completed elsewhere
                    FileFlux.tailLines(b, tailOptions(false).startAt(StartAt.lastLines(2)), LineOptions.defaults())
                            .map(TailLine::text).collectList()
                            .subscribe(l -> check(l.equals(List.of("line 10", "line 11")), "tail " + l),
                                    failure::set);
                }
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
            }

            @Override
            public void onComplete() {
                // from onComplete: a write of a read
                FileFlux.write(FileFlux.read(a, readOptions()), target(), WriteOptions.defaults().engine(engine))
                        .subscribe(n -> check(n == size, "write " + n), failure::set);
            }

            private void check(boolean ok, String what) {
                if (!ok) {
                    failure.set(new AssertionError(what));
                }
                all.countDown();
            }
        };
        FileFlux.read(a, readOptions()).subscribe(reentrant);
        // from onError: the read of a file that does not exist fails; its onError starts a read
        FileFlux.read(dir.resolve("missing"), readOptions()).subscribe(x -> { }, e ->
                FileFlux.read(a, readOptions()).map(ByteBuffer::remaining).reduce(0, Integer::sum)
                        .subscribe(n -> {
                            if (n != CHUNKS * CHUNK) {
                                failure.set(new AssertionError("read from onError: " + n));
                            }
                            all.countDown();
                        }, failure::set));
        assertTrue(all.await(WAIT.toSeconds(), TimeUnit.SECONDS), "re-entrant subscriptions did not all finish: "
                + all.getCount() + " left, " + failure.get());
        assertNull(failure.get());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(target()));
    }

    // ---- requests and cancels from many threads at once

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndKinds")
    void requestsAndCancelsFromManyThreadsAtOnce(String engineName, Kind kind) throws Exception {
        useEngine(engineName);
        if (kind.isWrite()) {
            Files.writeString(target(), "old content");
        }
        for (int run = 0; run < 5; run++) {
            AtomicLong requested = new AtomicLong();
            AtomicLong received = new AtomicLong();
            AtomicInteger overDemand = new AtomicInteger();
            AtomicReference<Subscription> sub = new AtomicReference<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            Flux.from(publisher(kind)).subscribe(new Subscriber<Object>() {
                @Override
                public void onSubscribe(Subscription s) {
                    sub.set(s);
                    subscribed.countDown();
                }

                @Override
                public void onNext(Object item) {
                    consume(item);
                    if (received.incrementAndGet() > requested.get()) {
                        overDemand.incrementAndGet();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
            assertTrue(subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            Subscription s = sub.get();
            int cancelAfter = ThreadLocalRandom.current().nextInt(200);
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < 4; t++) {
                final boolean canceller = t == 0;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 100; i++) {
                        if (canceller && i == cancelAfter) {
                            s.cancel();
                        }
                        requested.incrementAndGet(); // counted before the request can be served
                        s.request(1);
                    }
                    if (canceller) {
                        s.cancel();
                    }
                });
                th.start();
                threads.add(th);
            }
            go.countDown();
            for (Thread th : threads) {
                th.join(WAIT.toMillis());
            }
            TestFiles.await(WAIT, "run " + run + " cleaned up: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            assertEquals(0, overDemand.get(), "emitted beyond demand");
        }
        if (kind == Kind.WRITE_ATOMIC) {
            String now = Files.readString(target(), StandardCharsets.ISO_8859_1);
            assertTrue(now.equals("old content") || now.length() == CHUNKS * CHUNK,
                    "the atomic target is neither the old file nor the new one");
        }
        otherSubscriptionsStillWork();
    }

    // ---- helpers

    /** The error {@code p} ends with, waiting for it with a generous bound. */
    static Throwable errorOf(Publisher<?> p) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Flux.from(p).subscribe(x -> { }, e -> {
            error.set(e);
            done.countDown();
        }, done::countDown);
        try {
            assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "never terminated");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return error.get();
    }

    /** A read, the lines, a tail and a write of other files on the same engine complete, with the right data. */
    void otherSubscriptionsStillWork() throws IOException {
        Path other = dir.resolve("other.bin");
        byte[] bytes = TestFiles.bytes(3 * CHUNK + 17, 7);
        Files.write(other, bytes);
        byte[] read = FileFlux.read(other, readOptions()).reduce(new java.io.ByteArrayOutputStream(), (out, b) -> {
            byte[] x = new byte[b.remaining()];
            b.get(x);
            out.writeBytes(x);
            return out;
        }).block(WAIT).toByteArray();
        assertArrayEquals(bytes, read);
        Path log = dir.resolve("other.log");
        Files.writeString(log, "one\ntwo\nthree\n");
        assertEquals(List.of("two", "three"), FileFlux.tailLines(log, tailOptions(false).startAt(StartAt.lastLines(2)),
                LineOptions.defaults()).map(TailLine::text).collectList().block(WAIT));
        TailChunk first = FileFlux.tail(log, tailOptions(true)).blockFirst(WAIT);
        assertEquals("one\ntwo\nthree\n", StandardCharsets.UTF_8.decode(first.data()).toString());
        Path copy = dir.resolve("other.copy");
        assertEquals(bytes.length, FileFlux.write(Flux.just(ByteBuffer.wrap(bytes)), copy,
                WriteOptions.defaults().engine(engine)).block(WAIT));
        assertArrayEquals(bytes, Files.readAllBytes(copy));
    }
}
