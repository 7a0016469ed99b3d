package io.fileflux.reactor.tail;

import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import io.fileflux.reactor.internal.DrainLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/**
 * One tail subscription: a {@link DrainLoop} whose states are {@link State}. The drain owns the
 * generation being read, the offset, the one read in flight and the generations waiting; the start-up
 * ({@link TailStart}), the engine's completions, the path probe, the shared watcher and the timers only
 * record what they saw and wake it. Emission, events, the end-of-file decision ({@link EndOfFile}),
 * switching generations and the terminal signal (after the file is closed) all happen inside it, on the
 * delivery scheduler or the requesting thread.
 */
final class TailSubscription extends DrainLoop implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(TailSubscription.class);

    /** The operator's states. */
    enum State {
        /** The start-up runs; nothing to read yet. */
        STARTING,
        /** Reading the current generation against demand (a read may be in flight). */
        READING,
        /** At the end of the current generation: {@link EndOfFile} decides at each wake-up. */
        AT_END,
        /** Terminating: every file is closing; the terminal signal follows the current file's close. */
        CLOSING,
        /** Terminal signal sent, or cancelled. */
        DONE
    }

    private final CoreSubscriber<? super TailChunk> actual;
    private final Path path;
    private final FileEngine engine;
    private final TailOptions options;
    private final int chunkSize;
    private final boolean follow;
    private final boolean followRotation;
    private final boolean restartOnTruncation;
    private final long pollMillis;
    private final long idleStopNanos;
    private final long idleMarkerNanos;
    private final long rotateWaitNanos;
    private final int maxPending;
    private final Consumer<TailEvent> onEvent;
    private final Checkpointer.Session session;

    volatile long requested;
    static final AtomicLongFieldUpdater<TailSubscription> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(TailSubscription.class, "requested");

    /** A one-shot wake-up due before the next poll (idle marker, end of a rotation grace). */
    volatile int deadlineArmed;
    static final AtomicIntegerFieldUpdater<TailSubscription> DEADLINE_ARMED =
            AtomicIntegerFieldUpdater.newUpdater(TailSubscription.class, "deadlineArmed");

    volatile boolean cancelled;
    /** Set once by {@link #cleanUp()}: no more timers, probes or notifications. */
    volatile boolean done;

    /** Events seen off the drain (start-up, probe), reported by the drain in order. */
    private final ConcurrentLinkedQueue<TailEvent> events = new ConcurrentLinkedQueue<>();
    private volatile TailStart.Point startPoint;
    private volatile Throwable startError;
    private volatile Disposable startTask;
    private volatile Disposable pollTimer;
    /** Set by the drain when following starts, read by timers and the watcher. */
    private volatile PathProbe probe;
    private volatile DirectoryWatcher.Registration watch;

    // owned by the drain
    private State state = State.STARTING;
    private boolean adopted;
    private Generation current;
    private long position;
    /** Generations seen at the path after the current one, oldest first, each held open; bounded. */
    private final ArrayDeque<Generation> pending = new ArrayDeque<>();
    private Read read;
    private ByteBuffer ready;
    private long readyOffset;
    private long emitted;
    private long lastDataNanos;
    private boolean markerSent = true;
    private boolean missingReported;
    private boolean untrackableReported;
    private Throwable terminalError;

    TailSubscription(CoreSubscriber<? super TailChunk> actual, Path path, FileEngine engine, TailOptions options,
                     long idleMarkerNanos, Checkpointer.Session session) {
        super(options.deliverOn());
        this.actual = actual;
        this.path = path;
        this.engine = engine;
        this.options = options;
        this.chunkSize = options.chunkSize();
        this.follow = options.follow();
        this.followRotation = options.followRotation();
        this.restartOnTruncation = options.truncation() == TruncationPolicy.RESTART;
        this.pollMillis = options.pollInterval().toMillis();
        this.idleStopNanos = options.idleStop() == null ? 0 : options.idleStop().toNanos();
        this.idleMarkerNanos = idleMarkerNanos;
        this.rotateWaitNanos = options.rotateWait().toNanos();
        this.maxPending = options.maxPendingFiles();
        this.onEvent = options.onEvent();
        this.session = session;
    }

    /** Called once after onSubscribe: runs the start-up, which wakes the drain when it is done. */
    void start() {
        Disposable task = new TailStart(path, engine, options, this::offerEvent).resolve().subscribe(p -> {
            startPoint = p;
            if (done) {
                p.close(); // cancelled while starting: nobody else will close it
            }
            wake();
        }, e -> {
            startError = e;
            wake();
        });
        startTask = task;
        if (done) {
            task.dispose();
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
        if (state != State.CLOSING && state != State.DONE) {
            step();
        }
        if (state == State.CLOSING) {
            finishTermination();
        }
    }

    @Override
    protected void drainFailed(Throwable t) {
        if (state == State.CLOSING || state == State.DONE) {
            Operators.onErrorDropped(t, actual.currentContext());
            finishTermination();
        } else {
            terminate(t instanceof OutOfMemoryError
                    ? new IOException("following " + path + ": out of memory (" + t.getMessage()
                            + "); use a smaller chunkSize (" + chunkSize + ") or give the JVM more heap", t)
                    : t);
        }
    }

    /** Does everything that can be done now: adopt the start, emit, decide at the end, submit a read. */
    private void step() {
        for (;;) {
            if (cancelled) {
                cleanUp();
                state = State.DONE; // §1.8: no signal after cancel
                return;
            }
            Throwable bad = badRequest();
            if (bad != null) {
                terminate(bad);
                return;
            }
            reportEvents();
            if (state == State.STARTING && !adoptStart()) {
                return;
            }
            if (state == State.CLOSING) {
                return;
            }
            PathProbe pr = probe;
            if (pr != null && pr.foundCount.get() != 0) {
                takeFound(pr);
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
                    ByteBuffer data = r.buffer.flip();
                    current.start.accept(r.position, data);
                    ready = data;
                    readyOffset = r.position;
                    position = r.position + r.bytes;
                    lastDataNanos = System.nanoTime();
                    markerSent = false;
                } else {
                    state = State.AT_END;
                }
            }
            if (ready != null) {
                if (requested == emitted) {
                    return;
                }
                ByteBuffer data = ready;
                ready = null;
                emit(new TailChunk(current.identity, current.start.fingerprint(), readyOffset, data, session));
                continue;
            }
            if (state == State.AT_END) {
                if (!atEnd()) {
                    return;
                }
                continue;
            }
            if (requested == emitted) {
                return; // read only against demand
            }
            Read nr = new Read(this, position, ByteBuffer.allocate(chunkSize));
            read = nr;
            try {
                nr.op = current.device.read(nr.buffer, position, nr);
            } catch (RuntimeException e) {
                read = null;
                terminate(e);
            }
            return; // the completion wakes the drain
        }
    }

    /** STARTING: takes the start-up's outcome. Returns true once reading can begin. */
    private boolean adoptStart() {
        Throwable e = startError;
        if (e != null) {
            terminate(e);
            return false;
        }
        TailStart.Point p = startPoint;
        if (p == null) {
            return false;
        }
        adopted = true;
        current = p.current;
        position = p.position;
        if (p.next != null) {
            pending.add(p.next);
        }
        lastDataNanos = System.nanoTime();
        p.events.forEach(this::event);
        state = State.READING;
        if (follow) {
            startFollowing(p.next != null ? p.next : p.current);
        }
        return true;
    }

    /** Starts the probe, the shared watcher's notifications and the poll timer. */
    private void startFollowing(Generation newest) {
        if (followRotation) {
            probe = new PathProbe(path, engine, maxPending, newest, this::wake, this::offerEvent);
        }
        if (options.watch()) {
            try {
                watch = DirectoryWatcher.of(path.getFileSystem()).register(path.getParent(), this::onWatchEvent);
            } catch (IOException | RuntimeException e) {
                LOG.info("watching {} failed, polling every {} ms instead: {}", path.getParent(), pollMillis,
                        e.toString());
            }
        }
        try {
            pollTimer = Schedulers.boundedElastic().schedulePeriodically(this::onPoll, pollMillis, pollMillis,
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            terminate(e); // the scheduler was shut down: nothing could wake us
        }
        if (probe != null) {
            probe.request(); // the path may have changed during the start-up
        }
    }

    /**
     * AT_END: looks at the file (size, newer generations, the grace) and acts on {@link EndOfFile}'s
     * decision. Returns true if the state changed (go round again), false to wait for a wake-up.
     */
    private boolean atEnd() {
        long size;
        try {
            size = current.device.size();
        } catch (IOException e) {
            terminate(e);
            return false;
        }
        long now = System.nanoTime();
        boolean newer = !pending.isEmpty();
        boolean quiet = false;
        boolean newerGrew = false;
        Generation g = current;
        if (newer) {
            long newerBytes = newerBytes();
            if (g.lastLookSize < 0) {
                Generation next = pending.peekFirst();
                boolean untouched = next.predecessorSizeWhenSeen == size;
                // not written since the next one appeared: it has been quiet since then
                g.lastChangeNanos = untouched ? next.seenNanos : now;
                g.newerBytesAtChange = untouched ? 0 : newerBytes;
            } else if (size != g.lastLookSize) {
                g.lastChangeNanos = now;
                g.newerBytesAtChange = newerBytes;
            }
            g.lastLookSize = size;
            quiet = now - g.lastChangeNanos >= rotateWaitNanos;
            newerGrew = newerBytes > g.newerBytesAtChange;
        } else {
            g.lastLookSize = -1;
        }
        EndOfFile.Action action = EndOfFile.decide(new EndOfFile.Look(position, size, newer, follow,
                restartOnTruncation, quiet, newerGrew));
        switch (action) {
            case READ:
                state = State.READING;
                return true;
            case RESTART:
                position = 0;
                g.start.reset();
                g.lastLookSize = -1;
                state = State.READING;
                event(new TailEvent(TailEvent.Kind.TRUNCATED, path, g.identity, 0));
                return true;
            case FAIL:
                terminate(new TruncatedFileException(g.device.path(), g.identity, position, size));
                return false;
            case NEXT:
                switchToNext();
                return true;
            case COMPLETE:
                terminate(null);
                return false;
            case WAIT_GRACE:
                armDeadline(g.lastChangeNanos + rotateWaitNanos - now);
                return waiting(now);
            default:
                return waiting(now);
        }
    }

    /** The bytes of the generations waiting (their sizes now). */
    private long newerBytes() {
        long sum = 0;
        for (Generation p : pending) {
            sum += Math.max(0, p.sizeOrUnknown());
        }
        return sum;
    }

    /** Nothing to read: reports the path's state, stops when idle, sends the idle marker when due. */
    private boolean waiting(long now) {
        PathProbe pr = probe;
        if (pr != null) {
            boolean missing = pr.missing;
            if (missing && !missingReported) {
                event(new TailEvent(TailEvent.Kind.MISSING, path, current.identity, position));
            }
            missingReported = missing;
            boolean untrackable = pr.untrackable;
            if (untrackable && !untrackableReported) {
                event(new TailEvent(TailEvent.Kind.UNTRACKABLE, path, current.identity, position));
            }
            untrackableReported = untrackable;
        }
        long idle = now - lastDataNanos;
        if (idleStopNanos > 0 && idle >= idleStopNanos) {
            terminate(null);
            return false;
        }
        if (idleMarkerNanos > 0 && !markerSent) {
            if (idle < idleMarkerNanos) {
                armDeadline(idleMarkerNanos - idle);
                return false;
            }
            if (requested == emitted) {
                return false;
            }
            markerSent = true;
            emit(new TailChunk(current.identity, current.start.fingerprint(), position, ByteBuffer.allocate(0), null));
            return true;
        }
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
     * Moves what the probe found into the waiting generations, in the order seen. A file already held
     * (moved back onto the path) is not queued twice. Beyond the bound, the oldest waiting one is
     * closed unread and reported with the bytes it had.
     */
    private void takeFound(PathProbe pr) {
        Generation g;
        while ((g = pr.found.poll()) != null) {
            pr.foundCount.decrementAndGet();
            if (holds(g.identity)) {
                g.close();
                continue;
            }
            pending.addLast(g);
            if (pending.size() > maxPending) {
                Generation dropped = pending.pollFirst();
                long size = dropped.sizeOrUnknown();
                dropped.close();
                LOG.warn("{}: more than {} rotated files wait to be read; skipping {} ({} bytes)", path,
                        maxPending, dropped.identity, size);
                event(new TailEvent(TailEvent.Kind.SKIPPED, path, dropped.identity, size));
            }
        }
    }

    private boolean holds(FileIdentity id) {
        if (id.equals(current.identity)) {
            return true;
        }
        for (Generation p : pending) {
            if (id.equals(p.identity)) {
                return true;
            }
        }
        return false;
    }

    private void switchToNext() {
        Generation old = current;
        current = pending.pollFirst();
        position = 0;
        state = State.READING;
        missingReported = false;
        old.close();
        event(new TailEvent(TailEvent.Kind.ROTATED, path, current.identity, 0));
    }

    private void offerEvent(TailEvent e) {
        events.offer(e);
        wake();
    }

    private void reportEvents() {
        TailEvent e;
        while ((e = events.poll()) != null) {
            event(e);
        }
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

    // ---- wake-ups: the shared watcher, the poll timer, a one-shot deadline ----

    /** On the shared watcher's thread: must not block. */
    private void onWatchEvent(WatchEvent.Kind<?> kind, Path name, int count) {
        PathProbe pr = probe;
        if (kind == StandardWatchEventKinds.OVERFLOW) {
            if (pr != null) {
                pr.request();
            } else {
                wake();
            }
            return;
        }
        Path own = path.getFileName();
        if (name == null || !name.toString().startsWith(own.toString())) {
            return; // another file of the directory
        }
        if (kind == StandardWatchEventKinds.ENTRY_MODIFY || pr == null || !own.equals(name)) {
            wake(); // the file, or a rotated generation we may still read, changed: a size check is cheap
        } else if (kind == StandardWatchEventKinds.ENTRY_CREATE) {
            pr.created(count);
        } else {
            pr.request();
        }
    }

    private void onPoll() {
        PathProbe pr = probe;
        if (pr != null) {
            pr.request(); // wakes the drain after the look
        } else {
            wake();
        }
    }

    private void armDeadline(long delayNanos) {
        if (delayNanos <= 0) {
            wake();
            return;
        }
        if (delayNanos < TimeUnit.MILLISECONDS.toNanos(pollMillis) && !done
                && DEADLINE_ARMED.compareAndSet(this, 0, 1)) {
            try {
                Schedulers.boundedElastic().schedule(() -> {
                    deadlineArmed = 0;
                    wake();
                }, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                deadlineArmed = 0; // scheduler shut down: the poll timer is the fallback
            }
        }
    }

    // ---- termination ----

    /** Ends the subscription; the terminal signal follows once the current file is closed. */
    private void terminate(Throwable error) {
        if (state == State.CLOSING || state == State.DONE) {
            return;
        }
        terminalError = error;
        Generation c = current;
        cleanUp();
        state = State.CLOSING;
        if (c != null) {
            closeThenWake(c.device);
        }
    }

    /** CLOSING: the signal, once the file is closed (after a cancel: none). */
    private void finishTermination() {
        if (current == null || deviceClosed()) {
            signalOnce(actual, terminalError, cancelled);
            state = State.DONE;
        }
    }

    /** Once: stops every wake-up, cancels the read in flight, closes every file held. */
    private void cleanUp() {
        if (done) {
            return;
        }
        done = true;
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
        Disposable st = startTask;
        if (st != null) {
            st.dispose();
        }
        TailStart.Point p = startPoint;
        if (p != null && !adopted) {
            p.close();
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
        pending.forEach(Generation::close);
        pending.clear();
        if (current != null) {
            current.close();
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
        volatile IoOperation op;
        int bytes;
        IOException error;
        volatile int state;

        Read(TailSubscription parent, long position, ByteBuffer buffer) {
            this.parent = parent;
            this.position = position;
            this.buffer = buffer;
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
