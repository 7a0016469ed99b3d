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
 * File-change notifications for every tail of a file system, shared: one source of notifications, one
 * thread, one registration per directory however many tails watch it, and a fan-out of each event to the
 * listeners of its directory. On Linux's default file system the source is {@link Inotify} (one inotify
 * descriptor and an eventfd, read by the watcher's own thread); elsewhere the file system's
 * {@link WatchService} (on Linux one inotify descriptor, plus the JDK's poller thread and its wake-up pipe)
 * with a dispatch thread. The source and its thread exist only while some directory is watched: the last
 * {@link Registration#close()} closes them.
 *
 * <p>Threading: thread-safe. Listeners run on the watcher's thread and must not block (they record
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

    /** A source of directory notifications with its own thread, which calls the {@link Sink}. */
    interface Notifications {
        /** Starts watching {@code dir}; returns the key its events will carry. */
        Object watch(Path dir) throws IOException;

        /** Stops watching the directory of {@code key}. */
        void unwatch(Object key);

        /** Stops the thread and releases the source. */
        void close();
    }

    /** Where a {@link Notifications} source sends each event, on its thread. */
    interface Sink {
        /** An event of the directory watched as {@code key}; a null key: events of every directory were lost. */
        void event(Object key, WatchEvent.Kind<?> kind, Path name, int count);

        /**
         * The watch of {@code key} ended without {@link Notifications#unwatch} (its directory was deleted):
         * the watcher forgets it, then tells its listeners ({@code OVERFLOW}).
         */
        void gone(Object key);
    }

    private final FileSystem fileSystem;

    // guarded by this
    private Notifications source;
    private final Map<Path, Entry> byDirectory = new HashMap<>();
    private final Map<Object, Entry> byKey = new ConcurrentHashMap<>();

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
            if (source == null) {
                Sink sink = new Sink() {
                    @Override
                    public void event(Object key, WatchEvent.Kind<?> kind, Path name, int count) {
                        dispatch(key, kind, name, count);
                    }

                    @Override
                    public void gone(Object key) {
                        watchGone(key);
                    }
                };
                Notifications n = Inotify.open(fileSystem, sink);
                source = n != null ? n : new JdkNotifications(fileSystem.newWatchService(), sink);
            }
            Object key;
            try {
                key = source.watch(dir);
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
                        if (!entry.gone) {
                            source.unwatch(entry.key);
                        }
                        byDirectory.remove(entry.dir, entry);
                        byKey.remove(entry.key, entry);
                        closeIfUnused();
                    }
                }
            }
        };
    }

    private void closeIfUnused() {
        if (byDirectory.isEmpty() && source != null) {
            source.close(); // its thread ends
            source = null;
        }
    }

    /**
     * On the source's thread: the directory of {@code key} is no longer watched (deleted, or its file
     * system unmounted). It is forgotten, then its listeners are told ({@code OVERFLOW}) and fall back to
     * polling; a later registration of that directory (recreated) watches it anew.
     */
    private void watchGone(Object key) {
        Entry e;
        synchronized (this) {
            e = byKey.remove(key);
            if (e == null) {
                return;
            }
            e.gone = true;
            byDirectory.remove(e.dir, e);
        }
        // after it is forgotten: a listener that registers again on being told gets a new watch
        e.deliver(StandardWatchEventKinds.OVERFLOW, null, 1);
    }

    /** On the source's thread: fans the event out to the listeners of its directory (of every one for null). */
    private void dispatch(Object key, WatchEvent.Kind<?> kind, Path name, int count) {
        if (key == null) {
            byKey.values().forEach(e -> e.deliver(kind, name, count));
            return;
        }
        Entry e = byKey.get(key);
        if (e != null) { // else unregistered meanwhile
            e.deliver(kind, name, count);
        }
    }

    private static final class Entry {
        final Path dir;
        final Object key;
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        /** Guarded by the watcher: the source dropped the watch (see {@code watchGone}). */
        boolean gone;

        Entry(Path dir, Object key) {
            this.dir = dir;
            this.key = key;
        }

        void deliver(WatchEvent.Kind<?> kind, Path name, int count) {
            for (Listener l : listeners) {
                try {
                    l.onEvent(kind, name, count);
                } catch (RuntimeException ex) {
                    LOG.warn("a tail's watch listener failed", ex);
                }
            }
        }
    }

    /** Notifications from a {@link WatchService}, taken by a dispatch thread of ours. */
    private static final class JdkNotifications implements Notifications {
        private final WatchService service;

        JdkNotifications(WatchService service, Sink sink) {
            this.service = service;
            Thread t = new Thread(() -> take(sink), "fileflux-tail-watch");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public Object watch(Path dir) throws IOException {
            return dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }

        @Override
        public void unwatch(Object key) {
            ((WatchKey) key).cancel();
        }

        @Override
        public void close() {
            try {
                service.close(); // the dispatch thread ends
            } catch (IOException ex) {
                LOG.debug("closing the watch service failed", ex);
            }
        }

        private void take(Sink sink) {
            try {
                for (;;) {
                    WatchKey key = service.take();
                    List<WatchEvent<?>> events = key.pollEvents();
                    boolean valid = key.reset();
                    for (WatchEvent<?> ev : events) {
                        Path name = ev.kind() == StandardWatchEventKinds.OVERFLOW ? null : (Path) ev.context();
                        sink.event(key, ev.kind(), name, ev.count());
                    }
                    if (!valid) {
                        sink.gone(key);
                    }
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                // no directory watched any more
            }
        }
    }
}
