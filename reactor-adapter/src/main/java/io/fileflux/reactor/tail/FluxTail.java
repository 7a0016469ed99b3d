package io.fileflux.reactor.tail;

import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
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
 * <p>One subscription is a WIP drain loop; the drain owns the device, the offset and the read in
 * flight. Work that may block (opening the path to learn its identity) runs on a bounded-elastic worker
 * or on the watcher thread and hands its result to the drain through {@link TailSubscription#pendingNext}.
 * The engine's completion thread only runs the drain, which never opens a file.
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
        FileDevice next;
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
                        s.position = lastLinesStart(s.device, options.startAt().lines);
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

        /** The offset where the last {@code n} lines start (like {@code tail -n}), reading backwards. */
        static long lastLinesStart(FileDevice device, long n) throws IOException {
            long size = device.size();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long p = size;
            long found = 0;
            while (p > 0) {
                int len = (int) Math.min(buf.capacity(), p);
                long from = p - len;
                buf.clear().limit(len);
                readFully(device, buf, from);
                byte[] b = buf.array();
                for (int i = len - 1; i >= 0; i--) {
                    if (b[i] == '\n' && from + i != size - 1 && ++found == n) {
                        return from + i + 1;
                    }
                }
                p = from;
            }
            return 0;
        }

        private static void readFully(FileDevice device, ByteBuffer buf, long position) throws IOException {
            while (buf.hasRemaining()) {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                device.read(buf, position + buf.position(), new IoCallback() {
                    @Override
                    public void completed(int bytes) {
                        f.complete(bytes);
                    }

                    @Override
                    public void failed(IOException error) {
                        f.completeExceptionally(error);
                    }
                });
                int got;
                try {
                    got = f.join();
                } catch (java.util.concurrent.CompletionException e) {
                    if (e.getCause() instanceof IOException) {
                        throw (IOException) e.getCause();
                    }
                    throw e;
                }
                if (got == 0) {
                    throw new IOException(device.path() + ": file shrank while looking for the last lines");
                }
            }
        }
    }

    /** One subscription: a WIP drain loop owning the device, the offset and the one read in flight. */
    static final class TailSubscription implements org.reactivestreams.Subscription {

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

        volatile int wip;
        static final AtomicIntegerFieldUpdater<TailSubscription> WIP =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "wip");

        volatile long requested;
        static final AtomicLongFieldUpdater<TailSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(TailSubscription.class, "requested");

        /** A file newly found at the path by a probe, handed to the drain. */
        volatile Found pendingNext;
        static final AtomicReferenceFieldUpdater<TailSubscription, Found> PENDING_NEXT =
                AtomicReferenceFieldUpdater.newUpdater(TailSubscription.class, Found.class, "pendingNext");

        volatile int timerArmed;
        static final AtomicIntegerFieldUpdater<TailSubscription> TIMER_ARMED =
                AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "timerArmed");

        volatile boolean cancelled;
        volatile boolean done;
        volatile Throwable badRequest;
        /** The identity the drain reads now, for probes running elsewhere. */
        volatile FileIdentity currentIdentity;
        /** Set by probes: the path names no file. */
        volatile boolean pathMissing;

        // owned by the drain loop
        private FileDevice device;
        private FileIdentity identity;
        private long position;
        private FileDevice next;
        private int state = READING;
        private Read read;
        private ByteBuffer ready;
        private long readyOffset;
        private long emitted;
        private long lastDataNanos;
        private boolean markerSent = true;
        private boolean missingReported;
        private boolean started;

        private WatchService watchService;
        private Scheduler.Worker worker;

        TailSubscription(CoreSubscriber<? super TailChunk> actual, Path path, FileEngine engine, TailOptions options,
                         Start start, long idleMarkerNanos, Checkpointer.Session session) {
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
            this.currentIdentity = identity;
            this.position = start.position;
            this.next = start.next;
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
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest = new IllegalArgumentException(
                        "§3.9 violated: positive request amount required but it was " + n);
            } else {
                Operators.addCap(REQUESTED, this, n);
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            drain();
        }

        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                if (started && !done) {
                    step();
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /** Does everything that can be done now: emit, switch files, check the file, submit a read. */
        private void step() {
            for (;;) {
                if (cancelled) {
                    cleanUp();
                    return;
                }
                Throwable bad = badRequest;
                if (bad != null) {
                    terminate(bad);
                    return;
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
                    } else if (r.sawNext && next != null) {
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
                Read nr = new Read(this, position, ByteBuffer.allocate(chunkSize), next != null);
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
         * At end of file: looks at the file's size and at what probes found. Returns true if the state
         * changed (go round again), false to wait for the next wake-up.
         */
        private boolean checkWhileWaiting() {
            takePendingNext();
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
            if (next != null) {
                state = READING; // one more read of the old file, submitted after the new one was seen
                return true;
            }
            boolean missing = pathMissing;
            if (missing && !missingReported) {
                missingReported = true;
                event(new TailEvent(TailEvent.Kind.MISSING, path, identity, position));
            } else if (!missing) {
                missingReported = false;
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
            armTimer();
            return false;
        }

        private void emit(TailChunk chunk) {
            emitted++;
            actual.onNext(chunk);
        }

        private void takePendingNext() {
            Found f = PENDING_NEXT.getAndSet(this, null);
            if (f == null) {
                return;
            }
            FileDevice n = f.device;
            if (!f.base.equals(identity) || n.identity().equals(identity) || next != null) {
                // a stale probe (made while an earlier file was read), the same file, or a later one
                // while the next is known: a later probe finds it again if it still matters
                n.closeAsync();
                return;
            }
            next = n;
        }

        private void switchToNext() {
            FileDevice old = device;
            device = next;
            next = null;
            identity = device.identity();
            currentIdentity = identity;
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
                    }, pollMillis, TimeUnit.MILLISECONDS);
                } catch (RuntimeException e) {
                    timerArmed = 0; // worker disposed: we are done
                }
            }
        }

        /**
         * Runs off the drain (timer worker or watcher thread; may block briefly): opens the path to see
         * whether it still names the file being read, then wakes the drain.
         */
        void probe() {
            if (done || cancelled) {
                return;
            }
            if (followRotation) {
                FileIdentity cur = currentIdentity;
                FileDevice d = null;
                try {
                    d = engine.open(path);
                    pathMissing = false;
                } catch (NoSuchFileException e) {
                    pathMissing = true;
                } catch (IOException | RuntimeException e) {
                    LOG.debug("probing {} failed", path, e);
                }
                if (d != null) {
                    if (d.identity().equals(cur)) {
                        d.closeAsync();
                    } else {
                        Found prev = PENDING_NEXT.getAndSet(this, new Found(d, cur));
                        if (prev != null) {
                            prev.device.closeAsync();
                        }
                        if (done || cancelled) {
                            closePendingNext();
                        }
                    }
                }
            }
            drain();
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
                        drain();
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
            FileDevice d = device;
            cleanUp();
            d.closeAsync().whenComplete((v, closeError) -> {
                if (cancelled) {
                    return; // §1.8: no signal after cancel
                }
                if (error != null) {
                    actual.onError(error);
                } else {
                    actual.onComplete();
                }
            });
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
            if (next != null) {
                next.closeAsync();
                next = null;
            }
            closePendingNext();
            device.closeAsync();
        }

        private void closePendingNext() {
            Found f = PENDING_NEXT.getAndSet(this, null);
            if (f != null) {
                f.device.closeAsync();
            }
        }
    }

    /** A file a probe found at the path, and the identity of the file being read when it looked. */
    static final class Found {
        final FileDevice device;
        final FileIdentity base;

        Found(FileDevice device, FileIdentity base) {
            this.device = device;
            this.base = base;
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
        /** The next file was already known when this read was submitted: its EOF means "switch". */
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

        @Override
        public void completed(int n) {
            bytes = n;
            state = DONE;
            parent.drain();
        }

        @Override
        public void failed(IOException e) {
            error = e;
            state = FAILED;
            parent.drain();
        }
    }
}
