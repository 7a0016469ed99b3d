package io.fileflux.reactor.tail.many;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link WatchService} (on Linux one inotify descriptor) and one thread for every directory a file
 * set reaches: a file created, deleted or renamed in any of them calls {@code onChange} (which only
 * schedules a rescan). File modifications are not watched: each file's tail sees its own growth.
 *
 * <p>Threading: {@link #watch} and {@link #close} are called by the rescan (one at a time); the
 * watcher thread only calls {@code onChange}. Ownership: the watcher owns its service and thread until
 * {@link #close()}.
 */
final class DirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final WatchService service;
    private final Runnable onChange;
    private final Thread thread;
    // touched by the rescan only
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private boolean warned;

    private DirectoryWatcher(WatchService service, Runnable onChange, String name) {
        this.service = service;
        this.onChange = onChange;
        this.thread = new Thread(this::loop, "fileflux-tail-all-watch-" + name);
        this.thread.setDaemon(true);
    }

    /** A started watcher, or null if the file system offers none (the caller then polls only). */
    static DirectoryWatcher start(Runnable onChange, String name) {
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("no directory watcher ({}): rescanning at the scan interval only", e.toString());
            return null;
        }
        DirectoryWatcher w = new DirectoryWatcher(ws, onChange, name);
        w.thread.start();
        return w;
    }

    /** Watches exactly {@code dirs} from now on: new ones are registered, ones no longer listed dropped. */
    void watch(Collection<Path> dirs) {
        Set<Path> wanted = new HashSet<>(dirs);
        for (Iterator<Map.Entry<Path, WatchKey>> it = keys.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, WatchKey> e = it.next();
            if (!wanted.contains(e.getKey()) || !e.getValue().isValid()) {
                e.getValue().cancel();
                it.remove();
            }
        }
        for (Path d : wanted) {
            if (!keys.containsKey(d)) {
                try {
                    keys.put(d, d.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_DELETE));
                } catch (IOException | RuntimeException e) {
                    if (!warned) {
                        warned = true; // e.g. inotify's max_user_watches reached: the rescan still finds files
                        LOG.info("cannot watch {} ({}): rescanning at the scan interval there", d, e.toString());
                    }
                }
            }
        }
    }

    /** The directories watched now. */
    int watched() {
        return keys.size();
    }

    private void loop() {
        try {
            for (;;) {
                WatchKey key = service.take();
                key.pollEvents();
                key.reset();
                onChange.run();
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() {
        try {
            service.close(); // ends the thread's take()
        } catch (IOException e) {
            LOG.debug("closing the directory watcher", e);
        }
    }
}
