package io.fileflux.reactor.tail;

import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import io.fileflux.reactor.internal.DrainLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A cold publisher that follows a file: it reads against demand, one positional read at a time, and at
 * end of file waits for growth (notifications of the parent directory, plus a poll), follows the path
 * to a new file after a rotation once the old file is read to its end, and restarts or fails when the
 * file is truncated.
 *
 * <p>Rotation: every file a probe sees at the path (a new identity) is opened at once and queued, in
 * the order seen, as a pending generation; the open handle keeps it readable after it is renamed or
 * deleted. When the file being read is finished (end of file after a successor is known), the oldest
 * pending generation is read from its start. So a consumer several rotations behind still reads every
 * generation the tail has seen, in order. At most {@link TailOptions#maxPendingFiles()} generations
 * wait; beyond that the oldest waiting one is closed unread and reported ({@link TailEvent.Kind#SKIPPED}).
 *
 * <p>One subscription is a WIP drain loop; the drain owns the device, the offset, the read in flight
 * and the pending generations. Work that may block (opening the path to learn its identity) runs on a
 * bounded-elastic worker or on the watcher thread, serialized by its own WIP counter, and hands what it
 * opened to the drain through a lock-free queue ({@link TailSubscription#found}). The engine's
 * completion thread only records a read's result and wakes the drain, which runs on the delivery
 * executor (see {@link io.fileflux.reactor.Delivery}) and never opens a file; the start of the last N
 * lines is found by backwards reads submitted from the drain, never by waiting for a read.
 */
final class FluxTail extends Flux<TailChunk> {

    private static final Logger LOG = LoggerFactory.getLogger(FluxTail.class);

    private final Path path;
    private final TailOptions options;
    /** Emit an empty chunk after this long without data (for the line decoder's idle flush), or 0. */
    private final long idleMarkerNanos;
    /** Issue acknowledgements for chunks (false when lines carry them). */
    private final boolean ackChunks;

    FluxTail(Path path, TailOptions options, long idleMarkerNanos, boolean ackChunks) {
        this.path = path.toAbsolutePath();
        this.options = options;
        this.idleMarkerNanos = idleMarkerNanos;
        this.ackChunks = ackChunks;
    }

    @Override
    public void subscribe(CoreSubscriber<? super TailChunk> actual) {
        FileEngine engine = options.engine() != null ? options.engine() : Engines.shared();
        Start start;
        try {
            start = Start.resolve(path, engine, options);
        } catch (IOException | RuntimeException e) {
            Operators.error(actual, e);
            return;
        }
        Checkpointer.Session session = ackChunks && options.checkpointer() != null
                ? options.checkpointer().begin() : null;
        TailSubscription s = new TailSubscription(actual, path, engine, options, start, idleMarkerNanos, session);
        actual.onSubscribe(s);
        s.start(start.events);
    }

    /** Where a subscription starts: the device, the offset, maybe the next file, and events to report. */
    static final class Start {
        FileDevice device;
        long position;
        /** The file at the path when the checkpoint's file was found beside it: read after it. */
        FileDevice next;
        /** Non-null: the start is where the last N lines begin, still to be found. */
        LastLines lastLines;
        final List<TailEvent> events = new ArrayList<>();

        static Start resolve(Path path, FileEngine engine, TailOptions options) throws IOException {
            Start s = new Start();
            Checkpointer ck = options.checkpointer();
            Checkpoint cp = ck != null ? ck.committed().orElse(null) : null;
            if (cp == null && options.startAt().kind == StartAt.Kind.CHECKPOINT) {
                cp = options.startAt().checkpoint;
            }
            if (cp != null) {
                s.fromCheckpoint(path, engine, options, cp);
                return s;
            }
            s.device = engine.open(path);
            try {
                switch (options.startAt().kind) {
                    case END:
                        s.position = s.device.size();
                        break;
                    case LAST_LINES:
                        // found by the subscription's drain, reading backwards without blocking a thread
                        s.lastLines = new LastLines(s.device.size(), options.startAt().lines);
                        break;
                    default:
                        s.position = 0;
                }
            } catch (IOException | RuntimeException e) {
                s.device.closeAsync();
                throw e;
            }
            return s;
        }

        private void fromCheckpoint(Path path, FileEngine engine, TailOptions options, Checkpoint cp)
                throws IOException {
            FileDevice atPath = null;
            try {
                atPath = engine.open(path);
            } catch (NoSuchFileException e) {
                // rotated away while we were stopped, maybe: look for the checkpoint's file below
            }
            if (atPath != null && atPath.identity().equals(cp.identity())) {
                long size = atPath.size();
                device = atPath;
                if (size >= cp.offset()) {
                    position = cp.offset();
                } else if (options.truncation() == TruncationPolicy.FAIL) {
                    atPath.closeAsync();
                    throw new TruncatedFileException(path, cp.identity(), cp.offset(), size);
                } else {
                    position = 0;
                    events.add(new TailEvent(TailEvent.Kind.CHECKPOINT_LOST, path, atPath.identity(), 0));
                }
                return;
            }
            FileDevice old = findByIdentity(path, engine, cp.identity());
            if (old != null && old.size() >= cp.offset()) {
                device = old;
                position = cp.offset();
                if (atPath != null && options.followRotation()) {
                    next = atPath;
                } else if (atPath != null) {
                    atPath.closeAsync();
                }
                events.add(new TailEvent(TailEvent.Kind.RESUMED_ROTATED, old.path(), old.identity(), position));
                return;
            }
            if (old != null) {
                old.closeAsync();
            }
            if (atPath == null) {
                throw new NoSuchFileException(path.toString(), null,
                        "neither the path nor the checkpoint's file " + cp.identity() + " beside it exists");
            }
            device = atPath;
            position = 0;
            events.add(new TailEvent(TailEvent.Kind.CHECKPOINT_LOST, path, atPath.identity(), 0));
        }

        /** A file beside {@code path} whose name starts with its name (app.log.1, app.log-2024...) and has that identity. */
        static FileDevice findByIdentity(Path path, FileEngine engine, FileIdentity id) throws IOException {
            Path dir = path.getParent();
            String name = path.getFileName().toString();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(name)
                    && !p.equals(path) && Files.isRegularFile(p))) {
                for (Path p : ds) {
                    try {
                        Object ino = Files.getAttribute(p, "unix:ino");
                        if (ino instanceof Number && ((Number) ino).longValue() != id.index()) {
                            continue; // cheap pre-check; the device's identity decides
                        }
                    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                        // not a unix file system: open and compare
                    }
                    FileDevice d;
                    try {
                        d = engine.open(p);
                    } catch (IOException e) {
                        continue;
                    }
                    if (d.identity().equals(id)) {
                        return d;
                    }
                    d.closeAsync();
                }
            }
            return null;
        }
    }

    /**
     * Finds where the last {@code n} lines of a file of {@code size} bytes begin (like {@code tail -n}),
     * reading backwards one block at a time. It submits nothing itself: the subscription's drain reads
     * {@link #buffer()} at {@link #offset()} and calls {@link #filled()} after each completed read, so no
     * thread waits for the engine. An unterminated last line counts as a line.
     */
    static final class LastLines {
        static final int BLOCK = 64 * 1024;

        private final long size;
        private final long n;
        private final ByteBuffer buf;
        /** The block being read: [from, end). */
        private long from;
        private long end;
        private long found;
        private long result = -1;

        LastLines(long size, long n) {
            this.size = size;
            this.n = n;
            this.buf = ByteBuffer.allocate((int) Math.max(1, Math.min(BLOCK, size)));
            this.end = size;
            if (size == 0) {
                result = 0;
            } else {
                nextBlock();
            }
        }

        boolean done() {
            return result >= 0;
        }

        /** The offset where the last lines start; valid once {@link #done()}. */
        long result() {
            return result;
        }

        /** Where the next read goes (the rest of the current block). */
        ByteBuffer buffer() {
            return buf;
        }

        long offset() {
            return from + buf.position();
        }

        /** After a read filled part of the buffer: scans the block once it is whole. True when done. */
        boolean filled() {
            if (buf.hasRemaining()) {
                return false;
            }
            byte[] b = buf.array();
            for (int i = buf.limit() - 1; i >= 0; i--) {
                if (b[i] == '\n' && from + i != size - 1 && ++found == n) {
                    result = from + i + 1;
                    return true;
                }
            }
            end = from;
            if (end == 0) {
                result = 0;
                return true;
            }
            nextBlock();
            return false;
        }

        private void nextBlock() {
            int len = (int) Math.min(buf.capacity(), end);
            from = end - len;
            buf.clear().limit(len);
        }
    }

    /**
     * One subscription: a {@link DrainLoop} owning the device, the offset and the one read in flight.
     * Completions, watcher events, timers and probes only record what they saw and wake the drain, which
     * runs on the delivery scheduler; emission, events, file switches and the terminal signal (after the
     * file is closed) all happen inside it.
     */
    static final class TailSubscription extends DrainLoop implements org.reactivestreams.Subscription {

        static final int READING = 0;
        static final int WAITING = 1;

        private final CoreSubscriber<? super TailChunk> actual;
        private final Path path;
        private final FileEngine engine;
        private final int chunkSize;
        private final boolean follow;
        private final boolean followRotation;
        private final boolean watch;
        private final long pollMillis;
        private final TruncationPolicy truncation;
        private final long idleStopNanos;
        private final long idleMarkerNanos;
        private final Consumer<TailEvent> onEvent;
        private final Checkpointer.Session session;

        volatile long requested;
        static final AtomicLongFieldUpdater<TailSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(TailSubscription.class, "requested");

        /** Files newly found at the path by probes, in the order seen, handed to the drain. */
        final ConcurrentLinkedQueue<FileDevice> found = new ConcurrentLinkedQueue<>();
        /** How many devices {@link #found} holds (the probe stops opening files while it holds as many as the bound). */
        volatile int foundCount;
        static final AtomicIntegerFieldUpdater<TailSubscription> FOUND_COUNT =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "foundCount");

        /** Serializes probes (watcher thread, poll timer): they must hand files over in the order seen. */
        volatile int probeWip;
        static final AtomicIntegerFieldUpdater<TailSubscription> PROBE_WIP =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "probeWip");

        volatile int timerArmed;
        static final AtomicIntegerFieldUpdater<TailSubscription> TIMER_ARMED =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "timerArmed");

        /** A one-shot wake-up for the idle marker, due before the next poll. */
        volatile int markerArmed;
        static final AtomicIntegerFieldUpdater<TailSubscription> MARKER_ARMED =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "markerArmed");

        volatile boolean cancelled;
        volatile boolean done;
        /** Set by probes: the path names no file. */
        volatile boolean pathMissing;
        /** Set by probes: the path names something that cannot be followed (a directory, a device). */
        volatile boolean pathUntrackable;

        // owned by the probe loop (guarded by probeWip)
        /**
         * The newest file seen at the path. It is always held open by this subscription (being read, or
         * pending), so its inode cannot be reused by another file while we compare against it.
         */
        private FileIdentity lastAtPath;

        // owned by the drain loop
        private FileDevice device;
        private FileIdentity identity;
        private long position;
        /** Generations seen at the path after the current one, oldest first, each held open; bounded. */
        private final ArrayDeque<FileDevice> pending = new ArrayDeque<>();
        private final int maxPending;
        private int state = READING;
        private Read read;
        private ByteBuffer ready;
        private long readyOffset;
        private long emitted;
        private long lastDataNanos;
        private boolean markerSent = true;
        private boolean missingReported;
        private boolean untrackableReported;
        private boolean started;
        /** Non-null until the start of the last N lines is found (reading backwards, in the drain). */
        private LastLines lastLines;
        /** Drain-owned: terminate() ran; the terminal signal waits for the device's close. */
        private boolean terminating;
        private Throwable terminalError;

        private WatchService watchService;
        private Scheduler.Worker worker;

        TailSubscription(CoreSubscriber<? super TailChunk> actual, Path path, FileEngine engine, TailOptions options,
                         Start start, long idleMarkerNanos, Checkpointer.Session session) {
            super(options.deliverOn());
            this.actual = actual;
            this.path = path;
            this.engine = engine;
            this.chunkSize = options.chunkSize();
            this.follow = options.follow();
            this.followRotation = options.followRotation();
            this.watch = options.watch();
            this.pollMillis = options.pollInterval().toMillis();
            this.truncation = options.truncation();
            this.idleStopNanos = options.idleStop() == null ? 0 : options.idleStop().toNanos();
            this.idleMarkerNanos = idleMarkerNanos;
            this.onEvent = options.onEvent();
            this.session = session;
            this.device = start.device;
            this.identity = device.identity();
            this.position = start.position;
            this.lastLines = start.lastLines;
            this.maxPending = options.maxPendingFiles();
            if (start.next != null) {
                pending.add(start.next);
            }
            this.lastAtPath = start.next != null ? start.next.identity() : identity;
            this.lastDataNanos = System.nanoTime();
        }

        /** Called once after onSubscribe: reports start events, starts the watcher, runs the drain. */
        void start(List<TailEvent> events) {
            for (TailEvent e : events) {
                event(e);
            }
            if (follow) {
                worker = Schedulers.boundedElastic().createWorker();
                if (watch) {
                    startWatcher();
                }
            }
            started = true;
            if (follow && followRotation) {
                armTimer(); // probes run all along, not only at end of file: a slow reader must see rotations
            }
            drain();
        }

        @Override
        public void request(long n) {
            if (checkRequest(n)) {
                Operators.addCap(REQUESTED, this, n);
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            drain();
        }

        @Override
        protected void drainOnce() {
            if (!started) {
                return;
            }
            if (!done) {
                step();
            }
            if (done) {
                finishTermination();
            }
        }

        @Override
        protected void drainFailed(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                finishTermination();
            } else {
                terminate(t instanceof OutOfMemoryError
                        ? new IOException("following " + path + ": out of memory (" + t.getMessage()
                                + "); use a smaller chunkSize (" + chunkSize + ") or give the JVM more heap", t)
                        : t);
            }
        }

        /** After terminate(): the signal, once the file is closed; after a cancel: nothing. */
        private void finishTermination() {
            if (terminating && deviceClosed()) {
                signalOnce(actual, terminalError, cancelled);
            }
        }

        /** Does everything that can be done now: emit, switch files, check the file, submit a read. */
        private void step() {
            for (;;) {
                if (cancelled) {
                    cleanUp();
                    return;
                }
                Throwable bad = badRequest();
                if (bad != null) {
                    terminate(bad);
                    return;
                }
                if (lastLines != null && !findLastLines()) {
                    return;
                }
                if (foundCount != 0) {
                    takeFound();
                }
                Read r = read;
                if (r != null) {
                    int st = r.state;
                    if (st == Read.PENDING) {
                        return;
                    }
                    read = null;
                    if (st == Read.FAILED) {
                        terminate(r.error);
                        return;
                    }
                    if (r.bytes > 0) {
                        ready = r.buffer.flip();
                        readyOffset = r.position;
                        position = r.position + r.bytes;
                        lastDataNanos = System.nanoTime();
                        markerSent = false;
                    } else if (r.sawNext && !pending.isEmpty()) {
                        switchToNext();
                        continue;
                    } else if (!follow) {
                        terminate(null);
                        return;
                    } else {
                        state = WAITING;
                    }
                }
                if (ready != null) {
                    if (requested == emitted) {
                        return;
                    }
                    ByteBuffer data = ready;
                    ready = null;
                    emit(new TailChunk(identity, readyOffset, data, session));
                    continue;
                }
                if (state == WAITING && !checkWhileWaiting()) {
                    return;
                }
                if (done) {
                    return;
                }
                if (state == WAITING) {
                    continue;
                }
                if (requested == emitted) {
                    return; // read only against demand
                }
                Read nr = new Read(this, position, ByteBuffer.allocate(chunkSize), !pending.isEmpty());
                read = nr;
                try {
                    nr.op = device.read(nr.buffer, position, nr);
                } catch (RuntimeException e) {
                    read = null;
                    terminate(e);
                    return;
                }
            }
        }

        /**
         * The start of the last N lines, one backwards read at a time: returns true once it is known
         * (reading starts there), false while a read is in flight or after a failure.
         */
        private boolean findLastLines() {
            Read r = read;
            if (r != null) {
                if (r.state == Read.PENDING) {
                    return false;
                }
                read = null;
                if (r.state == Read.FAILED) {
                    terminate(r.error);
                    return false;
                }
                if (r.bytes == 0) {
                    terminate(new IOException(device.path() + ": file shrank while looking for the last lines"));
                    return false;
                }
                lastLines.filled();
            }
            if (lastLines.done()) {
                position = lastLines.result();
                lastLines = null;
                return true;
            }
            Read nr = new Read(this, lastLines.offset(), lastLines.buffer(), false);
            read = nr;
            try {
                nr.op = device.read(nr.buffer, nr.position, nr);
            } catch (RuntimeException e) {
                read = null;
                terminate(e);
            }
            return false;
        }

        /**
         * At end of file: looks at the file's size and at what probes found. Returns true if the state
         * changed (go round again), false to wait for the next wake-up.
         */
        private boolean checkWhileWaiting() {
            long size;
            try {
                size = device.size();
            } catch (IOException e) {
                terminate(e);
                return false;
            }
            if (size > position) {
                state = READING;
                return true;
            }
            if (size < position) {
                if (truncation == TruncationPolicy.FAIL) {
                    terminate(new TruncatedFileException(device.path(), identity, position, size));
                    return false;
                }
                position = 0;
                state = READING;
                event(new TailEvent(TailEvent.Kind.TRUNCATED, path, identity, 0));
                return true;
            }
            if (!pending.isEmpty()) {
                state = READING; // one more read of the old file, submitted after the next one was seen
                return true;
            }
            boolean missing = pathMissing;
            if (missing && !missingReported) {
                missingReported = true;
                event(new TailEvent(TailEvent.Kind.MISSING, path, identity, position));
            } else if (!missing) {
                missingReported = false;
            }
            if (pathUntrackable && !untrackableReported) {
                untrackableReported = true;
                event(new TailEvent(TailEvent.Kind.UNTRACKABLE, path, identity, position));
            } else if (!pathUntrackable) {
                untrackableReported = false;
            }
            long idle = System.nanoTime() - lastDataNanos;
            if (idleStopNanos > 0 && idle >= idleStopNanos) {
                terminate(null);
                return false;
            }
            if (idleMarkerNanos > 0 && !markerSent && idle >= idleMarkerNanos) {
                if (requested == emitted) {
                    return false;
                }
                markerSent = true;
                emit(new TailChunk(identity, position, ByteBuffer.allocate(0), null));
                return true;
            }
            if (idleMarkerNanos > 0 && !markerSent) {
                armMarkerTimer(idleMarkerNanos - idle); // the marker is due before the next poll, maybe
            }
            armTimer();
            return false;
        }

        private void emit(TailChunk chunk) {
            emitted++;
            Throwable threw = DrainLoop.onNext(actual, chunk);
            if (threw instanceof OutOfMemoryError) {
                terminate(new IOException("following " + path + ": out of memory while the subscriber handled "
                        + "the chunk at offset " + chunk.offset() + " (" + threw.getMessage() + ")", threw));
            } else if (threw != null) {
                cancelled = true; // §2.13: treated as a cancel; the next step cleans up
            }
        }

        /**
         * Moves what probes found into the pending generations, in the order seen. A file we already hold
         * (the current one or a pending one, moved back onto the path) is not queued twice: held open, its
         * inode cannot have been reused. Beyond the bound, the oldest pending generation is dropped.
         */
        private void takeFound() {
            FileDevice d;
            while ((d = found.poll()) != null) {
                FOUND_COUNT.decrementAndGet(this);
                if (holds(d.identity())) {
                    d.closeAsync();
                    continue;
                }
                pending.addLast(d);
                if (pending.size() > maxPending) {
                    FileDevice dropped = pending.pollFirst();
                    long size;
                    try {
                        size = dropped.size();
                    } catch (IOException e) {
                        size = -1;
                    }
                    dropped.closeAsync();
                    LOG.warn("{}: more than {} rotated files wait to be read; skipping {} ({} bytes)", path,
                            maxPending, dropped.identity(), size);
                    event(new TailEvent(TailEvent.Kind.SKIPPED, path, dropped.identity(), size));
                }
            }
        }

        private boolean holds(FileIdentity id) {
            if (id.equals(identity)) {
                return true;
            }
            for (FileDevice p : pending) {
                if (id.equals(p.identity())) {
                    return true;
                }
            }
            return false;
        }

        private void switchToNext() {
            FileDevice old = device;
            device = pending.pollFirst();
            identity = device.identity();
            position = 0;
            state = READING;
            missingReported = false;
            old.closeAsync();
            event(new TailEvent(TailEvent.Kind.ROTATED, path, identity, 0));
        }

        private void event(TailEvent e) {
            if (onEvent != null) {
                try {
                    onEvent.accept(e);
                } catch (RuntimeException ex) {
                    LOG.warn("tail event listener threw for {}", e, ex);
                }
            }
        }

        // ---- wake-ups: a poll timer on a bounded-elastic worker and a directory watcher thread ----

        private void armTimer() {
            Scheduler.Worker w = worker;
            if (w != null && TIMER_ARMED.compareAndSet(this, 0, 1)) {
                try {
                    w.schedule(() -> {
                        timerArmed = 0;
                        probe();
                        if (followRotation && !done && !cancelled) {
                            armTimer(); // keep looking at the path while reading, too
                        }
                    }, pollMillis, TimeUnit.MILLISECONDS);
                } catch (RuntimeException e) {
                    timerArmed = 0; // worker disposed: we are done
                }
            }
        }

        private void armMarkerTimer(long delayNanos) {
            Scheduler.Worker w = worker;
            if (w != null && delayNanos < TimeUnit.MILLISECONDS.toNanos(pollMillis)
                    && MARKER_ARMED.compareAndSet(this, 0, 1)) {
                try {
                    w.schedule(() -> {
                        markerArmed = 0;
                        wake();
                    }, delayNanos, TimeUnit.NANOSECONDS);
                } catch (RuntimeException e) {
                    markerArmed = 0; // worker disposed: we are done
                }
            }
        }

        /**
         * Runs off the drain (timer worker or watcher thread; may block briefly): looks at the path and, if
         * it names a file not seen there before, opens it and hands it to the drain; then wakes the drain.
         * Probes are serialized (a probe asked for while one runs makes it look once more), so files are
         * handed over in the order they appeared at the path.
         */
        void probe() {
            if (PROBE_WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                if (!done && !cancelled && followRotation) {
                    probeOnce();
                }
                missed = PROBE_WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    break;
                }
            }
            wake();
        }

        private void probeOnce() {
            FileIdentity last = lastAtPath;
            try {
                // cheap pre-check without opening: the inode we hold open cannot belong to another file
                Object ino = Files.getAttribute(path, "unix:ino");
                pathMissing = false;
                if (ino instanceof Number && ((Number) ino).longValue() == last.index()) {
                    pathUntrackable = false;
                    return;
                }
            } catch (NoSuchFileException e) {
                pathMissing = true;
                return;
            } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                // not a unix file system: open and compare
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                pathUntrackable = true; // a directory or a device took the name: keep the file we have
                return;
            }
            pathUntrackable = false;
            if (foundCount >= maxPending) {
                return; // the drain has not taken what we found yet: look again at the next wake-up
            }
            FileDevice d;
            try {
                d = engine.open(path);
                pathMissing = false;
            } catch (NoSuchFileException e) {
                pathMissing = true;
                return;
            } catch (IOException | RuntimeException e) {
                LOG.debug("probing {} failed", path, e);
                return;
            }
            if (d.identity().equals(last)) {
                d.closeAsync();
                return;
            }
            lastAtPath = d.identity();
            FOUND_COUNT.incrementAndGet(this);
            found.offer(d);
            if (done || cancelled) {
                closeFound(); // raced with termination: nobody else will take it
            }
        }

        private void startWatcher() {
            Path dir = path.getParent();
            try {
                watchService = dir.getFileSystem().newWatchService();
                dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | RuntimeException e) {
                LOG.info("watching {} failed, polling every {} ms instead: {}", dir, pollMillis, e.toString());
                closeWatcher();
                return;
            }
            WatchService ws = watchService;
            Path name = path.getFileName();
            Thread t = new Thread(() -> watchLoop(ws, name), "fileflux-tail-watch-" + name);
            t.setDaemon(true);
            t.start();
        }

        private void watchLoop(WatchService ws, Path name) {
            try {
                for (;;) {
                    WatchKey key = ws.take();
                    boolean wake = false;
                    boolean probe = false;
                    for (WatchEvent<?> ev : key.pollEvents()) {
                        WatchEvent.Kind<?> kind = ev.kind();
                        if (kind == StandardWatchEventKinds.OVERFLOW) {
                            probe = true;
                        } else if (kind == StandardWatchEventKinds.ENTRY_MODIFY) {
                            wake = true; // maybe the rotated old file we still read: a size check is cheap
                        } else if (name.equals(ev.context())) {
                            probe = true; // our name was created, deleted or renamed
                        }
                    }
                    key.reset();
                    if (probe) {
                        probe();
                    } else if (wake) {
                        wake();
                    }
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                // cancelled or terminated
            }
        }

        private void closeWatcher() {
            WatchService ws = watchService;
            if (ws != null) {
                try {
                    ws.close();
                } catch (IOException e) {
                    LOG.debug("closing the watch service failed", e);
                }
            }
        }

        // ---- termination ----

        /** Ends the subscription; the terminal signal follows once the device is closed. */
        private void terminate(Throwable error) {
            if (done) {
                return;
            }
            terminating = true;
            terminalError = error;
            FileDevice d = device;
            cleanUp();
            closeThenWake(d);
        }

        /** Once: stops wake-ups, cancels the read in flight, closes every device. */
        private void cleanUp() {
            if (done) {
                return;
            }
            done = true;
            closeWatcher();
            if (worker != null) {
                worker.dispose();
            }
            Read r = read;
            if (r != null && r.state == Read.PENDING) {
                IoOperation op = r.op;
                if (op != null) {
                    op.cancel();
                }
            }
            read = null;
            ready = null;
            for (FileDevice p : pending) {
                p.closeAsync();
            }
            pending.clear();
            closeFound();
            device.closeAsync();
        }

        /** Closes what probes handed over and the drain has not taken (after termination). */
        private void closeFound() {
            FileDevice d;
            while ((d = found.poll()) != null) {
                FOUND_COUNT.decrementAndGet(this);
                d.closeAsync();
            }
        }
    }

    /** One read at {@code position}; its buffer is the engine's until the callback has run. */
    static final class Read implements IoCallback {
        static final int PENDING = 0;
        static final int DONE = 1;
        static final int FAILED = 2;

        final TailSubscription parent;
        final long position;
        final ByteBuffer buffer;
        /** A next generation was already pending when this read was submitted: its EOF means "switch". */
        final boolean sawNext;
        volatile IoOperation op;
        int bytes;
        IOException error;
        volatile int state;

        Read(TailSubscription parent, long position, ByteBuffer buffer, boolean sawNext) {
            this.parent = parent;
            this.position = position;
            this.buffer = buffer;
            this.sawNext = sawNext;
        }

        /** Engine thread: records the outcome and wakes the drain; nothing else. */
        @Override
        public void completed(int n) {
            bytes = n;
            state = DONE;
            parent.wake();
        }

        @Override
        public void failed(IOException e) {
            error = e;
            state = FAILED;
            parent.wake();
        }
    }
}
