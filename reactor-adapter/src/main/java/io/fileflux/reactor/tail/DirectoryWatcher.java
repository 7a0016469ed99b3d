package io.fileflux.reactor.tail;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-change notifications for every tail of a file system, shared: one {@link WatchService} (on Linux
 * one inotify descriptor, plus the JDK's own poller thread and its two-descriptor wake-up pipe), one
 * dispatch thread, one registration per directory however many tails watch it, and a fan-out of each
 * event to the listeners of its directory. The watch service and its thread exist only while some
 * directory is watched: the last {@link Registration#close()} closes them.
 *
 * <p>Threading: thread-safe. Listeners run on the dispatch thread and must not block (they record
 * the event and schedule work elsewhere); one slow listener would delay every tail of the file system.
 */
final class DirectoryWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);
    private static final Map<FileSystem, DirectoryWatcher> BY_FILE_SYSTEM = new ConcurrentHashMap<>();

    /** Receives the events of a watched directory. */
    interface Listener {
        /**
         * An event in the directory: {@code kind} is {@code ENTRY_CREATE} (also a rename into the
         * directory), {@code ENTRY_DELETE} (also a rename out), {@code ENTRY_MODIFY}, or
         * {@code OVERFLOW} (events were lost; {@code name} null); {@code count} repeats of it.
         */
        void onEvent(WatchEvent.Kind<?> kind, Path name, int count);
    }

    /** One listener's registration; {@link #close()} ends it (safe more than once). */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final FileSystem fileSystem;

    // guarded by this
    private WatchService service;
    private final Map<Path, Entry> byDirectory = new HashMap<>();
    private final Map<WatchKey, Entry> byKey = new ConcurrentHashMap<>();

    private DirectoryWatcher(FileSystem fileSystem) {
        this.fileSystem = fileSystem;
    }

    /** The watcher shared by every tail on {@code fs}. */
    static DirectoryWatcher of(FileSystem fs) {
        return BY_FILE_SYSTEM.computeIfAbsent(fs, DirectoryWatcher::new);
    }

    /** Directories watched now (for tests and diagnostics). */
    synchronized int directories() {
        return byDirectory.size();
    }

    /**
     * Starts delivering the events of {@code dir} to {@code listener}.
     *
     * @throws IOException if the directory cannot be watched (the tail then polls)
     */
    synchronized Registration register(Path dir, Listener listener) throws IOException {
        Entry e = byDirectory.get(dir);
        if (e == null) {
            if (service == null) {
                WatchService ws = fileSystem.newWatchService();
                Thread t = new Thread(() -> dispatch(ws), "fileflux-tail-watch");
                t.setDaemon(true);
                service = ws;
                t.start();
            }
            WatchKey key;
            try {
                key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | RuntimeException ex) {
                closeIfUnused();
                throw ex;
            }
            e = new Entry(dir, key);
            byDirectory.put(dir, e);
            byKey.put(key, e);
        }
        Entry entry = e;
        entry.listeners.add(listener);
        return new Registration() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (DirectoryWatcher.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    entry.listeners.remove(listener);
                    if (entry.listeners.isEmpty()) {
                        entry.key.cancel();
                        byDirectory.remove(entry.dir);
                        byKey.remove(entry.key);
                        closeIfUnused();
                    }
                }
            }
        };
    }

    private void closeIfUnused() {
        if (byDirectory.isEmpty() && service != null) {
            try {
                service.close(); // the dispatch thread ends
            } catch (IOException ex) {
                LOG.debug("closing the watch service failed", ex);
            }
            service = null;
        }
    }

    private void dispatch(WatchService ws) {
        try {
            for (;;) {
                WatchKey key = ws.take();
                Entry e = byKey.get(key);
                List<WatchEvent<?>> events = key.pollEvents();
                key.reset();
                if (e == null) {
                    continue; // unregistered meanwhile
                }
                for (WatchEvent<?> ev : events) {
                    Path name = ev.kind() == StandardWatchEventKinds.OVERFLOW ? null : (Path) ev.context();
                    for (Listener l : e.listeners) {
                        try {
                            l.onEvent(ev.kind(), name, ev.count());
                        } catch (RuntimeException ex) {
                            LOG.warn("a tail's watch listener failed", ex);
                        }
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // no directory watched any more
        }
    }

    private static final class Entry {
        final Path dir;
        final WatchKey key;
        final List<Listener> listeners = new CopyOnWriteArrayList<>();

        Entry(Path dir, WatchKey key) {
            this.dir = dir;
            this.key = key;
        }
    }
}
