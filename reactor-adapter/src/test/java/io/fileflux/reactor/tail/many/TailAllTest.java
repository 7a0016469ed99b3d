package io.fileflux.reactor.tail.many;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.TailOptions;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/**
 * Following many files by glob: concurrent writers with a rotation, a deletion and a file created
 * later; exclusion and age; checkpoints in a registry; fairness of the merge. Waits are bounded only
 * so that a broken build fails instead of hanging; nothing asserts a duration.
 */
class TailAllTest {

    static final long WAIT_MS = 60_000;

    @TempDir
    Path dir;

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static TailAllOptions fast(String... globs) {
        return TailAllOptions.of(globs).fileOptions(TailOptions.defaults().watch(false)
                        .pollInterval(Duration.ofMillis(20)).rotateWait(Duration.ofMillis(100)))
                .scanInterval(Duration.ofMillis(100));
    }

    /** Per file name prefix ("a", "b"...), the numbers of the lines "a 17" received, in arrival order. */
    static Map<String, List<Integer>> byWriter(List<FileLine> lines) {
        return lines.stream().collect(Collectors.groupingBy(l -> l.text().split(" ")[0],
                Collectors.mapping(l -> Integer.parseInt(l.text().split(" ")[1]), Collectors.toList())));
    }

    /**
     * The lines "name 1" .. "name n" each arrived exactly once, and in order within each file they were
     * read from (a rotated file and the new one are read side by side, so their lines interleave).
     */
    static void eachOnceInOrderPerFile(List<FileLine> lines, String name, int n) {
        Map<io.fileflux.core.FileIdentity, List<Integer>> byFile = new java.util.LinkedHashMap<>();
        List<Integer> all = new ArrayList<>();
        for (FileLine l : lines) {
            String[] f = l.text().split(" ");
            if (f[0].equals(name)) {
                int i = Integer.parseInt(f[1]);
                byFile.computeIfAbsent(l.identity(), k -> new ArrayList<>()).add(i);
                all.add(i);
            }
        }
        byFile.forEach((id, got) -> {
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i - 1) < got.get(i), name + " in " + id + ": " + got.get(i) + " after "
                        + got.get(i - 1));
            }
        });
        all.sort(null);
        assertEquals(oneTo(n), all, name + ": each line once");
    }

    static List<Integer> oneTo(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            l.add(i);
        }
        return l;
    }

    /** Writes "name 1" .. "name n" to path, calling between(i) after each line. */
    static Thread writer(Path path, String name, int n, java.util.function.IntConsumer between) {
        Thread t = new Thread(() -> {
            try {
                FileOutputStream out = new FileOutputStream(path.toFile(), true);
                for (int i = 1; i <= n; i++) {
                    out.write((name + " " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    if (i % 100 == 0) {
                        out.close();
                        between.accept(i);
                        out = new FileOutputStream(path.toFile(), true); // reopens: follows a rotation
                    }
                }
                out.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "writer-" + name);
        t.start();
        return t;
    }

    @Test
    void threeWritersOneRotatedOneDeletedOneLateEveryLineOnceInOrder() throws Exception {
        int n = 2_000;
        Path a = dir.resolve("a.log");
        Path b = dir.resolve("b.log");
        Path c = dir.resolve("c.log");
        Files.createFile(a);
        Files.createFile(b);
        List<FileLine> got = new CopyOnWriteArrayList<>();
        List<FileSetEvent> events = new CopyOnWriteArrayList<>();
        Disposable sub = FileFlux.tailAll(fast(dir + "/*.log").onFileEvent(events::add)).subscribe(got::add);
        try {
            await("a.log and b.log followed",
                    () -> events.stream().filter(e -> e.kind() == FileSetEvent.Kind.FOLLOWING).count() == 2);
            Thread wa = writer(a, "a", n, i -> {
                if (i == n / 2) {
                    try {
                        Files.move(a, dir.resolve("a.log.1")); // rotation: the old file no longer matches
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            Thread wb = writer(b, "b", n, i -> { });
            Thread wc = writer(c, "c", n, i -> { });
            wa.join();
            wb.join();
            wc.join();
            Files.delete(b);
            await("every line", () -> got.size() >= 3 * n);
            await("b.log finished",
                    () -> events.contains(new FileSetEvent(FileSetEvent.Kind.FINISHED, b, "")));
            eachOnceInOrderPerFile(got, "a", n); // two files: a.log, renamed to a.log.1 halfway, and the new a.log
            Map<String, List<Integer>> w = byWriter(got);
            assertEquals(oneTo(n), w.get("b"));
            assertEquals(oneTo(n), w.get("c"));
            assertEquals(3 * n, got.size());
            for (FileLine l : got) {
                assertEquals(l.checkpoint().offset(), l.offset() + l.text().length() + 1, l.toString());
                assertEquals(l.checkpoint().identity(), l.identity());
                assertTrue(l.path().equals(a) || l.path().equals(b) || l.path().equals(c), l.path().toString());
            }
            assertEquals(0, got.stream().filter(l -> l.path().equals(c)).findFirst().orElseThrow().offset());
        } finally {
            sub.dispose();
        }
    }

    @Test
    void excludedAndTooOldFilesAreLeftAloneAndReadOnceCompletes() throws Exception {
        Files.writeString(dir.resolve("a.log"), "a 1\na 2\n");
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.writeString(dir.resolve("sub/deeper/d.log"), "d 1\n");
        Files.writeString(dir.resolve("sub/x.log.gz"), "x 1\n");
        Path old = Files.writeString(dir.resolve("old.log"), "o 1\n");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        List<FileSetEvent> events = new CopyOnWriteArrayList<>();
        List<FileLine> lines = FileFlux.tailAll(TailAllOptions.of(dir + "/**/*.log*").exclude("*.gz")
                        .maxAge(Duration.ofDays(1)).fileOptions(TailOptions.defaults().follow(false))
                        .onFileEvent(events::add))
                .collectList().block(Duration.ofMillis(WAIT_MS));
        assertEquals(Map.of("a", List.of(1, 2), "d", List.of(1)), byWriter(lines));
        assertTrue(events.stream().anyMatch(e -> e.kind() == FileSetEvent.Kind.TOO_OLD && e.path().equals(old)),
                events.toString());
    }

    @Test
    void aRegistryResumesEachFileAfterItsLastAcknowledgedLine() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a 1\na 2\na 3\n");
        Path b = Files.writeString(dir.resolve("b.log"), "b 1\n");
        Path reg = dir.resolve("registry");
        TailAllOptions once = TailAllOptions.of(dir + "/*.log").fileOptions(TailOptions.defaults().follow(false));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofDays(1))) {
            FileFlux.tailAll(once.registry(r, Duration.ZERO))
                    .doOnNext(l -> {
                        if (!l.text().equals("a 3")) {
                            l.ack(); // "a 3" is left unacknowledged: re-delivered after the restart
                        }
                    })
                    .blockLast(Duration.ofMillis(WAIT_MS));
        }
        Files.writeString(a, "a 4\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(b, "b 2\n", java.nio.file.StandardOpenOption.APPEND);
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofDays(1))) {
            List<FileLine> again = FileFlux.tailAll(once.registry(r, Duration.ZERO))
                    .collectList().block(Duration.ofMillis(WAIT_MS));
            assertEquals(Map.of("a", List.of(3, 4), "b", List.of(2)), byWriter(again));
        }
    }

    @Test
    void aBusyFileDoesNotStarveAQuietOne() throws Exception {
        Path busy = dir.resolve("busy.log");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 100_000; i++) {
            sb.append("busy ").append(i).append('\n');
        }
        Files.writeString(busy, sb);
        Files.writeString(dir.resolve("quiet.log"), "quiet 1\nquiet 2\nquiet 3\n");
        List<String> got = new ArrayList<>();
        CountDownLatch quietSeen = new CountDownLatch(1);
        BaseSubscriber<FileLine> one = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(FileLine l) {
                got.add(l.text());
                if (l.text().equals("quiet 3")) {
                    quietSeen.countDown();
                } else {
                    request(1);
                }
            }
        };
        FileFlux.tailAll(TailAllOptions.of(dir + "/*.log").linesPerFile(16)
                .fileOptions(TailOptions.defaults().follow(false))).subscribe(one);
        try {
            assertTrue(quietSeen.await(WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
            // not starved: the quiet file's lines came long before the busy file's 100,000 were all taken. (How
            // many busy lines come first depends on how soon the quiet file's tail has started, which a loaded
            // machine delays; the merge's turn-taking itself is Reactor's flatMap, bounded by linesPerFile.)
            assertTrue(got.size() < 50_000, "quiet file's lines came after " + got.size() + " lines");
        } finally {
            one.dispose();
        }
    }

    @Test
    void lineOffsetsAreBytesInUtf8() throws Exception {
        Files.writeString(dir.resolve("u.log"), "é 1\n€ 2\n");
        List<FileLine> l = FileFlux.tailAll(TailAllOptions.of(dir + "/u.log")
                        .fileOptions(TailOptions.defaults().follow(false).startAt(
                                io.fileflux.reactor.tail.StartAt.lastLines(1)))
                        .lineOptions(LineOptions.defaults()))
                .collectList().block(Duration.ofMillis(WAIT_MS));
        assertEquals(1, l.size());
        assertEquals(5, l.get(0).offset()); // "é 1\n" is 5 bytes
    }
}
