package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * Looks at a followed path for files the tail has not seen there: a {@code stat} of the path's inode
 * number, and an open only when it differs from the newest file seen (which the tail holds open, so
 * that number cannot belong to another file). A new file is opened at once — held open it stays
 * readable however it is renamed or deleted afterwards — and handed to the subscription's drain as a
 * {@link Generation}, in the order seen.
 *
 * <p>It also counts the path's creations reported by notifications: when more were reported than new
 * files were found, generations came and went between two looks; each is reported as
 * {@link TailEvent.Kind#MISSED}.
 *
 * <p>Threading: {@link #request()} may be called from any thread and never blocks; the looks (which may
 * block briefly in {@code stat} and {@code open}) run on a bounded-elastic thread, one at a time, so
 * files are handed over in the order they appeared.
 */
final class PathProbe {

    private static final Logger LOG = LoggerFactory.getLogger(PathProbe.class);

    private final Path path;
    private final FileEngine engine;
    private final int maxFound;
    private final Runnable wake;
    private final java.util.function.Consumer<TailEvent> events;

    /** Generations found and not taken by the drain yet, oldest first. */
    final ConcurrentLinkedQueue<Generation> found = new ConcurrentLinkedQueue<>();
    final AtomicInteger foundCount = new AtomicInteger();
    /** The path names no file (at the last look). */
    volatile boolean missing;
    /** The path names something that cannot be followed: a directory, a device, a FIFO. */
    volatile boolean untrackable;
    private volatile boolean stopped;

    private final AtomicInteger wip = new AtomicInteger();
    /** Creations of the path's name reported by notifications. */
    private final AtomicLong created = new AtomicLong();

    // owned by the look loop (guarded by wip)
    /** The newest file seen at the path; always held open by the subscription. */
    private Generation newest;
    /** New files found since notifications were counted. */
    private long newFound;

    PathProbe(Path path, FileEngine engine, int maxFound, Generation newest, Runnable wake,
              java.util.function.Consumer<TailEvent> events) {
        this.path = path;
        this.engine = engine;
        this.maxFound = maxFound;
        this.newest = newest;
        this.wake = wake;
        this.events = events;
    }

    /** A notification: the path's name was created (or renamed onto) {@code count} times. */
    void created(int count) {
        created.addAndGet(count);
        request();
    }

    /** Looks at the path soon, on a bounded-elastic thread; then wakes the drain. */
    void request() {
        if (stopped) {
            return;
        }
        if (wip.getAndIncrement() == 0) {
            try {
                Schedulers.boundedElastic().schedule(this::loop);
            } catch (RuntimeException e) {
                wip.set(0); // scheduler shut down: nothing more to look at
            }
        }
    }

    /** The looks, one at a time: a request made during a look makes it look once more. */
    private void loop() {
        int missed = 1;
        for (;;) {
            if (!stopped) {
                look();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
        wake.run();
    }

    /** No more looks; what was found and not taken is closed (by the caller, through {@link #closeFound()}). */
    void stop() {
        stopped = true;
        closeFound();
    }

    /** Closes what was handed over and not taken (after the subscription ended). */
    void closeFound() {
        Generation g;
        while ((g = found.poll()) != null) {
            foundCount.decrementAndGet();
            g.close();
        }
    }

    private void look() {
        long createdBefore = created.get();
        Generation last = newest;
        try {
            Object ino = Files.getAttribute(path, "unix:ino");
            missing = false;
            if (ino instanceof Number && ((Number) ino).longValue() == last.identity.index()) {
                untrackable = false;
                account(createdBefore);
                return;
            }
        } catch (NoSuchFileException e) {
            missing = true;
            account(createdBefore);
            return;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            // not a unix file system: open and compare
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            untrackable = true; // a directory or a device took the name: keep the file we have
            return;
        }
        untrackable = false;
        if (foundCount.get() >= maxFound) {
            return; // the drain has not taken what we found yet: look again at the next wake-up
        }
        FileDevice d;
        try {
            d = engine.open(path);
            missing = false;
        } catch (NoSuchFileException e) {
            missing = true;
            account(createdBefore);
            return;
        } catch (IOException | RuntimeException e) {
            LOG.debug("probing {} failed", path, e);
            return;
        }
        if (d.identity().equals(last.identity)) {
            d.closeAsync();
            account(createdBefore);
            return;
        }
        Generation g = new Generation(d, System.nanoTime(), last.sizeOrUnknown());
        newest = g;
        newFound++;
        foundCount.incrementAndGet();
        found.offer(g);
        if (stopped) {
            closeFound(); // raced with the end of the subscription: nobody else will take it
        }
        account(createdBefore);
    }

    /**
     * After a look that saw the path as it is after {@code createdBefore} creations: each creation not
     * matched by a file found was a generation that came and went unseen. (A file found by a poll
     * before its notification arrived is matched when the notification arrives.)
     */
    private void account(long createdBefore) {
        long unseen = createdBefore - newFound;
        if (unseen > 0) {
            newFound = createdBefore;
            for (long i = 0; i < unseen; i++) {
                events.accept(new TailEvent(TailEvent.Kind.MISSED, path, null, -1));
            }
        }
    }
}
