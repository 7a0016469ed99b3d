package io.fileflux.reactor.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared watcher: a directory deleted and created again is watched anew by the next registration. */
class DirectoryWatcherTest {

    @TempDir
    Path dir;

    private static boolean awaitKind(BlockingQueue<WatchEvent.Kind<?>> q, WatchEvent.Kind<?> kind)
            throws InterruptedException {
        for (;;) {
            WatchEvent.Kind<?> k = q.poll(30, TimeUnit.SECONDS);
            if (k == null) {
                return false;
            }
            if (k == kind) {
                return true;
            }
        }
    }

    @Test
    void aDirectoryDeletedAndCreatedAgainIsWatchedAnew() throws Exception {
        DirectoryWatcher watcher = DirectoryWatcher.of(dir.getFileSystem());
        Path logs = Files.createDirectory(dir.resolve("logs"));
        BlockingQueue<WatchEvent.Kind<?>> first = new LinkedBlockingQueue<>();
        DirectoryWatcher.Registration r1 = watcher.register(logs, (kind, name, count) -> first.add(kind));
        try {
            Files.delete(logs);
            assertTrue(awaitKind(first, StandardWatchEventKinds.OVERFLOW), "the first listener is told");
            Files.createDirectory(logs);
            BlockingQueue<WatchEvent.Kind<?>> second = new LinkedBlockingQueue<>();
            DirectoryWatcher.Registration r2 = watcher.register(logs, (kind, name, count) -> second.add(kind));
            try {
                Files.writeString(logs.resolve("app.log"), "line\n");
                assertTrue(awaitKind(second, StandardWatchEventKinds.ENTRY_CREATE), "the new directory is watched");
            } finally {
                r2.close();
            }
        } finally {
            r1.close();
        }
        assertEquals(0, watcher.directories(), "nothing left registered");
    }
}
