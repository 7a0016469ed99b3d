package io.fileflux.reactor.tail.many;

import static io.fileflux.reactor.tail.many.TailAllTest.WAIT_MS;
import static io.fileflux.reactor.tail.many.TailAllTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.internal.TailAccess;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.TailOptions;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * Files are followed by identity: a glob that matches rotated names too reads every line once, a file
 * renamed within the glob keeps its reader, and a registry resumes each file, also one rotated away
 * while the tail was stopped.
 */
class TailAllIdentityTest {

    @TempDir
    Path dir;

    static final int ROTATIONS = 5;
    static final int LINES_PER_FILE = 300;

    /** Appends "app FROM" .. "app TO-1" to {@code file}. */
    static void write(Path file, int from, int to) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            StringBuilder b = new StringBuilder();
            for (int i = from; i < to; i++) {
                b.append("app ").append(i).append('\n');
                if (b.length() > 4096) {
                    out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
                    b.setLength(0);
                }
            }
            out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    static long following(List<FileSetEvent> events) {
        return events.stream().filter(e -> e.kind() == FileSetEvent.Kind.FOLLOWING).count();
    }

    /**
     * Writes {@code LINES_PER_FILE} lines to {@code log}, then {@code rotate}s and creates a new log,
     * {@code ROTATIONS} times, then a last file; returns the number of lines written. Each file is
     * rotated once its reader has delivered its first line (it has the file open: a file renamed between
     * the rescan that found it and its reader's open is followed again where it is found next, with a
     * second FOLLOWING event) and usually long before its last (renamed while being read).
     */
    static int writeAndRotate(Path log, List<FileLine> got, IoAction rotate) throws Exception {
        int next = 1;
        for (int r = 0; r <= ROTATIONS; r++) {
            int first = next;
            write(log, next, next + LINES_PER_FILE / 2);
            next += LINES_PER_FILE / 2;
            await("app " + first + " delivered", () -> got.stream().anyMatch(l -> l.text().equals("app " + first)));
            write(log, next, next + LINES_PER_FILE / 2);
            next += LINES_PER_FILE / 2;
            if (r == ROTATIONS) {
                break;
            }
            rotate.run(r);
            Files.createFile(log);
        }
        return next - 1;
    }

    /** A rotation step that may fail with an I/O error. */
    interface IoAction {
        void run(int rotation) throws IOException;
    }

    @Test
    void aGlobMatchingRotatedNamesReadsEveryLineOnceAndKeepsEachFilesReader() throws Exception {
        Path log = Files.createFile(dir.resolve("app.log"));
        List<FileLine> got = new CopyOnWriteArrayList<>();
        List<FileSetEvent> events = new CopyOnWriteArrayList<>();
        Disposable sub = FileFlux.tailAll(TailAllTest.fast(dir + "/app.log*").onFileEvent(events::add))
                .subscribe(got::add);
        try {
            await("app.log followed", () -> following(events) == 1);
            int n = writeAndRotate(log, got, r -> {
                for (int i = r; i >= 1; i--) { // app.log.2 -> app.log.3, app.log.1 -> app.log.2, ...
                    Files.move(dir.resolve("app.log." + i), dir.resolve("app.log." + (i + 1)));
                }
                Files.move(log, dir.resolve("app.log.1"));
            });
            await("every line", () -> got.size() >= n);
            TailAllTest.eachOnceInOrderPerFile(got, "app", n);
            assertEquals(n, got.size());
            // one reader per file, kept across its renames: as many FOLLOWING events as files
            assertEquals(ROTATIONS + 1, following(events), events.toString());
            assertEquals(ROTATIONS + 1, got.stream().map(FileLine::identity).distinct().count());
            for (FileLine l : got) {
                assertEquals(l.checkpoint().offset(), l.offset() + l.text().length() + 1, l.toString());
                assertEquals(log, l.path(), "the path each file was found at"); // every file was found as app.log
            }
            // the oldest one deleted: read to its end already, it stops being followed
            Path oldest = dir.resolve("app.log." + ROTATIONS);
            Files.delete(oldest);
            await("the deleted file finished", () -> events.stream().anyMatch(e -> e.kind() == FileSetEvent.Kind.FINISHED));
            assertEquals(n, got.size());
        } finally {
            sub.dispose();
        }
    }

