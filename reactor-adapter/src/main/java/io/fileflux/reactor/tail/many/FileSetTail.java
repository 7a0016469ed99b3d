package io.fileflux.reactor.tail.many;

import io.fileflux.core.FileIdentity;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.internal.FilesBeside;
import io.fileflux.reactor.internal.TailAccess;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.Checkpointer;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
 * merge of their readers. A rescan (one at a time, on a bounded-elastic worker, started by the timer or
 * by the {@link DirectoryWatcher}) lists what the globs match with each file's {@link FileKey} (device
 * and inode number), starts one reader per key not followed yet, and decides which followed files are
 * finished. A reader is the per-file tail of that one file (opened at the path it was found at, checked
 * to be the file found there, then read whatever its name becomes), until a rescan completes its stop
 * signal. So a file renamed from one matching name to another keeps its reader and is never read twice.
 *
 * <p>Threading: the maps and the sink's emissions belong to the rescan worker (a reader's end is handed
 * back to it); a {@link Followed}'s counters are written by its reader's emitting thread and read by
 * the rescan.
 */
final class FileSetTail {

    private static final Logger LOG = LoggerFactory.getLogger(FileSetTail.class);
    /** Files that stopped being followed whose position is remembered (oldest forgotten first). */
    private static final int STOPPED_MAX = 4096;

    private final TailAllOptions options;
    private final Globs globs;
    private final long rotateWaitNanos;
    private final Sinks.Many<Followed> found = Sinks.many().unicast().onBackpressureBuffer();
    private final Scheduler.Worker worker = Schedulers.boundedElastic().createWorker();
    private final AtomicBoolean scanQueued = new AtomicBoolean();
    private final boolean follow;
    private final FileCheckpoints checkpoints;

