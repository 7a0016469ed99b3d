package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailOptions;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One subscription of {@link TailAll#lines}: the rescans that decide which files are followed, and the
 * merge of their tails. A rescan (one at a time, on a bounded-elastic worker, started by the timer or by
 * the {@link DirectoryWatcher}) lists what the globs match, hands each new file to the merge, and
 * decides which followed files are finished; each file is followed by the public per-file tail
 * ({@link FileFlux#tailLines}) until a rescan completes its stop signal.
 *
 * <p>Threading: the {@link #followed} map and the sink's emissions belong to the rescan worker (a
 * file's end is handed back to it); a {@link Followed}'s counters are written by its tail's emitting
 * thread and read by the rescan.
 */
final class FileSetTail {

    private static final Logger LOG = LoggerFactory.getLogger(FileSetTail.class);

    private final TailAllOptions options;
    private final Globs globs;
    private final long rotateWaitNanos;
    private final Sinks.Many<Followed> found = Sinks.many().unicast().onBackpressureBuffer();
    private final Scheduler.Worker worker = Schedulers.boundedElastic().createWorker();
    private final AtomicBoolean scanQueued = new AtomicBoolean();
    private final boolean follow;

    // rescan worker only
    private final Map<Path, Followed> followed = new LinkedHashMap<>();
    /** Files reported TOO_OLD or FAILED, not reported again until followed in between. */
    private final Set<Path> reported = new HashSet<>();
    /** Where files that stopped being followed were, to resume there if they are followed again. */
    private final Map<Path, Checkpoint> stoppedAt = new HashMap<>();
    private DirectoryWatcher watcher;
    private boolean firstScan = true;
    private boolean stopped;

    private FileSetTail(TailAllOptions options) {
        this.options = options;
        this.globs = new Globs(options.include(), options.exclude());
        this.rotateWaitNanos = options.rotateWait().toNanos();
        this.follow = options.fileOptions().follow();
    }

    static Flux<FileLine> lines(TailAllOptions options) {
        return Flux.defer(() -> new FileSetTail(options).flux());
    }

    private Flux<FileLine> flux() {
        return found.asFlux()
                .flatMap(this::tail, options.maxFiles(), options.linesPerFile())
                .doOnSubscribe(s -> worker.schedule(this::start))
                .doFinally(sig -> worker.schedule(this::stop));
    }

    private void start() {
        if (stopped) {
            return;
        }
        if (follow && options.watch()) {
            watcher = DirectoryWatcher.start(this::requestScan, String.join(",", options.include()));
        }
        scan();
        if (!follow) {
            found.tryEmitComplete(); // read once: every file found now, then done
            return;
        }
        long every = options.scanInterval().toNanos();
        worker.schedulePeriodically(this::scan, every, every, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        stopped = true;
        if (watcher != null) {
            watcher.close();
        }
        worker.dispose();
    }

    /** From the watcher thread: a rescan soon, coalescing a burst of notifications into one. */
    private void requestScan() {
        if (scanQueued.compareAndSet(false, true)) {
            try {
                worker.schedule(() -> {
                    scanQueued.set(false);
                    scan();
                });
            } catch (RejectedExecutionException e) {
                // cancelled meanwhile: the watcher is closing too
            }
        }
    }

    private void scan() {
        if (stopped) {
            return;
        }
        Map<Path, BasicFileAttributes> files = new TreeMap<>(); // in path order: read-once sets print sorted
        List<Path> dirs = new ArrayList<>();
        try {
            globs.scan(files, dirs);
            if (watcher != null) {
                watcher.watch(dirs);
            }
            long now = System.nanoTime();
            for (Followed f : followed.values()) {
                review(f, files.get(f.path), now);
            }
            for (Map.Entry<Path, BasicFileAttributes> e : files.entrySet()) {
                Path p = e.getKey().toAbsolutePath().normalize();
                if (!followed.containsKey(p) && !globs.excluded(p)) {
                    consider(p, e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("rescanning {} failed", options.include(), e); // the next rescan tries again
        }
        firstScan = false;
    }

    /** A matching file not followed now: follow it unless it is too old. */
    private void consider(Path p, BasicFileAttributes a) {
        if (tooOld(a)) {
            if (reported.add(p)) {
                fileEvent(FileSetEvent.Kind.TOO_OLD, p, "modified " + a.lastModifiedTime());
            }
            return;
        }
        Checkpoint resume = stoppedAt.remove(p);
        StartAt start = resume != null ? StartAt.checkpoint(resume)
                : firstScan ? options.fileOptions().startAt() : StartAt.beginning();
        Followed f = new Followed(p, start);
        followed.put(p, f);
        if (followed.size() > options.maxFiles()) {
            fileEvent(FileSetEvent.Kind.WAITING, p, followed.size() - 1 + " files followed, at most "
                    + options.maxFiles());
        }
        found.tryEmitNext(f);
    }

    private boolean tooOld(BasicFileAttributes a) {
        return options.maxAge() != null
                && a.lastModifiedTime().toMillis() < System.currentTimeMillis() - options.maxAge().toMillis();
    }

    /** A followed file at a rescan: is it finished (gone, or too old), read to its end and quiet? */
    private void review(Followed f, BasicFileAttributes a, long now) {
        if (!f.started || f.stopping) {
            return;
        }
        if (a != null) {
            f.goneSince = 0;
            if (tooOld(a) && quiet(f, now) && FileEnds.readToEnd(f.last, a.size(), f.path)) {
                stopFollowing(f, FileSetEvent.Kind.TOO_OLD, "modified " + a.lastModifiedTime());
            }
            return;
        }
        if (f.goneSince == 0) {
            f.goneSince = now;
            return;
        }
        if (now - f.goneSince >= rotateWaitNanos && quiet(f, now)
                && (FileEnds.readToEndOfOpenFile(f.last) || now - f.lastEmitNanos >= 3 * rotateWaitNanos)) {
            stopFollowing(f, FileSetEvent.Kind.FINISHED, "");
        }
    }

    /** Nothing delivered for the rotate wait although lines were wanted. */
    private boolean quiet(Followed f, long now) {
        return f.outstanding.get() > 0 && now - f.lastEmitNanos >= rotateWaitNanos;
    }

    private void stopFollowing(Followed f, FileSetEvent.Kind why, String detail) {
        f.stopping = true;
        f.stopReason = why;
        f.stopDetail = detail;
        f.stop.tryEmitEmpty();
    }

    /** The tail of one file, as an inner stream of the merge. */
    private Flux<FileLine> tail(Followed f) {
        return Flux.defer(() -> {
            TailOptions to = options.fileOptions().startAt(f.start);
            Consumer<io.fileflux.reactor.tail.TailEvent> onEvent = options.onEvent();
            if (onEvent != null) {
                to = to.onEvent(onEvent);
            }
            Checkpointer ck = null;
            if (options.registry() != null) {
                ck = Checkpointer.to(options.registry().store(f.path), options.saveInterval());
                to = to.checkpointer(ck);
            }
            Checkpointer flushed = ck;
            f.lastEmitNanos = System.nanoTime();
            f.started = true;
            fileEvent(FileSetEvent.Kind.FOLLOWING, f.path, f.start.toString());
            return FileFlux.tailLines(f.path, to, options.lineOptions())
                    .doOnRequest(f::requested)
                    .map(f::received)
                    .takeUntilOther(f.stop.asMono())
                    .onErrorResume(e -> {
                        f.error = e;
                        return Flux.empty();
                    })
                    .doFinally(sig -> {
                        if (flushed != null && sig == SignalType.CANCEL) {
                            flush(flushed, f.path); // on the cancelling (user's) thread: saved before dispose returns
                        } else if (flushed != null) {
                            Schedulers.boundedElastic().schedule(() -> flush(flushed, f.path));
                        }
                        try {
                            worker.schedule(() -> ended(f));
                        } catch (RejectedExecutionException e) {
                            // the whole set was cancelled: nothing left to account for
                        }
                    });
        });
    }

    private static void flush(Checkpointer ck, Path path) {
        try {
            ck.flush();
        } catch (RuntimeException e) {
            LOG.warn("saving the checkpoint of {} failed", path, e);
        }
    }

    /** On the rescan worker: a file's tail ended (stopped, failed, or read once). */
    private void ended(Followed f) {
        followed.remove(f.path);
        if (f.last != null) {
            stoppedAt.put(f.path, f.last);
        }
        if (f.error != null) {
            if (!(f.error instanceof NoSuchFileException) && reported.add(f.path)) {
                fileEvent(FileSetEvent.Kind.FAILED, f.path, String.valueOf(f.error));
            }
            return;
        }
        reported.remove(f.path);
        if (f.stopReason != null) {
            fileEvent(f.stopReason, f.path, f.stopDetail);
        }
        if (!follow) {
            stoppedAt.remove(f.path);
        }
    }

    private void fileEvent(FileSetEvent.Kind kind, Path p, String detail) {
        Consumer<FileSetEvent> l = options.onFileEvent();
        if (l != null) {
            try {
                l.accept(new FileSetEvent(kind, p, detail));
            } catch (RuntimeException e) {
                LOG.warn("file event listener failed on {}", kind, e);
            }
        }
    }

    /** A file of the set, from the rescan that found it to the end of its tail. */
    final class Followed {
        final Path path;
        final StartAt start;
        final Sinks.Empty<Void> stop = Sinks.empty();
        /** Lines requested by the merge and not delivered yet. */
        final AtomicLong outstanding = new AtomicLong();
        // written by the tail's emitting thread, read by rescans
        volatile long lastEmitNanos;
        volatile Checkpoint last;
        volatile boolean started;
        volatile Throwable error;
        // rescan worker only
        long goneSince;
        boolean stopping;
        FileSetEvent.Kind stopReason;
        String stopDetail = "";

        Followed(Path path, StartAt start) {
            this.path = path;
            this.start = start;
        }

        void requested(long n) {
            outstanding.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        }

        FileLine received(io.fileflux.reactor.tail.TailLine line) {
            outstanding.decrementAndGet();
            FileLine item = FileLine.of(path, line, last, options.lineOptions().charset());
            if (line.checkpoint() != null) {
                last = line.checkpoint();
            }
            lastEmitNanos = System.nanoTime();
            return item;
        }
    }

    @Override
    public String toString() {
        return "FileSetTail" + options.include();
    }
}