    @Test
    void aFileMovedToAnotherMatchedDirectoryKeepsItsReader() throws Exception {
        Path log = Files.createFile(dir.resolve("app.log"));
        Files.createDirectory(dir.resolve("archive"));
        List<FileLine> got = new CopyOnWriteArrayList<>();
        List<FileSetEvent> events = new CopyOnWriteArrayList<>();
        Disposable sub = FileFlux.tailAll(TailAllTest.fast(dir + "/*.log", dir + "/archive/*.log")
                        .onFileEvent(events::add))
                .subscribe(got::add);
        try {
            await("app.log followed", () -> following(events) == 1);
            int n = writeAndRotate(log, got, r -> Files.move(log, dir.resolve("archive/app-" + r + ".log")));
            await("every line", () -> got.size() >= n);
            TailAllTest.eachOnceInOrderPerFile(got, "app", n);
            assertEquals(n, got.size());
            assertEquals(ROTATIONS + 1, following(events), events.toString());
        } finally {
            sub.dispose();
        }
    }

    @Test
    void aReaderThatFindsAnotherFileAtThePathReadsNothing() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a 1\n");
        Path b = Files.writeString(dir.resolve("b.log"), "b 1\n");
        long inodeOfB = ((Number) Files.getAttribute(b, "unix:ino")).longValue();
        // the rescan saw b's file at a.log, and a.log was replaced before the reader opened it
        Throwable e = assertThrows(RuntimeException.class, () -> TailAccess.tails()
                .linesOfFile(a, inodeOfB, TailOptions.defaults().watch(false), LineOptions.defaults())
                .collectList().block(Duration.ofMillis(WAIT_MS)));
        Throwable cause = reactor.core.Exceptions.unwrap(e);
        assertTrue(cause instanceof FileSystemException && cause.getMessage().contains("replaced"), String.valueOf(cause));
    }

    @Test
    void aRotatedFileStillBeingReadAndTheNewFileAtItsPathKeepTwoRegistryEntries() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a 1\n");
        List<FileLine> got = new CopyOnWriteArrayList<>();
        try (CheckpointRegistry r = CheckpointRegistry.open(dir.resolve("registry"), Duration.ofDays(1))) {
            Disposable sub = FileFlux.tailAll(TailAllTest.fast(dir + "/*.log").registry(r, Duration.ZERO))
                    .subscribe(l -> {
                        got.add(l);
                        l.ack();
                    });
            try {
                await("a 1", () -> got.size() == 1);
                Path rotated = dir.resolve("a.log.1");
                Files.move(a, rotated); // out of the glob: still read within the grace period
                Files.writeString(a, "a 3\n");
                Files.writeString(rotated, "a 2\n", StandardOpenOption.APPEND); // a late writer
                await("a 2 and a 3", () -> got.size() == 3);
                io.fileflux.core.FileIdentity old = got.get(0).identity();
                io.fileflux.core.FileIdentity fresh = got.stream().filter(l -> l.text().equals("a 3")).findFirst()
                        .orElseThrow().identity();
                await("both saved", () -> r.store(old, a).load().map(c -> c.offset() == 8).orElse(false)
                        && r.store(fresh, a).load().map(c -> c.offset() == 4).orElse(false));
                assertEquals(Map.of(old, a, fresh, a), r.files());
            } finally {
                sub.dispose();
            }
        }
        TailAllTest.eachOnceInOrderPerFile(got, "a", 3);
    }

    @Test
    void aRegistryResumesAFileRotatedAwayWhileStoppedAndReadsTheNewOneFromZero() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a 1\na 2\n");
        Path reg = dir.resolve("registry");
        TailAllOptions opts = TailAllTest.fast(dir + "/*.log");
        List<FileLine> got = new CopyOnWriteArrayList<>();
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofDays(1))) {
            Disposable sub = FileFlux.tailAll(opts.registry(r, Duration.ZERO)).subscribe(l -> {
                got.add(l);
                l.ack();
            });
            await("a 2", () -> got.size() == 2);
            sub.dispose();
        }
        Files.writeString(a, "a 3\n", StandardOpenOption.APPEND); // written before the rotation, never read
        Files.move(a, dir.resolve("a.log.1"));
        Files.writeString(a, "a 4\n");
        got.clear();
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofDays(1))) {
            Disposable sub = FileFlux.tailAll(opts.registry(r, Duration.ZERO)).subscribe(l -> {
                got.add(l);
                l.ack();
            });
            try {
                await("a 3 and a 4", () -> got.size() >= 2);
            } finally {
                sub.dispose();
            }
        }
        assertEquals(Map.of("a", List.of(3, 4)), TailAllTest.byWriter(got.stream()
                .sorted((x, y) -> x.text().compareTo(y.text())).toList()), got.toString());
    }
}
