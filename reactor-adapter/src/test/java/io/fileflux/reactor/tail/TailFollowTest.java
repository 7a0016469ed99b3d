package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.lines.Terminator;
import io.fileflux.reactor.tail.TailWriter.Style;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/**
 * Following real files through appends, rotations (four styles, with a concurrent writer), truncation
 * and restarts from checkpoints, on every engine available here. No timing assertions: waits are
 * bounded only to fail instead of hanging.
 */
class TailFollowTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    FileEngine engine;
    /** {@link #engine} as the tail sees it: remembers the devices it handed out ({@link #awaitTailHolds}). */
    RecordingEngine recording;
    final List<Disposable> subscriptions = new ArrayList<>();

    static List<String> engines() {
        return Engines.probeAll().stream().filter(EngineStatus::available).map(EngineStatus::name)
                .collect(Collectors.toList());
    }

    static Stream<Arguments> enginesAndStyles() {
        return engines().stream().flatMap(e -> Stream.of(Style.values()).map(s -> Arguments.of(e, s)));
    }

    static Stream<Arguments> enginesAndWatch() {
        return engines().stream().flatMap(e -> Stream.of(Arguments.of(e, true), Arguments.of(e, false)));
    }

    TailOptions options(String engineName) {
        engine = Engines.create(engineName);
        recording = new RecordingEngine(engine);
        return TailOptions.defaults().engine(recording).pollInterval(Duration.ofMillis(50));
    }

    @AfterEach
    void noLeaks() {
        subscriptions.forEach(Disposable::dispose);
        if (engine != null) {
            TestFiles.await(WAIT, "every device closed", () -> engine.stats().openDevices() == 0);
            engine.close();
        }
    }

    /** Subscribes, collecting line texts (unbounded demand). */
    List<String> collect(reactor.core.publisher.Flux<TailLine> lines) {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        subscriptions.add(lines.subscribe(l -> got.add(l.text())));
        return got;
    }

    static void awaitSize(List<?> list, int n) {
        TestFiles.await(WAIT, n + " items (have " + list.size() + ")", () -> list.size() >= n);
    }

    @ParameterizedTest
    @MethodSource("enginesAndWatch")
    void appendsAreSeenWhileFollowing(String engineName, boolean watch) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "before\n");
        List<String> got = collect(FileFlux.tailLines(log, options(engineName).watch(watch), LineOptions.defaults()));
        awaitSize(got, 1);
        List<String> expected = new ArrayList<>(List.of("before"));
        try (TailWriter w = new TailWriter(log)) {
            for (int i = 0; i < 50; i++) {
                w.line("append " + i);
                expected.add("append " + i);
                if (i % 10 == 0) {
                    awaitSize(got, expected.size()); // seen while following, not only at the end
                }
            }
        }
        awaitSize(got, expected.size());
        assertEquals(expected, new ArrayList<>(got));
    }

    @ParameterizedTest
    @MethodSource("enginesAndStyles")
    void rotationWithConcurrentWriterDeliversEverythingOnceInOrder(String engineName, Style style) throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        List<String> got = collect(FileFlux.tailLines(log, options(engineName).onEvent(events::add),
                LineOptions.defaults()));
        List<String> expected = new ArrayList<>();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (TailWriter w = new TailWriter(log)) {
                Random rnd = new Random(42);
                for (int round = 0; round < 4; round++) {
                    if (style != Style.COPYTRUNCATE) {
                        // not waiting for the consumer: only for the tail to have seen this generation
                        awaitTailHolds(log);
                    }
                    for (int i = 0; i < 400; i++) {
                        String line = "r" + round + " line " + i + " " + "x".repeat(rnd.nextInt(80));
                        w.line(line);
                        expected.add(line);
                    }
                    if (style == Style.COPYTRUNCATE) {
                        // copytruncate loses what the tail has not read before the truncation, and a
                        // truncation is only visible while the file is shorter than the offset read
                        int n = expected.size();
                        awaitSize(got, n);
                        long truncations = events.stream().filter(e -> e.kind() == TailEvent.Kind.TRUNCATED).count();
                        w.rotate(style);
                        TestFiles.await(WAIT, "truncation seen", () -> events.stream()
                                .filter(e -> e.kind() == TailEvent.Kind.TRUNCATED).count() > truncations);
                    } else {
                        String split = "split across rotation " + round;
                        w.write(split.substring(0, 9));
                        w.rotate(style);
                        w.line(split.substring(9));
                        expected.add(split);
                    }
                }
            } catch (Throwable t) {
                writerError.set(t);
            }
        });
        writer.start();
        writer.join(WAIT.toMillis());
        assertEquals(null, writerError.get());
        try {
            awaitSize(got, expected.size());
        } catch (AssertionError e) {
            System.err.println("DEBUG events " + events + " last got " + got.get(got.size() - 1));
            try (var ls = Files.list(dir)) {
                ls.forEach(p -> { try { System.err.println("DEBUG " + p + " " + Files.getAttribute(p, "unix:ino") + " " + Files.size(p)); } catch (Exception x) { } });
            }
            throw e;
        }
        assertEquals(expected, new ArrayList<>(got));
        TailEvent.Kind kind = style == Style.COPYTRUNCATE ? TailEvent.Kind.TRUNCATED : TailEvent.Kind.ROTATED;
        assertEquals(4, events.stream().filter(e -> e.kind() == kind).count(), events.toString());
        if (style != Style.COPYTRUNCATE) {
            // the old files are closed once read to their end
            TestFiles.await(WAIT, "one device open", () -> engine.stats().openDevices() == 1);
        }
    }

    @ParameterizedTest
    @MethodSource("enginesAndStyles")
    void restartFromCheckpointResumesAfterTheLastAcknowledgedLine(String engineName, Style style) throws Exception {
        Path log = dir.resolve("app.log");
        Path store = dir.resolve("app.ckpt");
        List<String> before = new ArrayList<>();
        try (TailWriter w = new TailWriter(log)) {
            for (int i = 0; i < 300; i++) {
                before.add("old " + i + " " + "y".repeat(i % 13));
                w.line(before.get(i));
            }
        }
        TailOptions base = options(engineName);
        // first run: the consumer acknowledges 120 lines, receives more, then stops
        Checkpointer first = Checkpointer.to(CheckpointStore.file(store));
        AtomicInteger acked = new AtomicInteger();
        List<String> got1 = Collections.synchronizedList(new ArrayList<>());
        Disposable run1 = FileFlux.tailLines(log, base.checkpointer(first), LineOptions.defaults())
                .subscribe(l -> {
                    got1.add(l.text());
                    if (acked.get() < 120) {
                        l.ack();
                        acked.incrementAndGet();
                    }
                });
        awaitSize(got1, 300);
        run1.dispose();
        assertEquals(before.subList(0, 120).size(), acked.get());

        // stopped: rotation happens, new lines are written
        List<String> after = new ArrayList<>();
        try (TailWriter w = new TailWriter(log)) {
            w.rotate(style);
            for (int i = 0; i < 40; i++) {
                after.add("new " + i);
                w.line(after.get(i));
            }
        }

        List<TailEvent> events = new CopyOnWriteArrayList<>();
        Checkpointer second = Checkpointer.to(CheckpointStore.file(store));
        assertEquals(CheckpointStore.file(store).load(), second.committed());
        List<String> got2 = collect(FileFlux.tailLines(log, base.checkpointer(second).onEvent(events::add),
                LineOptions.defaults()));
        List<String> expected = new ArrayList<>();
        if (style == Style.RENAME || style == Style.SHIFT || style == Style.VANISH) {
            // the checkpoint's file is found under its new name and finished first
            expected.addAll(before.subList(120, 300));
            assertTrue(waitFor(events, TailEvent.Kind.RESUMED_ROTATED));
        } else {
            // deleted, or truncated below the checkpoint: what followed the checkpoint is gone
            assertTrue(waitFor(events, TailEvent.Kind.CHECKPOINT_LOST));
        }
        expected.addAll(after);
        awaitSize(got2, expected.size());
        assertEquals(expected, new ArrayList<>(got2));
    }

    /**
     * The burst scenarios; {@code -Dfileflux.test.burstRepeats=N} repeats each N times (default once), to
     * hunt races on a loaded machine.
     */
    static Stream<Arguments> burstCases() {
        int repeats = Integer.getInteger("fileflux.test.burstRepeats", 1);
        return java.util.stream.IntStream.range(0, repeats).boxed().flatMap(i -> burstCasesOnce());
    }

    private static Stream<Arguments> burstCasesOnce() {
        return engines().stream().flatMap(e -> Stream.of(
                Arguments.of(e, Style.RENAME, true),
                Arguments.of(e, Style.SHIFT, true),
                Arguments.of(e, Style.DELETE, true),
                Arguments.of(e, Style.VANISH, true),
                Arguments.of(e, Style.SHIFT, false)));
    }

    /**
     * The consumer reads part of the first file, then grants no demand while the writer rotates five
     * times in a row (never waiting for the consumer), then reads slowly, a chunk at a time: every
     * generation is read in full, in order, exactly once, though all but the last were rotated away
     * (renamed, renamed again, or deleted) long before the consumer got to them.
     */
    @ParameterizedTest(name = "{0} {1} watch={2}")
    @MethodSource("burstCases")
    void burstOfRotationsBehindASlowConsumerLosesNothing(String engineName, Style style, boolean watch)
            throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        SlowChunkConsumer consumer = new SlowChunkConsumer();
        FileFlux.tail(log, options(engineName).watch(watch).chunkSize(512).onEvent(events::add)).subscribe(consumer);
        subscriptions.add(consumer);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        int rotations = 5;
        try (TailWriter w = new TailWriter(log)) {
            writeLines(w, written, "gen0", 300);
            consumer.grant(4); // the tail is in the middle of the first file...
            TestFiles.await(WAIT, "4 chunks", () -> consumer.chunks.get() == 4);
            for (int gen = 1; gen <= rotations; gen++) {
                // ...and stays there while the writer rotates again and again; the writer waits only for the
                // tail to have *seen* the file at the path (it holds it open), never for the consumer
                awaitTailHolds(log);
                w.write("split across rotation ");
                written.writeBytes("split across rotation ".getBytes(StandardCharsets.UTF_8));
                w.rotate(style);
                writeLines(w, written, "gen" + gen, 100 + 50 * gen);
            }
            assertEquals(4, consumer.chunks.get(), "no demand was granted during the rotations");
            consumer.slowly(); // now a chunk at a time, with pauses, while the writer appends to the live file
            writeLines(w, written, "live", 200);
        }
        try {
            TestFiles.await(WAIT, written.size() + " bytes", () -> consumer.received.size() >= written.size());
        } catch (AssertionError e) {
            // what a stall looked like, for the next one
            throw new AssertionError(e.getMessage() + "; have " + consumer.received.size() + " bytes in "
                    + consumer.chunks.get() + " chunks; engine " + engine.stats() + "; events " + events, e);
        }
        assertEquals(new String(written.toByteArray(), StandardCharsets.UTF_8),
                new String(consumer.received.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(rotations, events.stream().filter(e -> e.kind() == TailEvent.Kind.ROTATED).count(),
                events.toString());
        assertFalse(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.SKIPPED), events.toString());
        assertFalse(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.MISSED), events.toString());
        TestFiles.await(WAIT, "only the live file open", () -> engine.stats().openDevices() == 1);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void beyondMaxPendingFilesTheOldestWaitingFilesAreSkippedAndReported(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        SlowChunkConsumer consumer = new SlowChunkConsumer();
        FileFlux.tail(log, options(engineName).maxPendingFiles(2).chunkSize(512).onEvent(events::add))
                .subscribe(consumer);
        subscriptions.add(consumer);
        List<ByteArrayOutputStream> gens = new ArrayList<>();
        try (TailWriter w = new TailWriter(log)) {
            for (int gen = 0; gen <= 5; gen++) {
                if (gen > 0) {
                    awaitTailHolds(log);
                    w.rotate(Style.RENAME);
                }
                gens.add(new ByteArrayOutputStream());
                writeLines(w, gens.get(gen), "gen" + gen, 100);
            }
            // the consumer has granted no demand: the tail still is at the start of gen0, gen1..gen5 were
            // seen; only the last two may wait, so gen1, gen2 and gen3 are skipped as gen3..gen5 arrive
            TestFiles.await(WAIT, "3 skipped", () -> events.stream()
                    .filter(e -> e.kind() == TailEvent.Kind.SKIPPED).count() == 3);
            consumer.slowly();
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int gen : new int[] {0, 4, 5}) {
            expected.writeBytes(gens.get(gen).toByteArray());
        }
        TestFiles.await(WAIT, expected.size() + " bytes", () -> consumer.received.size() >= expected.size());
        assertEquals(new String(expected.toByteArray(), StandardCharsets.UTF_8),
                new String(consumer.received.toByteArray(), StandardCharsets.UTF_8));
        List<TailEvent> skipped = events.stream().filter(e -> e.kind() == TailEvent.Kind.SKIPPED)
                .collect(Collectors.toList());
        for (int i = 0; i < 3; i++) {
            assertEquals(gens.get(i + 1).size(), skipped.get(i).offset(), "bytes lost with " + skipped.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void cancelClosesTheWaitingGenerationsToo(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        SlowChunkConsumer consumer = new SlowChunkConsumer();
        FileFlux.tail(log, options(engineName)).subscribe(consumer);
        try (TailWriter w = new TailWriter(log)) {
            for (int gen = 0; gen < 3; gen++) {
                writeLines(w, new ByteArrayOutputStream(), "gen" + gen, 10);
                awaitTailHolds(log);
                w.rotate(Style.SHIFT);
            }
            awaitTailHolds(log);
            // no demand granted: the first file, two rotated ones waiting, and the live one are held
            TestFiles.await(WAIT, "4 files held", () -> engine.stats().openDevices() == 4);
            consumer.dispose();
            TestFiles.await(WAIT, "every file closed after cancel", () -> engine.stats().openDevices() == 0);
            assertFalse(TestFiles.isOpen(dir.resolve("app.log.1")));
            assertFalse(TestFiles.isOpen(dir.resolve("app.log.3")));
        }
        assertEquals(0, consumer.chunks.get());
    }

    private static void writeLines(TailWriter w, ByteArrayOutputStream written, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            String line = prefix + " line " + i + " " + "z".repeat(i % 37) + "\n";
            w.write(line);
            written.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Receives chunks: no demand until told, then a few, then one at a time with short pauses. */
    static class SlowChunkConsumer extends BaseSubscriber<TailChunk> {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final AtomicInteger chunks = new AtomicInteger();
        volatile boolean slow;

        @Override
        protected void hookOnSubscribe(Subscription s) {
            // no demand yet
        }

        void grant(int n) {
            request(n);
        }

        void slowly() {
            slow = true;
            request(1);
        }

        @Override
        protected void hookOnNext(TailChunk c) {
            byte[] b = new byte[c.data().remaining()];
            c.data().get(b);
            synchronized (received) {
                received.writeBytes(b);
            }
            if (chunks.incrementAndGet() % 8 == 0) {
                try {
                    Thread.sleep(1); // slow, not timed: nothing asserts how long anything takes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (slow) {
                request(1);
            }
        }
    }

    /**
     * Waits until the tail holds {@code file} (the file now at that path) open: the engine handed it a
     * device of that identity, not closed since. Not "a second descriptor on its inode": the nio engine's
     * open holds a descriptor for a moment and drops it again when the path is rotated meanwhile, and a
     * writer that rotated on seeing it rotated away a file the tail never had (the burst test then
     * missed a whole generation under load). Needs unix file attributes; elsewhere the test is skipped.
     */
    void awaitTailHolds(Path file) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(file, "unix:dev,ino");
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("needs unix file attributes");
            return;
        }
        FileIdentity id = new FileIdentity(((Number) unix.get("dev")).longValue(),
                ((Number) unix.get("ino")).longValue());
        TestFiles.await(WAIT, "the tail holds " + file + " (" + id + ")", () -> recording.holds(id));
    }

    private static boolean waitFor(List<TailEvent> events, TailEvent.Kind kind) {
        TestFiles.await(WAIT, "event " + kind, () -> events.stream().anyMatch(e -> e.kind() == kind));
        return true;
    }

    @ParameterizedTest
    @MethodSource("engines")
    void truncationFailsUnderFailPolicy(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "one\ntwo\n");
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        subscriptions.add(FileFlux.tailLines(log, options(engineName).truncation(TruncationPolicy.FAIL),
                LineOptions.defaults()).subscribe(l -> got.add(l.text()), error::set));
        awaitSize(got, 2);
        truncate(log, 2);
        TestFiles.await(WAIT, "error", () -> error.get() != null);
        assertInstanceOf(TruncatedFileException.class, error.get());
        TestFiles.await(WAIT, "file closed", () -> !TestFiles.isOpen(log));
    }

    /** Truncates {@code file} to {@code size} bytes in place (same file, as {@code copytruncate} does). */
    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** {@code count} numbered lines ("PREFIX i"). */
    private static String lines(String prefix, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append(prefix).append(' ').append(i).append('\n');
        }
        return b.toString();
    }

    /** A tail of {@code log} in 64-byte chunks that has delivered its first chunk and waits for demand. */
    private SlowChunkConsumer afterFirstChunk(Path log, TailOptions options) {
        SlowChunkConsumer consumer = new SlowChunkConsumer();
        FileFlux.tail(log, options.chunkSize(64)).subscribe(consumer);
        subscriptions.add(consumer);
        consumer.grant(1);
        TestFiles.await(WAIT, "first chunk", () -> consumer.chunks.get() == 1);
        return consumer;
    }

    /** Grants unbounded demand and asserts that exactly {@code expected} arrives, in all. */
    private static void receivesExactly(SlowChunkConsumer consumer, String expected) {
        consumer.grant(Integer.MAX_VALUE);
        TestFiles.await(WAIT, "every byte", () -> {
            synchronized (consumer.received) {
                return consumer.received.size() >= expected.length();
            }
        });
        synchronized (consumer.received) {
            assertEquals(expected, consumer.received.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * A truncation the file's size never shows: while the tail waits for demand after its first chunk
     * (no read in flight: it reads only against demand), the file is truncated and written again past the
     * offset read. The next read sees the bytes before the offset changed: REWRITTEN at that offset, and
     * the new content from 0, whole.
     */
    @ParameterizedTest
    @MethodSource("engines")
    void aFileTruncatedAndRewrittenPastTheOffsetReadIsReadAgainFromZeroAndReported(String engineName)
            throws Exception {
        Path log = dir.resolve("app.log");
        String old = lines("old line", 20);
        Files.writeString(log, old);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        SlowChunkConsumer consumer = afterFirstChunk(log, options(engineName).onEvent(events::add));
        String rewritten = lines("NEW LINE", 40);
        Files.writeString(log, rewritten); // truncates, then writes: same file, longer than the offset read
        receivesExactly(consumer, old.substring(0, 64) + rewritten);
        List<TailEvent> rewrites = events.stream().filter(e -> e.kind() == TailEvent.Kind.REWRITTEN).toList();
        assertEquals(1, rewrites.size(), events.toString());
        assertEquals(64, rewrites.get(0).offset());
        assertFalse(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.TRUNCATED), events.toString());
    }

    /**
     * copytruncate while the tail is behind: the file is copied to {@code app.log.1} and truncated while
     * the tail waits for demand after its first chunk. The tail reads what it had not read from the copy,
     * then the file from 0 — nothing lost, nothing twice — and reports TRUNCATED with the copy's identity at
     * the offset read. Both ways a truncation is seen: a file shorter than the offset read, and one written
     * again past it.
     */
    @ParameterizedTest
    @MethodSource("enginesAndWatch")
    void copytruncateBehindTheWriterReadsTheRestFromTheCopy(String engineName, boolean rewrittenPast) throws Exception {
        Path log = dir.resolve("app.log");
        Path copy = dir.resolve("app.log.1");
        String old = lines("old line", 20);
        Files.writeString(log, old);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        SlowChunkConsumer consumer = afterFirstChunk(log, options(engineName).onEvent(events::add));
        Files.writeString(log, "old line 20\n", StandardOpenOption.APPEND); // the tail is behind by more
        Files.copy(log, copy); // logrotate's copytruncate: copy, then truncate
        truncate(log, 0);
        String fresh = lines("new line", rewrittenPast ? 30 : 2);
        Files.writeString(log, fresh, StandardOpenOption.APPEND);
        receivesExactly(consumer, old + "old line 20\n" + fresh);
        FileIdentity copyId = new FileIdentity(((Number) Files.getAttribute(copy, "unix:dev")).longValue(),
                ((Number) Files.getAttribute(copy, "unix:ino")).longValue());
        List<TailEvent> truncations = events.stream().filter(e -> e.kind() == TailEvent.Kind.TRUNCATED).toList();
        assertEquals(1, truncations.size(), events.toString());
        assertEquals(copyId, truncations.get(0).identity(), "continued in the copy");
        assertEquals(64, truncations.get(0).offset());
        assertFalse(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.ROTATED
                || e.kind() == TailEvent.Kind.REWRITTEN), events.toString());
        TestFiles.await(WAIT, "the copy closed once read", () -> !TestFiles.isOpen(copy));
    }

    /** A file beside the path that is not the copy (other bytes before the offset read) is not read. */
    @ParameterizedTest
    @MethodSource("engines")
    void aFileBesideThatIsNotTheCopyIsNotRead(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "a".repeat(63) + "\n" + "b".repeat(63) + "\n");
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        SlowChunkConsumer consumer = afterFirstChunk(log, options(engineName).onEvent(events::add));
        Files.writeString(dir.resolve("app.log.1"), "x".repeat(63) + "\n" + "y".repeat(200) + "\n");
        truncate(log, 0);
        Files.writeString(log, "new\n", StandardOpenOption.APPEND);
        receivesExactly(consumer, "a".repeat(63) + "\n" + "new\n");
        List<TailEvent> truncations = events.stream().filter(e -> e.kind() == TailEvent.Kind.TRUNCATED).toList();
        assertEquals(1, truncations.size(), events.toString());
        assertEquals(0, truncations.get(0).offset(), "restarted at 0 of the file");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aFileRewrittenPastTheOffsetReadFailsUnderFailPolicy(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "a".repeat(63) + "\n" + "b".repeat(63) + "\n");
        AtomicReference<Throwable> error = new AtomicReference<>();
        SlowChunkConsumer consumer = new SlowChunkConsumer() {
            @Override
            protected void hookOnError(Throwable t) {
                error.set(t);
            }
        };
        FileFlux.tail(log, options(engineName).chunkSize(64).truncation(TruncationPolicy.FAIL)).subscribe(consumer);
        subscriptions.add(consumer);
        consumer.grant(1);
        TestFiles.await(WAIT, "first chunk", () -> consumer.chunks.get() == 1);
        Files.writeString(log, "c".repeat(300));
        consumer.grant(Integer.MAX_VALUE);
        TestFiles.await(WAIT, "error", () -> error.get() != null);
        TruncatedFileException e = assertInstanceOf(TruncatedFileException.class, error.get());
        assertEquals(64, e.offset());
        TestFiles.await(WAIT, "file closed", () -> !TestFiles.isOpen(log));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void slowConsumerWithFastWriterStaysWithinDemandAndLosesNothing(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        int chunk = 4096;
        TailOptions opts = options(engineName).chunkSize(chunk);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicLong overDemand = new AtomicLong();
        AtomicLong maxInFlight = new AtomicLong();
        BaseSubscriber<TailChunk> slow = new BaseSubscriber<>() {
            long outstanding;
            int n;

            @Override
            protected void hookOnSubscribe(Subscription s) {
                outstanding = 1;
                request(1);
            }

            @Override
            protected void hookOnNext(TailChunk c) {
                if (--outstanding < 0 || c.data().remaining() > chunk) {
                    overDemand.incrementAndGet();
                }
                maxInFlight.accumulateAndGet(engine.stats().inFlight(), Math::max);
                byte[] b = new byte[c.data().remaining()];
                c.data().get(b);
                received.writeBytes(b);
                if (++n % 64 == 0) {
                    try {
                        Thread.sleep(5); // slow consumer: the writer runs far ahead
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                outstanding++;
                request(1);
            }
        };
        FileFlux.tail(log, opts).subscribe(slow);
        subscriptions.add(slow);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try (TailWriter w = new TailWriter(log)) {
            for (int i = 0; i < 40_000; i++) {
                String line = "fast writer line " + i + "\n";
                w.write(line);
                written.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        // no idle stop (a writer descheduled for a while on a loaded machine would end the tail early):
        // the tail follows until everything written has arrived, then the test cancels it
        TestFiles.await(WAIT, "every byte written", () -> received.size() >= written.size());
        slow.dispose();
        assertEquals(0, overDemand.get(), "emitted beyond demand or chunks larger than chunkSize");
        assertTrue(maxInFlight.get() <= 1, "reads in flight: " + maxInFlight.get());
        assertEquals(written.size(), received.size());
        assertTrue(java.util.Arrays.equals(written.toByteArray(), received.toByteArray()));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void startPositionsAndIdleStop(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "a\nb\nc\nd\ne\npartial");
        TailOptions opts = options(engineName).idleStop(Duration.ofMillis(200));
        assertEquals(List.of("d", "e", "partial"), texts(opts.startAt(StartAt.lastLines(3)), log));
        assertEquals(List.of("partial"), texts(opts.startAt(StartAt.end()), log).isEmpty()
                ? List.of("partial") : List.of("unexpected"));
        Files.writeString(log, "a\nb\nc\n");
        assertEquals(List.of("b", "c"), texts(opts.startAt(StartAt.lastLines(2)), log));
        assertEquals(List.of("a", "b", "c"), texts(opts.startAt(StartAt.lastLines(10)), log));
        assertEquals(List.of("a", "b", "c"), FileFlux.lines(log).map(TailLine::text).collectList().block());
        assertFalse(TestFiles.isOpen(log));
    }

    private static List<String> texts(TailOptions opts, Path log) {
        return FileFlux.tailLines(log, opts, LineOptions.defaults()).map(TailLine::text).collectList()
                .block(WAIT);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void incompleteLineIsFlushedAfterIdleAndCancelClosesEverything(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "whole\nhalf a li");
        List<TailLine> got = new CopyOnWriteArrayList<>();
        Disposable d = FileFlux.tailLines(log, options(engineName),
                LineOptions.defaults().flushIdle(Duration.ofMillis(100))).subscribe(got::add);
        awaitSize(got, 2);
        assertEquals("half a li", got.get(1).text());
        assertEquals(Terminator.LF, got.get(0).terminator());
        assertEquals(Terminator.NONE, got.get(1).terminator(), "flushed before its newline");
        assertEquals(Files.size(log), got.get(1).checkpoint().offset());
        try (TailWriter w = new TailWriter(log)) {
            w.line("ne");
        }
        awaitSize(got, 3);
        assertEquals("ne", got.get(2).text());
        assertEquals(Terminator.LF, got.get(2).terminator());
        assertTrue(TestFiles.isOpen(log));
        d.dispose();
        TestFiles.await(WAIT, "file closed after cancel", () -> !TestFiles.isOpen(log));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void incompleteLineIsFlushedAfterItsIdleTimeNotAtTheNextPoll(String engineName) throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "whole\n");
        List<TailLine> got = new CopyOnWriteArrayList<>();
        // a poll that never comes within the test: only the notification and the marker's own timer can
        // deliver the flush, and without that timer the wait below would hang until its bound
        Disposable d = FileFlux.tailLines(log, options(engineName).pollInterval(Duration.ofDays(1)),
                LineOptions.defaults().flushIdle(Duration.ofMillis(20))).subscribe(got::add);
        try {
            awaitSize(got, 1);
            Files.writeString(log, "half", java.nio.file.StandardOpenOption.APPEND);
            awaitSize(got, 2); // woken by the notification, flushed by the marker's own timer
            assertEquals("half", got.get(1).text());
            assertEquals(Terminator.NONE, got.get(1).terminator());
        } finally {
            d.dispose();
        }
    }
}
