package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.EngineStats;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * What the tail recovers and what it reports: a checkpoint in a file that reuses the inode number, a
 * writer that keeps writing its rotated file, a generation rotated away while the tail was stopped, a
 * path missing or unreadable at the start, the last lines of a file without size, generations that
 * came and went unseen, and one shared watcher for many tails. Real files, the default engine; no
 * timing assertions.
 */
class TailRecoveryTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    FileEngine engine = Engines.create(Engines.shared().name());
    final List<Disposable> subscriptions = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        subscriptions.forEach(Disposable::dispose);
        TestFiles.await(WAIT, "every device closed: " + engine.stats(), () -> engine.stats().openDevices() == 0);
        engine.close();
    }

    TailOptions options() {
        return TailOptions.defaults().engine(engine).pollInterval(Duration.ofMillis(50));
    }

    List<String> collect(TailOptions opts, Path file) {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        subscriptions.add(FileFlux.tailLines(file, opts, LineOptions.defaults()).subscribe(l -> {
            got.add(l.text());
            l.ack();
        }));
        return got;
    }

    static void awaitSize(List<?> list, int n) {
        TestFiles.await(WAIT, n + " items (have " + list.size() + ")", () -> list.size() >= n);
    }

    static List<String> numbered(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }

    static void append(Path file, List<String> lines) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            for (String l : lines) {
                out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static long inode(Path file) throws IOException {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("needs unix file attributes");
            return -1;
        }
    }

    /** A finite run with a checkpoint store, like {@code fileflux tail --checkpoint ck f}: every line acknowledged. */
    List<String> runOnce(Path file, Path store, List<TailEvent> events) {
        Checkpointer ck = Checkpointer.to(CheckpointStore.file(store));
        List<String> got = FileFlux.tailLines(file, options().follow(false).followRotation(false).checkpointer(ck)
                        .onEvent(events::add), LineOptions.defaults())
                .doOnNext(TailLine::ack).map(TailLine::text).collectList().block(WAIT);
        ck.close();
        return got;
    }

    @Test
    void aCheckpointNeverResumesInAnotherFileThatReusesTheInodeNumber() throws Exception {
        Path log = dir.resolve("app.log");
        Path store = dir.resolve("app.ckpt");
        append(log, numbered("first file line ", 1, 50));
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        assertEquals(50, runOnce(log, store, events).size());
        TestFiles.await(WAIT, "closed", () -> engine.stats().openDevices() == 0);
        long ino = inode(log);
        // delete, then create files (kept, so that each create may take another free inode) until one
        // gets the old inode number; that one becomes the file at the path
        Files.delete(log);
        List<Path> created = new ArrayList<>();
        boolean reused = false;
        for (int i = 0; i < 500 && !reused; i++) {
            Path p = Files.createFile(dir.resolve("candidate-" + i));
            created.add(p);
            if (inode(p) == ino) {
                Files.move(p, log);
                created.remove(p);
                reused = true;
            }
        }
        for (Path p : created) {
            Files.delete(p);
        }
        Assumptions.assumeTrue(reused, "the file system did not reuse inode " + ino + " in 500 creates");
        // a different file, longer than the checkpoint's offset: resuming there would skip its start
        List<String> second = numbered("second file, another start ", 1, 80);
        append(log, second);
        List<String> got = runOnce(log, store, events);
        assertEquals(second, got);
        assertTrue(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.CHECKPOINT_LOST), events.toString());
        assertEquals(List.of(), runOnce(log, store, events), "the next run starts where this one stopped");
    }

    @Test
    void aWriterThatKeepsWritingItsRotatedFileLosesNothing() throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        RecordingEngine recording = new RecordingEngine(engine);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        // a grace longer than the test: only "the writer moved on" may end the old generation
        List<String> got = collect(options().engine(recording).rotateWait(Duration.ofMinutes(5))
                .onEvent(events::add), log);
        List<String> expected = new ArrayList<>();
        try (FileOutputStream old = new FileOutputStream(log.toFile(), true)) {
            write(old, numbered("before ", 1, 50), expected);
            awaitSize(got, 50);
            Files.move(log, dir.resolve("app.log.1"));
            Files.createFile(log); // logrotate's create: the new file exists before the writer reopens
            FileIdentity fresh = identity(log);
            TestFiles.await(WAIT, "the tail holds the new file", () -> recording.holds(fresh));
            write(old, numbered("late ", 1, 40), expected); // the writer has not reopened yet
            awaitSize(got, 90); // read: the new file grows only after this, so the writer has moved on then
        }
        try (FileOutputStream reopened = new FileOutputStream(log.toFile(), true)) {
            write(reopened, numbered("after ", 1, 30), expected);
        }
        awaitSize(got, expected.size());
        assertEquals(expected, new ArrayList<>(got));
        assertEquals(1, events.stream().filter(e -> e.kind() == TailEvent.Kind.ROTATED).count(), events.toString());
    }

    private static void write(FileOutputStream out, List<String> lines, List<String> expected) throws IOException {
        for (String l : lines) {
            out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
            expected.add(l);
        }
    }

    private static FileIdentity identity(Path file) throws IOException {
        Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino");
        return new FileIdentity(((Number) unix.get("dev")).longValue(), ((Number) unix.get("ino")).longValue());
    }

    @Test
    void aGenerationRotatedAwayWhileStoppedIsFinishedThenTheFileAtThePathFollows() throws Exception {
        Path f = dir.resolve("f");
        Path store = dir.resolve("ck");
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        append(f, numbered("", 1, 100));
        assertEquals(numbered("", 1, 100), runOnce(f, store, events));
        append(f, numbered("", 101, 105));
        assertEquals(numbered("", 101, 105), runOnce(f, store, events));
        Files.move(f, dir.resolve("f.1"));
        append(dir.resolve("f.1"), numbered("", 106, 110));
        append(f, numbered("", 111, 115));
        assertEquals(numbered("", 106, 115), runOnce(f, store, events));
        assertTrue(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.RESUMED_ROTATED), events.toString());
        assertEquals(List.of(), runOnce(f, store, events), "the checkpoint moved on to the file at the path");
        append(f, numbered("", 116, 117));
        assertEquals(numbered("", 116, 117), runOnce(f, store, events));
    }

    @Test
    void followingByNameWaitsForAMissingPathInsteadOfFailing() throws Exception {
        Path log = dir.resolve("later.log");
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        List<String> got = collect(options().onEvent(events::add), log);
        TestFiles.await(WAIT, "WAITING reported", () -> events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.WAITING));
        append(log, List.of("x", "y"));
        awaitSize(got, 2);
        assertEquals(List.of("x", "y"), new ArrayList<>(got));
        assertTrue(events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.APPEARED), events.toString());
    }

    @Test
    void followingByNameWaitsForAnUnreadableFile() throws Exception {
        Path log = dir.resolve("locked.log");
        append(log, List.of("secret"));
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(log), "running with privileges that ignore permissions");
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        List<String> got = collect(options().onEvent(events::add), log);
        TestFiles.await(WAIT, "WAITING reported", () -> events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.WAITING));
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        awaitSize(got, 1);
        assertEquals(List.of("secret"), new ArrayList<>(got));
    }

    @Test
    void notFollowingAMissingPathStillFails() {
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> FileFlux.tailLines(
                dir.resolve("none"), options().follow(false), LineOptions.defaults()).blockLast(WAIT));
        assertTrue(e instanceof java.nio.file.NoSuchFileException
                || e.getCause() instanceof java.nio.file.NoSuchFileException, e.toString());
    }

    @Test
    void lastLinesOfAFileWithoutSizeAreTheLastLines() throws Exception {
        Path proc = Path.of("/proc/filesystems");
        Assumptions.assumeTrue(Files.isReadable(proc) && Files.size(proc) == 0, "needs a size-less /proc file");
        List<String> all = Files.readAllLines(proc);
        Assumptions.assumeTrue(all.size() > 3, "too few lines in " + proc);
        List<String> got = FileFlux.tailLines(proc, options().follow(false).startAt(StartAt.lastLines(3)),
                LineOptions.defaults()).map(TailLine::text).collectList().block(WAIT);
        assertEquals(all.subList(all.size() - 3, all.size()), got);
    }

    @Test
    void generationsThatCameAndWentBetweenTwoLooksAreReportedAsMissed() throws Exception {
        Path log = dir.resolve("app.log");
        append(log, List.of("gen0"));
        GateEngine gate = new GateEngine(engine);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        List<String> got = collect(options().engine(gate).onEvent(events::add), log);
        awaitSize(got, 1);
        gate.shut(); // the probe's next open waits
        Files.move(log, dir.resolve("app.log.1"));
        append(log, List.of("gen1, never seen"));
        assertTrue(gate.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the probe looked");
        Files.move(log, dir.resolve("app.log.2"));
        append(log, List.of("gen2"));
        gate.release();
        awaitSize(got, 2);
        TestFiles.await(WAIT, "MISSED reported", () -> events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.MISSED));
        assertEquals(List.of("gen0", "gen2"), new ArrayList<>(got));
        assertEquals(1, events.stream().filter(e -> e.kind() == TailEvent.Kind.MISSED).count(), events.toString());
    }

    @Test
    void manyTailsShareOneWatcherThreadAndOneRegistrationPerDirectory() throws Exception {
        int tails = 20;
        List<List<String>> got = new ArrayList<>();
        for (int i = 0; i < tails; i++) {
            Path f = dir.resolve("f" + i + ".log");
            append(f, List.of("hello " + i));
            got.add(collect(options(), f));
        }
        for (List<String> g : got) {
            awaitSize(g, 1);
        }
        assertEquals(1, watcherThreads(), "one watcher thread for every tail");
        assertEquals(1, DirectoryWatcher.of(dir.getFileSystem()).directories());
        for (int i = 0; i < tails; i++) {
            append(dir.resolve("f" + i + ".log"), List.of("again " + i));
        }
        for (List<String> g : got) {
            awaitSize(g, 2);
        }
        subscriptions.forEach(Disposable::dispose);
        TestFiles.await(WAIT, "the watcher thread ends with the last tail", () -> watcherThreads() == 0);
    }

    private static long watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("fileflux-tail-watch")).count();
    }

    /** An engine whose {@code open} waits while its gate is closed (to hold the probe between two looks). */
    static final class GateEngine implements FileEngine {
        private final FileEngine delegate;
        private volatile CountDownLatch gate;
        final CountDownLatch blocked = new CountDownLatch(1);

        GateEngine(FileEngine delegate) {
            this.delegate = delegate;
        }

        void shut() {
            gate = new CountDownLatch(1);
        }

        void release() {
            CountDownLatch g = gate;
            gate = null;
            g.countDown();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
                throws IOException {
            CountDownLatch g = gate;
            if (g != null) {
                blocked.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted at the gate");
                }
            }
            return delegate.open(path, options, attributes);
        }

        @Override
        public EngineStats stats() {
            return delegate.stats();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
