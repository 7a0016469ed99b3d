package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Inotify}: the kernel's events reach the sink named and mapped as the JDK's watch service maps them. */
class InotifyTest {

    @TempDir
    Path dir;

    private record Seen(Object key, WatchEvent.Kind<?> kind, Path name) {
    }

    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    private DirectoryWatcher.Sink recording() {
        return new DirectoryWatcher.Sink() {
            @Override
            public void event(Object key, WatchEvent.Kind<?> kind, Path name, int count) {
                seen.add(new Seen(key, kind, name));
            }

            @Override
            public void gone(Object key) {
                seen.add(new Seen(key, null, null));
            }
        };
    }

    private Seen next(WatchEvent.Kind<?> kind, String name) throws InterruptedException {
        for (;;) {
            Seen s = seen.poll(30, TimeUnit.SECONDS);
            assertNotNull(s, "no " + kind + " " + name + " within 30 s");
            if (s.kind() == kind && (name == null ? s.name() == null : Path.of(name).equals(s.name()))) {
                return s;
            }
        }
    }

    @Test
    void createWriteRenameAndDeleteAreReportedByName() throws Exception {
        assumeTrue(Platform.isLinux(), "inotify is Linux's");
        Inotify n = Inotify.open(FileSystems.getDefault(), recording());
        assertNotNull(n);
        try {
            Object key = n.watch(dir);
            Path f = dir.resolve("app.log");
            Files.writeString(f, "one\n");
            assertTrue(next(StandardWatchEventKinds.ENTRY_CREATE, "app.log").key().equals(key));
            Files.writeString(f, "two\n", StandardOpenOption.APPEND);
            next(StandardWatchEventKinds.ENTRY_MODIFY, "app.log");
            Files.move(f, dir.resolve("app.log.1"));
            next(StandardWatchEventKinds.ENTRY_DELETE, "app.log");
            next(StandardWatchEventKinds.ENTRY_CREATE, "app.log.1");
            Files.delete(dir.resolve("app.log.1"));
            next(StandardWatchEventKinds.ENTRY_DELETE, "app.log.1");
            Path sub = dir.resolve("gone");
            Files.createDirectory(sub);
            Object subKey = n.watch(sub);
            Files.delete(sub);
            Seen dropped = next(null, null); // the kernel dropped the watch
            assertTrue(dropped.key().equals(subKey), "reported gone for the deleted directory: " + dropped);
            n.unwatch(key);
        } finally {
            n.close();
        }
    }

    @Test
    void aPathThatIsNotADirectoryCannotBeWatched() throws Exception {
        assumeTrue(Platform.isLinux(), "inotify is Linux's");
        Inotify n = Inotify.open(FileSystems.getDefault(), recording());
        assertNotNull(n);
        try {
            Path f = Files.writeString(dir.resolve("plain"), "x");
            assertThrows(IOException.class, () -> n.watch(f));
            assertThrows(IOException.class, () -> n.watch(dir.resolve("missing")));
        } finally {
            n.close();
        }
    }
}