    // rescan worker only
    private final Map<FileKey, Followed> followed = new LinkedHashMap<>();
    /** Files reported TOO_OLD or FAILED, not reported again until followed in between. */
    private final Set<FileKey> reported = new HashSet<>();
    /** Where files that stopped being followed were, to resume there if they are followed again. */
    private final Map<FileKey, Checkpoint> stoppedAt = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileKey, Checkpoint> eldest) {
            return size() > STOPPED_MAX + options.maxFiles();
        }
    };
    /** Files whose reader found another file at their path: started as meant when seen again. */
    private final Map<FileKey, StartAt> retryStart = new HashMap<>();
    private DirectoryWatcher watcher;
    private boolean firstScan = true;
    private boolean stopped;

    private FileSetTail(TailAllOptions options) {
        this.options = options;
        this.globs = new Globs(options.include(), options.exclude());
        this.rotateWaitNanos = options.fileOptions().rotateWait().toNanos();
        this.follow = options.fileOptions().follow();
        this.checkpoints = options.registry() != null ? new FileCheckpoints(options.registry()) : null;
    }

    static Flux<FileLine> lines(TailAllOptions options) {
        return Flux.defer(() -> new FileSetTail(options).flux());
    }

    private Flux<FileLine> flux() {
        return found.asFlux()
                .flatMap(this::read, options.maxFiles(), options.linesPerFile())
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

    /** From the watcher thread (or a reader's end): a rescan soon, coalescing a burst of requests into one. */
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
        Map<Path, Globs.Found> files = new TreeMap<>(); // in path order: read-once sets print sorted
        List<Path> dirs = new ArrayList<>();
        try {
            globs.scan(files, dirs);
            if (watcher != null) {
                watcher.watch(dirs);
            }
            Map<FileKey, Globs.Found> seen = new LinkedHashMap<>(); // a file at two paths (links): the first
            for (Globs.Found x : files.values()) {
                if (!globs.excluded(x.path())) {
                    seen.putIfAbsent(x.key(), x);
                }
            }
            long now = System.nanoTime();
            for (Followed f : followed.values()) {
                review(f, seen.get(f.key), now);
            }
            FileCheckpoints.Index index = null;
            for (Globs.Found x : seen.values()) {
                if (!followed.containsKey(x.key())) {
                    if (index == null && checkpoints != null) {
                        index = checkpoints.index();
                    }
                    consider(x, index);
                }
            }
            if (firstScan && checkpoints != null) {
                resumeRotatedAway(seen, index != null ? index : checkpoints.index());
            }
            retryStart.keySet().retainAll(seen.keySet());
        } catch (RuntimeException e) {
            LOG.warn("rescanning {} failed", options.include(), e); // the next rescan tries again
        }
        firstScan = false;
    }

    /**
     * A matching file not followed now: follow it unless it is too old, from where it stopped before, or
     * where the registry says (its checkpointer's entry wins over the start position), or from the start
     * position on the first scan (0 for a file at a path the registry knows: a file created there while
     * stopped), or from 0.
     */
    private void consider(Globs.Found x, FileCheckpoints.Index index) {
        FileKey key = x.key();
        if (tooOld(x.modified())) {
            if (reported.add(key)) {
                fileEvent(FileSetEvent.Kind.TOO_OLD, x.path(), "modified " + x.modified());
            }
            return;
        }
        Checkpoint entry = null;
        if (index != null && key.byInode()) {
            FileIdentity id = index.identity(key.ino());
            if (id != null) {
                entry = checkpoints.load(id, x.path());
            }
        }
        Checkpoint resume = stoppedAt.remove(key);
        StartAt retry = retryStart.remove(key);
        StartAt start = resume != null ? StartAt.checkpoint(resume)
                : retry != null ? retry
                : firstScan && (index == null || !index.knownPaths().contains(x.path()))
                        ? options.fileOptions().startAt() : StartAt.beginning();
        long startOffset = entry != null ? entry.offset() : resume != null ? resume.offset()
                : start == StartAt.beginning() ? 0 : -1;
        follow(key, x.path(), x.path(), start, entry, startOffset);
    }

    /**
     * First scan with a registry: each file entry recorded at a path the globs match whose file is not
     * at any matched path now is looked for beside that path (rotated away while stopped) and, found
     * longer than its checkpoint, read from there to its end like any file that left the set.
     */
    private void resumeRotatedAway(Map<FileKey, Globs.Found> seen, FileCheckpoints.Index index) {
        Set<Long> seenInodes = new HashSet<>();
        seen.keySet().forEach(k -> seenInodes.add(k.ino()));
        index.paths().forEach((id, p) -> {
            if (seenInodes.contains(id.index()) || !globs.matches(p)) {
                return;
            }
            Path q = FilesBeside.find(p, id.index());
            FileKey key = q == null ? null : FileKey.of(q);
            if (key == null || key.ino() != id.index() || seen.containsKey(key) || followed.containsKey(key)) {
                return;
            }
            Checkpoint cp = checkpoints.load(id, p);
            if (cp != null && FileEnds.longerThan(q, cp)) {
                follow(key, q, p, StartAt.beginning(), cp, cp.offset()); // p: where it was matched last
            }
        });
    }

    /**
     * Follows the file {@code key} found at {@code path}, last seen at a matched path at {@code matched},
     * starting at {@code startOffset} if known (else -1).
     */
    private void follow(FileKey key, Path path, Path matched, StartAt start, Checkpoint entry, long startOffset) {
        Followed f = new Followed(key, path, matched, start, entry, startOffset, options.lineOptions().charset());
        followed.put(key, f);
        if (followed.size() > options.maxFiles()) {
            fileEvent(FileSetEvent.Kind.WAITING, path, followed.size() - 1 + " files followed, at most "
                    + options.maxFiles());
        }
        found.tryEmitNext(f);
    }

    private boolean tooOld(FileTime modified) {
        return options.maxAge() != null
                && modified.toMillis() < System.currentTimeMillis() - options.maxAge().toMillis();
    }

    /**
     * A followed file at a rescan ({@code x}: where it is now, null if at no matched path): is it finished
     * (left the set, or too old), read to its end and quiet?
     */
    private void review(Followed f, Globs.Found x, long now) {
        if (!f.started || f.stopping) {
            return;
        }
        if (x != null) {
            f.goneSince = 0;
            f.current = x.path();
            if (tooOld(x.modified()) && quiet(f, now) && FileEnds.readToEnd(f.last, x.size(), x.path())) {
                stopFollowing(f, FileSetEvent.Kind.TOO_OLD, "modified " + x.modified());
            }
            return;
        }
        if (f.goneSince == 0) {
            f.goneSince = now;
            return;
        }
        if (now - f.goneSince >= rotateWaitNanos && quiet(f, now)
                && (FileEnds.readToEndOfOpenFile(f) || now - f.lastEmitNanos >= 3 * rotateWaitNanos)) {
            stopFollowing(f, FileSetEvent.Kind.FINISHED, f.current.equals(f.foundAt) ? "" : "last matched at " + f.current);
        }
    }

    /** Nothing delivered for the rotate wait although lines were wanted. */
    private boolean quiet(Followed f, long now) {
        return f.outstanding() > 0 && now - f.lastEmitNanos >= rotateWaitNanos;
    }

    private void stopFollowing(Followed f, FileSetEvent.Kind why, String detail) {
        f.stopping = true;
        f.stopReason = why;
        f.stopDetail = detail;
        f.stop.tryEmitEmpty();
    }

    /** The reader of one file, as an inner stream of the merge. */
    private Flux<FileLine> read(Followed f) {
        return Flux.defer(() -> {
            TailOptions to = options.fileOptions().startAt(f.start);
            Consumer<io.fileflux.reactor.tail.TailEvent> onEvent = options.onEvent();
            if (onEvent != null) {
                to = to.onEvent(onEvent);
            }
            Checkpointer ck = null;
            if (checkpoints != null) {
                ck = Checkpointer.to(checkpoints.store(f.entry, () -> f.current), options.saveInterval());
                to = to.checkpointer(ck);
            }
            Checkpointer flushed = ck;
            f.lastEmitNanos = System.nanoTime();
            f.started = true;
            fileEvent(FileSetEvent.Kind.FOLLOWING, f.foundAt, f.start.toString());
            // following: this very file, whatever its name becomes; read once: whatever is at the path
            Flux<TailLine> lines = follow && f.key.byInode()
                    ? TailAccess.tails().linesOfFile(f.foundAt, f.key.ino(), to, options.lineOptions())
                    : FileFlux.tailLines(f.foundAt, to.followRotation(false), options.lineOptions());
            return lines
                    .doOnRequest(f::requested)
                    .map(f::received)
                    .takeUntilOther(f.stop.asMono())
                    .onErrorResume(e -> {
                        f.error = e;
                        return Flux.empty();
                    })
                    .doFinally(sig -> {
                        if (flushed != null && sig == SignalType.CANCEL) {
                            flush(flushed, f.foundAt); // on the cancelling (user's) thread: saved before dispose returns
                        } else if (flushed != null) {
                            Schedulers.boundedElastic().schedule(() -> flush(flushed, f.foundAt));
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

    /** On the rescan worker: a file's reader ended (stopped, failed, replaced before it opened, or read once). */
    private void ended(Followed f) {
        if (followed.get(f.key) == f) {
            followed.remove(f.key);
        }
        if (f.last != null) {
            stoppedAt.put(f.key, f.last);
        }
        if (f.error != null) {
            if (replaced(f)) {
                retryStart.put(f.key, f.start); // nothing read: the file is started as meant where it is seen next
                requestScan();
            } else if (!(f.error instanceof NoSuchFileException) && reported.add(f.key)) {
                fileEvent(FileSetEvent.Kind.FAILED, f.foundAt, String.valueOf(f.error));
            }
            return;
        }
        reported.remove(f.key);
        if (f.stopReason != null) {
            fileEvent(f.stopReason, f.foundAt, f.stopDetail);
        }
        if (!follow) {
            stoppedAt.remove(f.key);
        }
    }

    /** The reader found another file at the path than the rescan had (renamed or deleted in between). */
    private static boolean replaced(Followed f) {
        return f.error instanceof FileSystemException && !(f.error instanceof NoSuchFileException)
                && !(f.error instanceof AccessDeniedException) && f.key.byInode()
                && FilesBeside.inode(f.foundAt) != f.key.ino();
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

    @Override
    public String toString() {
        return "FileSetTail" + options.include();
    }
}
