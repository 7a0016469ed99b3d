package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.internal.DrainLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;

/**
 * One tail subscription: a {@link DrainLoop} whose states are {@link State}. The drain owns the
 * generation being read, the offset, the one read in flight and the generations waiting; the start-up
 * ({@link TailStart}), the engine's completions, the path probe, the shared watcher and the timers only
 * record what they saw and wake it — the watcher after reading what a write notification announced, inside
 * the drain ({@link #capture()}). Emission, events, the end-of-file decision ({@link EndOfFile}),
 * switching generations and the terminal signal (after the file is closed) all happen inside it, on the
 * delivery scheduler or the requesting thread.
 *
 * <p>Longer than the other parts (about 600 lines) on purpose: the state machine — start, read loop,
 * the watcher's read, the end-of-file actions (with the switch to a copytruncate's copy), termination —
 * stays in one class so it reads top to bottom; everything around it (start-up, decision, probe, watcher,
 * wake-ups, waiting generations, finding the copy) is a class of its own.
 */
final class TailSubscription extends DrainLoop implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(TailSubscription.class);
    /** The watcher thread's buffer for {@link #capture()}: a default chunk and the overlap. */
    private static final ThreadLocal<ByteBuffer> CAPTURE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024 + Generation.OVERLAP));

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
    private final boolean restartOnTruncation;
    private final long idleStopNanos;
    private final long idleMarkerNanos;
    private final long rotateWaitNanos;
    private final Consumer<TailEvent> onEvent;
    private final Checkpointer.Session session;
    private final long expectedInode;

    volatile long requested;
    static final AtomicLongFieldUpdater<TailSubscription> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(TailSubscription.class, "requested");

    volatile boolean cancelled;
    /** Set once by {@link #cleanUp()}: no more timers, probes or notifications. */
    volatile boolean done;

    /** Events seen off the drain (start-up, probe), reported by the drain in order. */
    private final ConcurrentLinkedQueue<TailEvent> events = new ConcurrentLinkedQueue<>();
    private volatile TailStart.Point startPoint;
    private volatile Throwable startError;
    private volatile Disposable startTask;
    private final TailWakeups wakeups;

    // owned by the drain
    private State state = State.STARTING;
    private boolean adopted;
    private Generation current;
    private long position;
    /**
     * The size the last look at the end saw (-1: none since the start, a switch or a restart; files
     * without a size never set it). Reads stop there and look again instead of reading past it: a read
     * past what a look saw mostly returns nothing, and each costs a chunk-sized buffer.
     */
    private long lookedSize = -1;
    /** Generations seen at the path after the current one, oldest first, each held open; bounded. */
    private final Generations pending;
    private TailRead read;
    private ByteBuffer ready;
    private long readyOffset;
    private long emitted;
    private long lastDataNanos;
    private boolean markerSent = true;
    private boolean missingReported;
    private boolean untrackableReported;
    private Throwable terminalError;

    TailSubscription(CoreSubscriber<? super TailChunk> actual, Path path, FileEngine engine, TailOptions options,
                     long idleMarkerNanos, Checkpointer.Session session, long expectedInode) {
        super(options.deliverOn());
        this.expectedInode = expectedInode;
        this.actual = actual;
        this.path = path;
        this.engine = engine;
        this.options = options;
        this.chunkSize = options.chunkSize();
        this.follow = options.follow();
        this.restartOnTruncation = options.truncation() == TruncationPolicy.RESTART;
        this.idleStopNanos = options.idleStop() == null ? 0 : options.idleStop().toNanos();
        this.idleMarkerNanos = idleMarkerNanos;
        this.rotateWaitNanos = options.rotateWait().toNanos();
        this.onEvent = options.onEvent();
        this.session = session;
        this.pending = new Generations(path, options.maxPendingFiles(), this::event);
        this.wakeups = new TailWakeups(path, engine, options, this::wake, () -> wakeAfter(this::capture),
                this::offerEvent);
    }

    /** Called once after onSubscribe: runs the start-up, which wakes the drain when it is done. */
    void start() {
        TailStart start = new TailStart(path, engine, options, expectedInode, this::offerEvent);
        Disposable task = start.resolve().subscribe(p -> {
            if (!start.handOver()) {
                return; // cancelled, and the start-up closed its files
            }
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
            PathProbe pr = wakeups.probe();
            if (pr != null && pr.foundCount.get() != 0) {
                pending.take(pr, current);
            }
            TailRead r = read;
            if (r != null) {
                int st = r.state;
                if (st == TailRead.PENDING) {
                    return;
                }
                read = null;
                if (st == TailRead.FAILED) {
                    terminate(r.error);
                    return;
                }
                ByteBuffer got = r.buffer.flip();
                int again = r.overlap;
                if (again > 0 && r.bytes >= again && !current.unchanged(got, again)) {
                    rewritten();
                    continue;
                }
                if (r.bytes > again) {
                    long at = r.position + again;
                    if (!current.sizeChecked) {
                        checkSizeless(r.position + r.bytes);
                    }
                    ByteBuffer data = got.position(again).slice();
                    current.start.accept(at, data);
                    current.rememberEnd(data);
                    ready = data;
                    readyOffset = at;
                    position = r.position + r.bytes;
                    lastDataNanos = System.nanoTime();
                    markerSent = false;
                    if (current.lastLookSize >= 0 && !pending.isEmpty()) {
                        // a rotated generation grew: dated now, before its bytes are emitted (a look dated
                        // it only when it next saw the size, after what the writer did next)
                        current.readPast(position, lastDataNanos, pending.bytes());
                    }
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
            if (lookedSize >= 0 && position >= lookedSize) {
                state = State.AT_END; // all the last look saw is read: look again
                continue;
            }
            int want = lookedSize > position ? (int) Math.min(chunkSize, lookedSize - position) : chunkSize;
            int again = current.overlap(position);
            TailRead nr = new TailRead(this::wake, position - again, again, ByteBuffer.allocate(again + want));
            read = nr;
            try {
                // bytes just written are in the page cache: read them here, without the engine's threads
                // (the latency between a write and its onNext); else the completion wakes the drain
                if (nr.readCached(current.device)) {
                    continue;
                }
                nr.op = current.device.read(nr.buffer, nr.position, nr);
            } catch (IOException | RuntimeException e) {
                read = null;
                terminate(e);
            }
            return;
        }
    }

    /**
     * On the watcher's thread, inside the drain, when a notification says a file of the tail was written:
     * reads the new bytes from the page cache at once ({@link FileDevice#readCached}), so that they are in
     * memory even if the file is truncated a moment later (copytruncate destroys what a tail has not read
     * by then). The drain, handed to the delivery scheduler next, checks and emits them as the outcome of
     * a read. Only when the tail waits at the end of its one generation with demand; nothing else of the
     * drain runs here, and no user code. The bytes go through this thread's direct buffer, then into a
     * heap buffer of their size. Returns false when the file is as the tail last read it (no new byte, the
     * last bytes read unchanged): a pass of the drain would only find that again, so none is scheduled.
     */
    private boolean capture() {
        Generation g = current;
        if (state != State.AT_END || read != null || ready != null || cancelled || requested == emitted
                || g == null || g.sizeless || !pending.isEmpty()) {
            return true;
        }
        int again = g.overlap(position);
        ByteBuffer scratch = CAPTURE.get().clear();
        scratch.limit((int) Math.min(scratch.capacity(), (long) again + chunkSize));
        long at = position - again;
        int n;
        try {
            n = g.device.readCached(scratch, at);
        } catch (IOException | RuntimeException e) {
            return true; // the drain's own look and read meet it and report it
        }
        if (n <= again) {
            // nothing new: if the last bytes read are all there, unchanged, the file is as it was
            return n < 0 || n < again || again == 0 || !g.unchanged(scratch.flip(), again);
        }
        TailRead r = new TailRead(this::wake, at, again, ByteBuffer.allocate(n).put(scratch.flip()));
        r.done(n);
        read = r;
        state = State.READING;
        return true;
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
            try {
                wakeups.start(p.next != null ? p.next : p.current);
            } catch (RuntimeException rejected) {
                terminate(rejected); // the scheduler was shut down: nothing could wake us
                return false;
            }
        }
        return true;
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
        if (current.sizeless) {
            // no size to compare: its end is where reads end; read again at each poll
            size = follow && wakeups.takePoll() ? position + 1 : position;
            lookedSize = -1;
        } else {
            lookedSize = size;
        }
        long now = System.nanoTime();
        boolean newer = !pending.isEmpty();
        boolean quiet = false;
        boolean newerGrew = false;
        Generation g = current;
        if (newer) {
            long newerBytes = pending.bytes();
            g.lookAtEnd(size, now, pending.peek(), newerBytes);
            quiet = g.complete || now - g.lastChangeNanos >= rotateWaitNanos;
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
                if (continueInCopy()) {
                    return true;
                }
                restartAtZero();
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
                wakeups.deadline(g.lastChangeNanos + rotateWaitNanos - now);
                return waiting(now);
            default:
                return waiting(now);
        }
    }

    /** The current generation is read again from 0 (truncated, or rewritten). */
    private void restartAtZero() {
        position = 0;
        lookedSize = -1;
        current.start.reset();
        current.forgetEnd();
        current.lastLookSize = -1;
        state = State.READING;
    }

    /**
     * A read found the bytes before the offset changed: the file was truncated and written again past the
     * offset between two looks (its size never showed it). Handled as a truncation, reported as its own kind.
     */
    private void rewritten() {
        long at = position;
        if (!restartOnTruncation) {
            long size = current.sizeOrUnknown();
            terminate(new TruncatedFileException(current.device.path(), current.identity, at, size));
            return;
        }
        if (continueInCopy()) {
            return;
        }
        restartAtZero();
        event(new TailEvent(TailEvent.Kind.REWRITTEN, path, current.identity, at));
    }

    /**
     * The current file was truncated under the offset read: if the copy a copytruncate rotation made of it
     * is beside the path ({@link CopyBeside}), the tail reads the rest from the copy, then the file from 0.
     * Reported as {@link TailEvent.Kind#TRUNCATED} with the copy's identity and the offset it continues at.
     * Only for a tail that follows the path by name (a glob tail follows each file on its own).
     */
    private boolean continueInCopy() {
        Generation live = current;
        if (!follow || !options.followRotation() || live.complete || live.sizeless) {
            return false;
        }
        Generation copy = CopyBeside.find(path, engine, live, position);
        if (copy == null) {
            return false;
        }
        long at = position;
        live.start.reset();
        live.forgetEnd();
        live.lastLookSize = -1;
        pending.addFirst(live);
        current = copy;
        lookedSize = -1;
        state = State.READING;
        event(new TailEvent(TailEvent.Kind.TRUNCATED, path, copy.identity, at));
        return true;
    }

    /** After the first data of a generation: a file of size 0 that has data has no size (/proc). */
    private void checkSizeless(long end) {
        current.sizeChecked = true;
        try {
            current.sizeless = current.device.size() == 0 && end > 0;
        } catch (IOException e) {
            current.sizeless = false; // the next look at its end reports it
        }
    }

    /** Nothing to read: reports the path's state, stops when idle, sends the idle marker when due. */
    private boolean waiting(long now) {
        PathProbe pr = wakeups.probe();
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
                wakeups.deadline(idleMarkerNanos - idle);
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

    private void switchToNext() {
        Generation old = current;
        current = pending.poll();
        position = 0;
        lookedSize = -1;
        state = State.READING;
        missingReported = false;
        old.close();
        if (!old.complete) { // after a copy, the file itself follows: its truncation was reported
            event(new TailEvent(TailEvent.Kind.ROTATED, path, current.identity, 0));
        }
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
        wakeups.stop();
        Disposable st = startTask;
        if (st != null) {
            st.dispose();
        }
        TailStart.Point p = startPoint;
        if (p != null && !adopted) {
            p.close();
        }
        TailRead r = read;
        if (r != null) {
            r.cancel();
        }
        read = null;
        ready = null;
        pending.closeAll();
        if (current != null) {
            current.close();
        }
    }
}
