package io.fileflux.reactor.tail.logrotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.TailOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * The tail against the real {@code logrotate} (Debian package; {@code .ci/run} installs it) and a writer
 * of numbered lines at about 10,000 lines/s: no line duplicated, none out of order, and none lost
 * beyond what the rotation itself destroys (copytruncate: lines written between the copy and the
 * truncation, in no file on disk). Skipped, with the reason, where logrotate is not
 * installed. Waits are bounded only to fail instead of hanging; no duration is asserted.
 */
class LogrotateTest {

    static final int LINES = 15_000;
    static final int PER_MILLI = 10;
    static final long WAIT_MS = 60_000;

    @TempDir
    Path dir;
    Path log;
    NumberedWriter writer;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<TailEvent> events = new CopyOnWriteArrayList<>();
    Disposable tail;
    int confs;

    static Path logrotate() {
        for (String p : List.of("/usr/sbin/logrotate", "/usr/bin/logrotate", "/sbin/logrotate")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(logrotate() != null,
                "logrotate is not installed (Debian package logrotate; .ci/run installs it)");
        log = dir.resolve("app.log");
        Files.createFile(log);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (tail != null) {
            tail.dispose();
        }
        if (writer != null) {
            writer.close();
        }
    }

    void startTail(TailOptions options) {
        tail = FileFlux.tailLines(log, options.onEvent(events::add), LineOptions.defaults())
                .subscribe(l -> received.add(l.text()));
    }

    static TailOptions defaults() {
        return TailOptions.defaults().pollInterval(Duration.ofMillis(50));
    }

    /**
     * The options for logrotate's {@code create} styles: logrotate renames the log and creates the new
     * one while the application still writes the renamed file, until it is told to reopen (here: once
     * logrotate has exited; for the late writer, up to 500 ms later). The lines it adds meanwhile are
     * read within the rotation grace period ({@code rotateWait}, 2 s).
     */
    static TailOptions withRotateWait() {
        return defaults().rotateWait(Duration.ofSeconds(2));
    }

    /** Runs {@code logrotate -f} on the log with these directives. */
    void rotate(String directives) throws Exception {
        Path conf = dir.resolve("logrotate-" + (confs++) + ".conf");
        Files.writeString(conf, log + " {\n  rotate 1000\n  missingok\n  " + directives.replace("\n", "\n  ")
                + "\n}\n");
        Process p = new ProcessBuilder(logrotate().toString(), "-f", "-s", dir.resolve("state").toString(),
                conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "logrotate hung");
        assertEquals(0, p.exitValue(), "logrotate failed: " + out);
    }

    void awaitWritten(long n) throws InterruptedException {
        await("line " + n + " written", () -> writer.written() >= n);
    }

    static boolean await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** The numbers received, checked to be strictly increasing (no duplicate, none out of order). */
    List<Long> receivedInOrder() {
        List<Long> got = new ArrayList<>();
        long prev = 0;
        for (String s : received) {
            long n = Long.parseLong(s);
            assertTrue(n > prev, "line " + n + " after " + prev + (n == prev ? " (duplicate)" : " (out of order)"));
            got.add(n);
            prev = n;
        }
        return got;
    }

    /** Waits for every line, then asserts none is missing, duplicated or out of order. */
    void assertEveryLineOnce(String style) throws InterruptedException {
        writer.finish();
        boolean all = await("every line", () -> received.size() >= LINES);
        List<Long> got = receivedInOrder();
        TreeSet<Long> missing = new TreeSet<>();
        for (long n = 1; n <= LINES; n++) {
            missing.add(n);
        }
        got.forEach(missing::remove);
        assertTrue(all && missing.isEmpty(), style + ": " + missing.size() + " lines lost"
                + (missing.isEmpty() ? "" : " (first " + missing.first() + ", last " + missing.last() + ")")
                + "; events " + events);
        assertEquals(LINES, got.size());
    }

    /** Rotates {@code times} times at even intervals of the writing, reopening the writer after {@code delay}. */
    void rotateWhileWriting(String directives, int times, java.util.function.LongSupplier reopenDelay)
            throws Exception {
        writer = new NumberedWriter(log, LINES, PER_MILLI).start();
        for (int i = 1; i <= times; i++) {
            awaitWritten((long) LINES * i / (times + 1));
            rotate(directives);
            writer.reopen(reopenDelay.getAsLong());
        }
    }

    @Test
    void create() throws Exception {
        startTail(withRotateWait());
        rotateWhileWriting("create", 3, () -> 0);
        assertEveryLineOnce("create");
    }

    @Test
    void compressAndDelaycompress() throws Exception {
        startTail(withRotateWait());
        rotateWhileWriting("create\ncompress\ndelaycompress", 3, () -> 0);
        assertEveryLineOnce("compress + delaycompress");
    }

    @Test
    void dateext() throws Exception {
        startTail(withRotateWait());
        writer = new NumberedWriter(log, LINES, PER_MILLI).start();
        long lastSecond = -1;
        for (int i = 1; i <= 2; i++) {
            awaitWritten((long) LINES * i / 3);
            long previous = lastSecond; // dateext names have a one-second resolution: one rotation per second
            await("the next second", () -> Instant.now().getEpochSecond() > previous);
            rotate("create\ndateext\ndateformat -%Y%m%d-%s");
            lastSecond = Instant.now().getEpochSecond(); // logrotate named its file at this second or before
            writer.reopen(0);
        }
        assertEveryLineOnce("dateext");
    }

    @Test
    void burstsOfRotations() throws Exception {
        startTail(withRotateWait());
        writer = new NumberedWriter(log, LINES, PER_MILLI).start();
        for (int burst = 1; burst <= 3; burst++) {
            awaitWritten((long) LINES * burst / 4);
            for (int r = 0; r < 4; r++) { // four rotations back to back, each generation a few lines long
                rotate("create");
                writer.reopen(0);
                long at = writer.written();
                awaitWritten(at + 5);
            }
        }
        assertNoSilentLoss("bursts");
    }

    /**
     * Bursts: every line once and in order, and a generation the tail never saw (it sat at the path only
     * between two of the tail's looks, which a loaded machine can stretch) is reported, never lost silently.
     * The last line is in the last generation, read after every earlier one it holds: once it has arrived,
     * whatever is missing is lost for good.
     */
    void assertNoSilentLoss(String style) throws InterruptedException {
        writer.finish();
        String last = NumberedWriter.line(LINES);
        assertTrue(await("the last line", () -> received.contains(last)), style + ": the last line never came; events "
                + events);
        List<Long> got = receivedInOrder();
        TreeSet<Long> missing = new TreeSet<>();
        for (long n = 1; n <= LINES; n++) {
            missing.add(n);
        }
        got.forEach(missing::remove);
        boolean reported = events.stream().anyMatch(e -> e.kind() == TailEvent.Kind.MISSED
                || e.kind() == TailEvent.Kind.SKIPPED);
        assertTrue(missing.isEmpty() || reported, style + ": " + missing.size() + " lines lost with no MISSED or SKIPPED"
                + " event (first " + (missing.isEmpty() ? "-" : missing.first()) + "); events " + events);
    }

    @Test
    void deleteAndCreate() throws Exception {
        startTail(defaults());
        writer = new NumberedWriter(log, LINES, PER_MILLI).start();
        for (int i = 1; i <= 3; i++) {
            awaitWritten((long) LINES * i / 4);
            Files.delete(log);
            writer.reopen(0);
        }
        assertEveryLineOnce("delete + create");
    }

    @Test
    void createWithAWriterReopeningUpTo500msLate() throws Exception {
        startTail(withRotateWait());
        Random random = new Random(12);
        rotateWhileWriting("create", 3, () -> 100 + random.nextInt(401));
        assertEveryLineOnce("create, late writer");
    }

    @Test
    void copytruncateLosesOnlyWhatTheRotationDestroyed() throws Exception {
        startTail(defaults());
        writer = new NumberedWriter(log, LINES, PER_MILLI).start();
        for (int i = 1; i <= 3; i++) {
            awaitWritten((long) LINES * i / 4);
            rotate("copytruncate"); // the writer keeps its descriptor (O_APPEND): it writes on at the new end
        }
        writer.finish();
        String last = NumberedWriter.line(LINES);
        assertTrue(await("the last line", () -> received.contains(last)), "the last line never arrived; events "
                + events);
        List<Long> got = receivedInOrder();
        // every line on disk: the live file and each copy, with the copy it is in
        TreeMap<Long, Path> onDisk = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("app.log")).toList()) {
                for (String s : read(f)) {
                    if (!s.isEmpty()) {
                        onDisk.put(Long.parseLong(s), f);
                    }
                }
            }
        }
        TreeSet<Long> gotSet = new TreeSet<>(got);
        int destroyed = 0;
        for (long n = 1; n <= LINES; n++) {
            if (gotSet.contains(n)) {
                continue;
            }
            Path in = onDisk.get(n);
            // what the tail had not read when the file was truncated is read from the copy
            assertTrue(in == null, "line " + n + " is in " + (in == null ? "" : in.getFileName())
                    + " but was not received; events " + events);
            destroyed++; // written between logrotate's copy and its truncation: in no file
        }
        System.out.printf("copytruncate: %d lines, %d received, %d destroyed by the rotation%n", LINES, got.size(),
                destroyed);
    }

    private static List<String> read(Path f) throws IOException {
        InputStream in = Files.newInputStream(f);
        if (f.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            return r.lines().toList();
        }
    }
}
