package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.FileIdentity;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry store: round trips, escaping, exclusive use, forgetting gone files, refusing garbage. */
class CheckpointRegistryTest {

    @TempDir
    Path dir;

    static Checkpoint ck(long inode, long offset) {
        return new Checkpoint(new FileIdentity(0x803, inode), offset);
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void viewsKeepOneCheckpointPerPathAcrossReopen() throws Exception {
        Path reg = dir.resolve("registry");
        Path a = Files.createFile(dir.resolve("a.log"));
        Path odd = Files.createFile(dir.resolve("odd\tname%20\nx.log"));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofHours(1))) {
            assertEquals(Optional.empty(), r.store(a).load());
            r.store(a).save(ck(1, 10));
            r.store(odd).save(ck(2, 20));
            r.store(a).save(ck(3, 5)); // rotated: the path's entry follows the new file
            assertEquals(Optional.of(ck(3, 5)), r.store(dir.resolve("x/../a.log")).load());
        }
        assertFalse(Files.exists(dir.resolve("registry.tmp")));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofHours(1))) {
            assertEquals(Optional.of(ck(3, 5)), r.store(a).load());
            assertEquals(Optional.of(ck(2, 20)), r.store(odd).load());
            assertEquals(2, r.checkpoints().size());
        }
    }

    @Test
    void aSecondRegistryOnTheSameFileIsRefusedUntilTheFirstCloses() {
        Path reg = dir.resolve("registry");
        CheckpointRegistry first = CheckpointRegistry.open(reg, Duration.ofHours(1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CheckpointRegistry.open(reg, Duration.ofHours(1)));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        first.close();
        assertThrows(IllegalStateException.class, () -> first.store(dir.resolve("a")).save(ck(1, 1)));
        CheckpointRegistry.open(reg, Duration.ofHours(1)).close();
    }

    @Test
    void entriesOfPathsGoneLongerThanForgetAfterAreDropped() throws Exception {
        ManualClock clock = new ManualClock();
        Path reg = dir.resolve("registry");
        Path kept = Files.createFile(dir.resolve("kept.log"));
        Path gone = Files.createFile(dir.resolve("gone.log"));
        Path readAfterDelete = Files.createFile(dir.resolve("late.log"));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofMinutes(10), clock)) {
            r.store(kept).save(ck(1, 1));
            r.store(gone).save(ck(2, 2));
            r.store(readAfterDelete).save(ck(3, 3));
            Files.delete(gone);
            Files.delete(readAfterDelete);
            clock.millis += Duration.ofMinutes(5).toMillis();
            r.store(kept).save(ck(1, 2)); // sweep: both marked gone now
            clock.millis += Duration.ofMinutes(9).toMillis();
            r.store(readAfterDelete).save(ck(3, 4)); // still being read: saved recently
            clock.millis += Duration.ofMinutes(2).toMillis();
            r.store(kept).save(ck(1, 3)); // gone.log: gone 11 min, unsaved 16 min -> dropped
            assertEquals(Optional.empty(), r.store(gone).load());
            assertEquals(Optional.of(ck(3, 4)), r.store(readAfterDelete).load());
            assertEquals(Optional.of(ck(1, 3)), r.store(kept).load());
        }
        clock.millis += Duration.ofMinutes(11).toMillis();
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofMinutes(10), clock)) {
            assertEquals(1, r.checkpoints().size(), r.checkpoints().toString()); // dropped on open
            assertEquals(Optional.of(ck(1, 3)), r.store(kept).load());
        }
    }

    static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Test
    void fileEntriesKeepOneCheckpointPerFileAtOnePathAcrossReopen() throws Exception {
        Path reg = dir.resolve("registry");
        Path a = Files.createFile(dir.resolve("a.log"));
        Path pathEntry = Files.createFile(dir.resolve("b.log"));
        FileIdentity old = new FileIdentity(0x803, 11);
        FileIdentity current = new FileIdentity(0x803, 12);
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofHours(1))) {
            r.store(old, a).save(new Checkpoint(old, 100)); // the rotated generation, still being read
            r.store(current, a).save(new Checkpoint(current, 7)); // the new file at the same path
            r.store(old, a).save(new Checkpoint(old, 150));
            r.store(pathEntry).save(ck(13, 5));
        }
        List<String> text = Files.readAllLines(reg);
        assertEquals("fileflux-checkpoints 2", text.get(0));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofHours(1))) {
            assertEquals(Optional.of(new Checkpoint(old, 150)), r.store(old, a).load());
            assertEquals(Optional.of(new Checkpoint(current, 7)), r.store(current, dir.resolve("elsewhere")).load());
            assertEquals(Map.of(old, a, current, a), r.files());
            assertEquals(Map.of(pathEntry, ck(13, 5)), r.checkpoints()); // path entries only
        }
    }

    @Test
    void aFileEntryIsKeptWhileItsFileIsBesideItsPathAndDroppedOnceGone() throws Exception {
        ManualClock clock = new ManualClock();
        Path reg = dir.resolve("registry");
        Path log = Files.createFile(dir.resolve("app.log"));
        FileIdentity rotated = new FileIdentity(0x803, inode(log));
        FileIdentity deleted = new FileIdentity(0x803, inode(Files.createFile(dir.resolve("other.log"))));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofMinutes(10), clock)) {
            r.store(rotated, log).save(new Checkpoint(rotated, 1));
            r.store(deleted, dir.resolve("other.log")).save(new Checkpoint(deleted, 1));
        }
        Files.move(log, dir.resolve("app.log.1")); // still beside app.log
        Files.createFile(log); // another file at the path
        Files.delete(dir.resolve("other.log"));
        clock.millis += Duration.ofMinutes(1).toMillis();
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofMinutes(10), clock)) {
            r.store(rotated, log).save(new Checkpoint(rotated, 2)); // other.log's file marked gone, saved
        }
        clock.millis += Duration.ofMinutes(11).toMillis();
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofMinutes(10), clock)) {
            assertEquals(Map.of(rotated, log), r.files());
        }
    }

    @Test
    void aVersionOneRegistryIsReadAsPathEntries() throws Exception {
        Path reg = Files.writeString(dir.resolve("registry"), "fileflux-checkpoints 1\n1\t0\t" + ck(1, 9) + "\t"
                + dir.resolve("a.log") + "\n");
        Files.createFile(dir.resolve("a.log"));
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, Duration.ofHours(1))) {
            assertEquals(Optional.of(ck(1, 9)), r.store(dir.resolve("a.log")).load());
            assertEquals(Map.of(), r.files());
        }
    }

    @Test
    void somethingElseInTheFileIsAnErrorNamingIt() throws Exception {
        Path reg = Files.writeString(dir.resolve("registry"), "fileflux-checkpoints 1\n1\t0\tnonsense\t/x\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> CheckpointRegistry.open(reg, Duration.ofHours(1)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Files.writeString(reg, "hello\n");
        assertThrows(UncheckedIOException.class, () -> CheckpointRegistry.open(reg, Duration.ofHours(1)));
        // the lock was released on failure
        Files.delete(reg);
        CheckpointRegistry.open(reg, Duration.ofHours(1)).close();
    }

    @Test
    void badArgumentsFailFast() {
        assertThrows(IllegalArgumentException.class, () -> CheckpointRegistry.open(dir.resolve("r"), Duration.ZERO));
        assertEquals("a%25b%09c%0ad", CheckpointRegistry.escape("a%b\tc\nd"));
        assertEquals("a%b\tc\nd", CheckpointRegistry.unescape("a%25b%09c%0ad"));
    }
}
