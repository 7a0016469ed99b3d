package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileFingerprint;
import io.fileflux.reactor.internal.FilesBeside;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The start-up of one tail subscription, as an asynchronous {@link Mono}: opens the path (on a
 * bounded-elastic thread: an open may block), resolves where reading starts — the beginning, the end,
 * the last N lines (found by asynchronous reads), or a checkpoint (checked against the file's identity
 * and first bytes, and looked for beside the path when the path names another file now) — and hands
 * over a {@link Point}. A tail that follows the path and finds it missing or unreadable waits and
 * retries every poll interval instead of failing, reporting {@link TailEvent.Kind#WAITING}.
 *
 * <p>Ownership: every device this start-up opens is either in the {@link Point} it emits (the
 * subscription owns it from then on) or closed by the start-up, also when it is cancelled or fails.
 */
final class TailStart {

    /** Where reading starts: the generation, the offset, maybe the file after it, and events to report. */
    static final class Point {
        final Generation current;
        final long position;
        /** The file at the path when the checkpoint's file was found beside it: read after it. */
        final Generation next;
        final List<TailEvent> events;

        Point(Generation current, long position, Generation next, List<TailEvent> events) {
            this.current = current;
            this.position = position;
            this.next = next;
            this.events = events;
        }

        void close() {
            current.close();
            if (next != null) {
                next.close();
            }
        }
    }

    /** The path cannot be opened now, and a tail following it by name waits for it. */
    private static final class Unavailable extends IOException {
        final IOException cause;

        Unavailable(IOException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    private final Path path;
    private final FileEngine engine;
    private final TailOptions options;
    private final Consumer<TailEvent> events;
    private final boolean waitForPath;
    /** The inode number the file at the path must have when opened, or -1 for any. */
    private final long expectedInode;
    /** Every device opened and not (yet) handed over; closed if the start-up ends without a Point. */
    private final List<FileDevice> opened = new ArrayList<>();
    private Class<?> waitingFor;
    private boolean handedOver;
    /** The start-up ended (a Point, an error, a cancel): a device opened later is closed at once. */
    private boolean finished;

    /**
     * @param events where {@link TailEvent.Kind#WAITING} is reported while the start-up waits (the
     *               subscription queues it for its drain); called from a bounded-elastic thread
     * @param expectedInode the inode number the file opened at the path must have (the file a caller
     *               found there; another file there now fails the start-up with a
     *               {@link FileSystemException} saying it was replaced), or -1 for any file
     */
    TailStart(Path path, FileEngine engine, TailOptions options, long expectedInode, Consumer<TailEvent> events) {
        this.path = path;
        this.engine = engine;
        this.options = options;
        this.expectedInode = expectedInode;
        this.events = events;
        this.waitForPath = options.follow() && options.followRotation();
    }

    /**
     * The start-up; subscribe once. Its subscriber takes the emitted {@link Point} with {@link #handOver()}
     * first thing in {@code onNext}: a Point emitted to a subscriber that was disposed in between is then
     * still closed here (the hand-over never happened), and one taken is never closed here.
     */
    Mono<Point> resolve() {
        return Mono.defer(this::attempt)
                .subscribeOn(Schedulers.boundedElastic())
                .doFinally(signal -> closeUnclaimed());
    }

    private Mono<Point> attempt() {
        Mono<Point> point;
        try {
            Checkpoint cp = options.checkpointer() != null ? options.checkpointer().committed().orElse(null) : null;
            if (cp == null && options.startAt().kind == StartAt.Kind.CHECKPOINT) {
                cp = options.startAt().checkpoint;
            }
            point = cp != null ? fromCheckpoint(cp) : fresh();
        } catch (IOException | RuntimeException e) {
            point = Mono.error(e);
        }
        return point.onErrorResume(Unavailable.class, this::waitAndRetry);
    }

    private Mono<Point> waitAndRetry(Unavailable u) {
        if (u.cause.getClass() != waitingFor) {
            waitingFor = u.cause.getClass();
            events.accept(new TailEvent(TailEvent.Kind.WAITING, path, null, -1));
        }
        return Mono.delay(options.pollInterval(), Schedulers.boundedElastic()).then(Mono.defer(this::attempt));
    }

    /** No checkpoint: the start position says where. A file that appeared after waiting is read from 0. */
    private Mono<Point> fresh() throws IOException {
        FileDevice d = open(path);
        Generation g = generation(d);
        List<TailEvent> ev = new ArrayList<>();
        if (waitingFor != null) {
            ev.add(new TailEvent(TailEvent.Kind.APPEARED, path, g.identity, 0));
            return Mono.just(new Point(g, 0, null, ev));
        }
        switch (options.startAt().kind) {
            case END: {
                long size = d.size();
                return fingerprint(g).thenReturn(new Point(g, size, null, ev));
            }
            case LAST_LINES:
                return fingerprint(g).then(LastLines.start(d, d.size(), options.startAt().lines))
                        .map(pos -> new Point(g, pos, null, ev));
            default:
                return Mono.just(new Point(g, 0, null, ev));
        }
    }

    private Mono<Point> fromCheckpoint(Checkpoint cp) throws IOException {
        FileDevice atPath = openIfThere(); // null: rotated away while we were stopped, maybe
        List<TailEvent> ev = new ArrayList<>();
        if (atPath != null && atPath.identity().equals(cp.identity())) {
            Generation g = generation(atPath);
            return fingerprint(g).then(Mono.defer(() -> {
                if (!g.start.matches(cp.fingerprint())) {
                    // the inode number was reused by another file: the checkpoint's file is gone
                    ev.add(new TailEvent(TailEvent.Kind.CHECKPOINT_LOST, path, g.identity, 0));
                    return Mono.just(new Point(g, 0, null, ev));
                }
                long size = size(atPath);
                if (size >= cp.offset()) {
                    return Mono.just(new Point(g, cp.offset(), null, ev));
                }
                if (options.truncation() == TruncationPolicy.FAIL) {
                    return Mono.error(new TruncatedFileException(path, cp.identity(), cp.offset(), size));
                }
                g.start.reset();
                ev.add(new TailEvent(TailEvent.Kind.CHECKPOINT_LOST, path, g.identity, 0));
                return Mono.just(new Point(g, 0, null, ev));
            }));
        }
        FileDevice current = atPath;
        return findBeside(cp).flatMap(old -> {
            if (old.isPresent()) {
                Generation g = old.get();
                ev.add(new TailEvent(TailEvent.Kind.RESUMED_ROTATED, g.device.path(), g.identity, cp.offset()));
                // the file at the path came after it; the old one is not written any more (rotated while stopped)
                Generation next = current != null ? new Generation(current, System.nanoTime(), size(g.device)) : null;
                return Mono.just(new Point(g, cp.offset(), next, ev));
            }
            if (current == null) {
                NoSuchFileException e = new NoSuchFileException(path.toString(), null,
                        "neither the path nor the checkpoint's file " + cp.identity() + " beside it exists");
                return Mono.error(waitForPath ? new Unavailable(e) : e);
            }
            Generation g = generation(current);
            ev.add(new TailEvent(TailEvent.Kind.CHECKPOINT_LOST, path, g.identity, 0));
            return Mono.just(new Point(g, 0, null, ev));
        });
    }

    /**
     * The checkpoint's file beside the path, at least as long as the checkpoint: a regular file in the
     * same directory whose name starts with the path's name ({@code app.log.1}, {@code app.log-20240501};
     * not compressed ones), of the checkpoint's identity, beginning with its fingerprinted bytes.
     */
    private Mono<Optional<Generation>> findBeside(Checkpoint cp) throws IOException {
        List<Generation> candidates = new ArrayList<>();
        String name = path.getFileName().toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path.getParent(),
                p -> p.getFileName().toString().startsWith(name) && !p.equals(path) && !FilesBeside.compressed(p)
                        && Files.isRegularFile(p))) {
            for (Path p : ds) {
                if (!sameInode(p, cp)) {
                    continue;
                }
                FileDevice d;
                try {
                    d = open(p);
                } catch (IOException e) {
                    continue;
                }
                if (d.identity().equals(cp.identity())) {
                    candidates.add(generation(d));
                } else {
                    d.closeAsync();
                }
            }
        }
        return Flux.fromIterable(candidates)
                .concatMap(g -> fingerprint(g).thenReturn(g))
                .filter(g -> g.start.matches(cp.fingerprint()) && size(g.device) >= cp.offset())
                .next()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .doOnNext(found -> candidates.stream().filter(g -> found.orElse(null) != g)
                        .forEach(Generation::close));
    }

    /** True unless {@code p} is known to have another inode number than the checkpoint's file. */
    private static boolean sameInode(Path p, Checkpoint cp) {
        long ino = FilesBeside.inode(p);
        return ino < 0 || ino == cp.identity().index(); // unknown here, or gone: open and compare
    }

    /** Reads the generation's first bytes into its fingerprint. */
    private static Mono<Void> fingerprint(Generation g) {
        return DeviceReads.read(g.device, 0, FileFingerprint.FULL_LENGTH)
                .doOnNext(buf -> g.start.accept(0, buf))
                .then();
    }

    private FileDevice openIfThere() throws IOException {
        try {
            return open(path);
        } catch (Unavailable | NoSuchFileException e) {
            return null;
        }
    }

    private FileDevice open(Path p) throws IOException {
        FileDevice d;
        try {
            d = engine.open(p);
        } catch (NoSuchFileException | AccessDeniedException e) {
            if (waitForPath && p.equals(path)) {
                throw new Unavailable(e);
            }
            throw e;
        }
        if (expectedInode >= 0 && p.equals(path) && d.identity().index() != expectedInode) {
            d.closeAsync();
            throw new FileSystemException(p.toString(), null, "replaced: the file found there (inode "
                    + expectedInode + ") is no longer there (inode " + d.identity().index() + " is)");
        }
        synchronized (opened) {
            if (!finished) {
                opened.add(d);
                return d;
            }
        }
        d.closeAsync(); // cancelled while opening: nobody will take it
        throw new java.util.concurrent.CancellationException("tail start-up cancelled");
    }

    private static Generation generation(FileDevice d) {
        return new Generation(d, System.nanoTime(), -1);
    }

    private static long size(FileDevice d) {
        try {
            return d.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The subscriber takes the emitted Point's devices. Returns false when the start-up had already ended
     * (cancelled) and closed them: the Point is then dead.
     */
    boolean handOver() {
        synchronized (opened) {
            if (finished) {
                return false;
            }
            handedOver = true;
            return true;
        }
    }

    /**
     * After the start-up ended (a Point, an error or a cancel): closes what it opened and did not hand
     * over. With a Point, only the devices that are not in it (the path's file when a candidate beside
     * it was chosen instead, and the like) are still listed here as closed already.
     */
    private void closeUnclaimed() {
        synchronized (opened) {
            finished = true;
            if (!handedOver) {
                opened.forEach(FileDevice::closeAsync);
            }
            opened.clear();
        }
    }
}
