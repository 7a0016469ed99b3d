package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import io.fileflux.reactor.tail.RotatedSiblings.Sibling;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which files beside a followed path are generations the tail has not read, and in which order the
 * path probe hands them over: the pure ordering, then the probe against real renames it did not see.
 */
class RotatedSiblingsTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    final FileEngine engine = Engines.create(Engines.shared().name());
    final List<Generation> held = new ArrayList<>();

    @AfterEach
    void closeAll() {
        held.forEach(Generation::close);
        TestFiles.await(WAIT, "every device closed: " + engine.stats(), () -> engine.stats().openDevices() == 0);
        engine.close();
    }

    static Sibling sib(String name, long inode, long modified, long changed) {
        return new Sibling(Path.of(name), inode, modified, changed);
    }

    static List<String> names(List<Sibling> l) {
        return l.stream().map(s -> s.path().toString()).toList();
    }

    @Test
    void unseenAreTheUnknownInodesOldestWrittenFirst() {
        List<Sibling> beside = List.of(
                sib("app.log.1", 14, 400, 900), // logrotate's renumbering: .1 is the newest
                sib("app.log.2", 13, 300, 900),
                sib("app.log.3", 12, 200, 900),
                sib("app.log.4", 11, 100, 100)); // there before the tail began
        assertEquals(List.of("app.log.3", "app.log.2", "app.log.1"), names(RotatedSiblings.unseen(beside, Set.of(11L), null)));
        List<Sibling> increasing = List.of(sib("app.log.7", 7, 700, 700), sib("app.log.5", 5, 500, 500),
                sib("app.log.6", 6, 600, 600));
        assertEquals(List.of("app.log.5", "app.log.6", "app.log.7"), names(RotatedSiblings.unseen(increasing, Set.of(), null)));
    }

    @Test
    void equalWriteTimesFallBackToTheRenameThenTheInode() {
        List<Sibling> beside = List.of(sib("c", 3, 100, 100), sib("b", 9, 100, 50), sib("a", 2, 100, 100));
        assertEquals(List.of("b", "a", "c"), names(RotatedSiblings.unseen(beside, Set.of(), null)));
    }

    @Test
    void whenTheNewFileWasRotatedOnTooOnlyTheOlderOnesComeBeforeIt() {
        Sibling newFile = sib("app.log.2", 20, 500, 500);
        List<Sibling> beside = List.of(sib("app.log.3", 19, 400, 400), newFile, sib("app.log.1", 21, 600, 600));
        assertEquals(List.of("app.log.3"), names(RotatedSiblings.unseen(beside, Set.of(20L), newFile)));
    }

    @Test
    void compressedAndForeignFilesAreNotBesideThePath() throws Exception {
        Path log = dir.resolve("app.log");
        for (String n : List.of("app.log", "app.log.1", "app.log-20260101", "app.log.2.gz", "app.log.3.XZ", "other.log")) {
            Files.writeString(dir.resolve(n), n);
        }
        Files.createDirectory(dir.resolve("app.log.d"));
        List<String> got = RotatedSiblings.paths(log).stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(List.of("app.log-20260101", "app.log.1"), got);
    }

    /**
     * The probe looks once (gen0 at the path, an old {@code app.log.9} beside it); then, unseen, gen0 and
     * three more generations are renamed away logrotate's way ({@code .1} always the newest) and gen4 is
     * created; one look hands over gen1, gen2, gen3 and gen4 in that order, and not the old file.
     */
    @Test
    void theProbeHandsOverWhatCameAndWentOldestFirstBeforeTheNewFile() throws Exception {
        Path log = dir.resolve("app.log");
        Files.writeString(log, "gen0\n");
        Files.writeString(dir.resolve("app.log.9"), "before the tail\n");
        Generation gen0 = new Generation(engine.open(log), System.nanoTime(), -1);
        held.add(gen0);
        Semaphore looked = new Semaphore(0);
        List<TailEvent> events = new CopyOnWriteArrayList<>();
        PathProbe probe = new PathProbe(log, engine, 16, gen0, looked::release, events::add);
        probe.request();
        assertTrue(looked.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), "first look");
        assertTrue(probe.found.isEmpty());
        Instant t0 = Instant.now().minusSeconds(3600);
        for (int gen = 1; gen <= 4; gen++) {
            for (int i = 3; i >= 1; i--) { // renumber: .3 -> .4, .2 -> .3, .1 -> .2
                Path from = dir.resolve("app.log." + i);
                if (Files.exists(from)) {
                    Files.move(from, dir.resolve("app.log." + (i + 1)));
                }
            }
            Files.move(log, dir.resolve("app.log.1"));
            Files.writeString(log, "gen" + gen + "\n");
            // the order each was last written, whatever the file system's timestamp granularity
            Files.setLastModifiedTime(log, FileTime.from(t0.plusSeconds(gen)));
        }
        probe.request();
        assertTrue(looked.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), "second look");
        List<String> order = new ArrayList<>();
        Generation g;
        while ((g = probe.found.poll()) != null) {
            held.add(g);
            ByteBuffer b = DeviceReads.read(g.device, 0, 64).block(WAIT);
            order.add(StandardCharsets.UTF_8.decode(b).toString().trim());
        }
        assertEquals(List.of("gen1", "gen2", "gen3", "gen4"), order);
        assertTrue(events.isEmpty(), events.toString());
        probe.stop();
    }
}
