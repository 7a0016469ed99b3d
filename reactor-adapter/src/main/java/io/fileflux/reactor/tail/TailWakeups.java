package io.fileflux.reactor.tail;

import io.fileflux.core.FileEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * What wakes a following tail: the shared {@link DirectoryWatcher}'s notifications for the path's
 * directory, a poll every poll interval (a task on the shared bounded-elastic scheduler, not a thread
 * of its own), a one-shot deadline before the next poll (the idle marker, the end of a rotation
 * grace), and the {@link PathProbe} they trigger. Each only wakes the drain, directly or after the
 * probe's look.
 *
 * <p>Threading: {@link #start} and {@link #stop} are called by the drain; the callbacks run on the
 * watcher's thread or a bounded-elastic thread and never block.
 */
final class TailWakeups {

    private static final Logger LOG = LoggerFactory.getLogger(TailWakeups.class);

    private final Path path;
    private final FileEngine engine;
    private final TailOptions options;
    private final Runnable wake;
    private final Runnable modified;
    private final Consumer<TailEvent> events;
    private final long pollNanos;
    private final AtomicBoolean deadlineArmed = new AtomicBoolean();
    private final String ownName;
    // the watcher thread's: the last name looked at, and whether it is the tail's
    private Path lastName;
    private boolean lastOurs;

    private volatile PathProbe probe;
    private volatile DirectoryWatcher.Registration watch;
    private volatile Disposable pollTimer;
    private volatile boolean stopped;
    /** A poll happened since the drain last asked (size-less files are read again at each poll). */
    private volatile boolean polled;

    /**
     * @param wake     wakes the drain
     * @param modified wakes the drain after a notification that a file of the tail was written (the drain
     *                 may read first, on the watcher's thread)
     */
    TailWakeups(Path path, FileEngine engine, TailOptions options, Runnable wake, Runnable modified,
                Consumer<TailEvent> events) {
        this.path = path;
        this.engine = engine;
        this.options = options;
        this.wake = wake;
        this.modified = modified;
        this.events = events;
        this.pollNanos = options.pollInterval().toNanos();
        this.ownName = path.getFileName().toString();
    }

    /**
     * Starts the probe (following the path by name), the notifications and the poll.
     *
     * @param newest the newest file seen at the path (held open by the tail)
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down
     */
    void start(Generation newest) {
        if (options.followRotation()) {
            probe = new PathProbe(path, engine, options.maxPendingFiles(), newest, wake, events);
        }
        if (options.watch()) {
            try {
                watch = DirectoryWatcher.of(path.getFileSystem()).register(path.getParent(), this::onWatchEvent);
            } catch (IOException | RuntimeException e) {
                LOG.info("watching {} failed, polling every {} ms instead: {}", path.getParent(),
                        options.pollInterval().toMillis(), e.toString());
            }
        }
        pollTimer = Schedulers.boundedElastic().schedulePeriodically(this::onPoll, pollNanos, pollNanos,
                TimeUnit.NANOSECONDS);
        if (probe != null) {
            probe.request(); // the path may have changed during the start-up
        }
    }

    /** The probe, or null when the tail does not follow the path by name (or has not started following). */
    PathProbe probe() {
        return probe;
    }

    /** Wakes the drain after {@code delayNanos}, unless the next poll comes first. */
    void deadline(long delayNanos) {
        if (delayNanos <= 0) {
            wake.run();
            return;
        }
        if (delayNanos < pollNanos && !stopped && deadlineArmed.compareAndSet(false, true)) {
            try {
                Schedulers.boundedElastic().schedule(() -> {
                    deadlineArmed.set(false);
                    wake.run();
                }, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                deadlineArmed.set(false); // scheduler shut down: the poll is the fallback
            }
        }
    }

    /** Stops every wake-up and closes what the probe found and the drain did not take. */
    void stop() {
        stopped = true;
        Disposable t = pollTimer;
        if (t != null) {
            t.dispose();
        }
        DirectoryWatcher.Registration w = watch;
        if (w != null) {
            w.close();
        }
        PathProbe pr = probe;
        if (pr != null) {
            pr.stop();
        }
    }

    /**
     * On the shared watcher's thread. A change of a file whose name starts with the path's name (the
     * file, or a rotated generation the tail may still read) wakes the drain, which may first read the new
     * bytes here (see {@code TailSubscription.capture}); a
     * creation or deletion of the path's name makes the probe look.
     */
    private void onWatchEvent(WatchEvent.Kind<?> kind, Path name, int count) {
        if (stopped) {
            return;
        }
        PathProbe pr = probe;
        if (kind == StandardWatchEventKinds.OVERFLOW) {
            if (pr != null) {
                pr.request();
            } else {
                wake.run();
            }
            return;
        }
        if (name == null || !isOurs(name)) {
            return; // another file of the directory
        }
        if (kind == StandardWatchEventKinds.ENTRY_MODIFY) {
            modified.run();
        } else if (pr == null || !name.toString().equals(ownName)) {
            wake.run();
        } else if (kind == StandardWatchEventKinds.ENTRY_CREATE) {
            pr.created(count);
        } else {
            pr.request();
        }
    }

    /**
     * Whether a name of the directory starts with the path's name (the file, or a rotated generation). On the
     * watcher's thread; the last answer is kept for the same name instance (the watcher reuses it for a
     * file written over and over).
     */
    private boolean isOurs(Path name) {
        if (name != lastName) {
            lastOurs = name.toString().startsWith(ownName);
            lastName = name;
        }
        return lastOurs;
    }

    /** True once per poll: whether a poll happened since the last call. */
    boolean takePoll() {
        if (!polled) {
            return false;
        }
        polled = false;
        return true;
    }

    private void onPoll() {
        polled = true;
        PathProbe pr = probe;
        if (pr != null) {
            pr.request(); // wakes the drain after the look
        } else {
            wake.run();
        }
    }
}
