package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.IoOperation;
import io.fileflux.core.PoolExhaustedException;
import io.fileflux.core.ReusableIoCallback;
import io.fileflux.reactor.internal.DrainLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A cold publisher of a file's chunks: each subscriber opens its own device, keeps up to
 * {@code maxInFlight} positional reads in flight against its demand, and emits their buffers in offset
 * order whatever order they complete in.
 *
 * <p>Longer than our usual 400 lines, on purpose: nearly all of it is {@link ReadSubscription}, one state
 * machine whose fields (the window of slots, the short-read queue, demand, the terminal state) are touched
 * only inside its drain. Split across classes, those invariants would have to be re-stated at every
 * boundary; kept together, each is checked where it is changed.
 *
 * @param <T> what is emitted per chunk ({@link ByteBuffer} or {@link FileChunk})
 */
final class FluxFileRead<T> extends Flux<T> {

    /** Turns a filled buffer (flipped) read at {@code offset} into the emitted item. */
    @FunctionalInterface
    interface ChunkMapper<T> {
        T map(long offset, ByteBuffer data);
    }

    private final Path path;
    private final ReadOptions options;
    private final ChunkMapper<T> mapper;
    /** Buffers of the caller's kind, read into and emitted as they are; null: the options' buffer mode. */
    private final BufferAllocator<T> allocator;
    /** A device opened by someone else ({@link OpenFile}), read but never closed; null: open per subscriber. */
    private final FileDevice shared;

    FluxFileRead(Path path, ReadOptions options, ChunkMapper<T> mapper) {
        this(path, null, options, mapper, null);
    }

    /** Reads into buffers of {@code allocator} and emits them (see {@link BufferAllocator}). */
    FluxFileRead(Path path, ReadOptions options, BufferAllocator<T> allocator) {
        this(path, null, options, null, allocator);
    }

    /**
     * Reads through {@code shared}, which its owner closes: the terminal signal is sent as soon as the
     * range is read (nothing of this subscription is in flight then, except reads cancelled past an
     * early end of file, which the owner's {@code closeAsync} waits for).
     */
    FluxFileRead(FileDevice shared, ReadOptions options, ChunkMapper<T> mapper) {
        this(shared.path(), shared, options, mapper, null);
    }

    /** Reads {@code shared} into buffers of {@code allocator}. */
    FluxFileRead(FileDevice shared, ReadOptions options, BufferAllocator<T> allocator) {
        this(shared.path(), shared, options, null, allocator);
    }

    private FluxFileRead(Path path, FileDevice shared, ReadOptions options, ChunkMapper<T> mapper,
                         BufferAllocator<T> allocator) {
        this.path = path;
        this.options = options;
        this.mapper = mapper;
        this.allocator = allocator;
        this.shared = shared;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        if (shared != null) {
            if (shared.isClosing()) {
                Operators.error(actual, new IllegalStateException(path + " is already closed"));
                return;
            }
            start(actual, shared, false);
            return;
        }
        FileDevice device;
        try {
            FileEngine engine = options.execution().engineOrDefault();
            Set<OpenOption> open = new HashSet<>(options.openOptions());
            open.add(StandardOpenOption.READ);
            device = engine.open(path, open);
        } catch (IOException | RuntimeException e) {
            Operators.error(actual, e);
            return;
        }
        start(actual, device, true);
    }

    private void start(CoreSubscriber<? super T> actual, FileDevice device, boolean owned) {
        ReadSubscription<T> s = new ReadSubscription<>(actual, device, owned, options, mapper, allocator);
        actual.onSubscribe(s);
        s.start();
    }

    /**
     * One subscription: a {@link DrainLoop} owning a FIFO of slots (reads) in offset order. Engine
     * completions only record their result in a slot and wake the drain; emission, short-read
     * continuations, more reads and the terminal signal (after the device is closed) all happen inside it.
     */
    static final class ReadSubscription<T> extends DrainLoop implements org.reactivestreams.Subscription {

        private final CoreSubscriber<? super T> actual;
        private final FileDevice device;
        /** True if this subscription opened {@link #device} and closes it. */
        private final boolean ownsDevice;
        private final ChunkMapper<T> mapper;
        /** Non-null: chunks are read into this allocator's buffers and emitted as they are. */
        private final BufferAllocator<T> allocator;
        private final int chunkSize;
        private final int maxInFlight;
        private final long end;
        private final boolean direct;
        private final BufferMode bufferMode;
        private final BufferPool pool;

        volatile long requested;
        @SuppressWarnings("rawtypes")
        static final AtomicLongFieldUpdater<ReadSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(ReadSubscription.class, "requested");

        volatile boolean cancelled;
        /** Set by {@link #start()} after onSubscribe returned: the drain may emit. */
        volatile boolean started;
        /** Short reads whose continuation the drain submits (callbacks only record them). */
        final ConcurrentLinkedQueue<Slot> shortReads = new ConcurrentLinkedQueue<>();

        // owned by the drain loop
        private final ArrayDeque<Slot> slots = new ArrayDeque<>();
        /** Slots whose chunk was emitted, reused for later reads (with the engine's op objects they keep). */
        private final ArrayDeque<Slot> spare = new ArrayDeque<>();
        private long emitted;
        private long nextSubmit;
        private long knownSize;
        /** No more reads or emissions: completed, failed or cancelled. */
        private boolean terminated;
        private Throwable terminalError;

        ReadSubscription(CoreSubscriber<? super T> actual, FileDevice device, boolean ownsDevice,
                         ReadOptions options, ChunkMapper<T> mapper, BufferAllocator<T> allocator) {
            super(options.deliverOn());
            this.actual = actual;
            this.device = device;
            this.ownsDevice = ownsDevice;
            this.mapper = mapper;
            this.allocator = allocator;
            this.chunkSize = options.chunkSize();
            this.maxInFlight = options.maxInFlight();
            this.nextSubmit = options.position();
            this.end = options.length() == ReadOptions.TO_END ? Long.MAX_VALUE
                    : saturatedAdd(options.position(), options.length());
            this.direct = options.direct();
            this.bufferMode = options.bufferMode();
            this.pool = options.pool();
        }

        /** Called once after onSubscribe, on the subscribing thread: learns the size, then drains. */
        void start() {
            long size;
            try {
                size = device.size();
            } catch (IOException e) {
                size = 0; // unknown: the EOF probe reads one chunk at a time
            }
            knownSize = size;
            started = true;
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
            if (terminated || cancelled) {
                stop();
                return;
            }
            Throwable bad = badRequest();
            if (bad != null) {
                terminate(bad);
                return;
            }
            continueShortReads();
            if (!terminated) {
                emitReady();
            }
            if (!terminated && !cancelled) {
                submitReads();
            }
            if (terminated || cancelled) {
                stop();
            }
        }

        @Override
        protected void drainFailed(Throwable t) {
            if (terminated || cancelled) {
                Operators.onErrorDropped(t, actual.currentContext());
                stop();
            } else {
                terminate(t instanceof OutOfMemoryError ? outOfMemory("a read", t) : t);
            }
        }

        /** After the end or a cancel: releases what completed, cancels what is in flight, signals once closed. */
        private void stop() {
            if (!terminated) {
                terminated = true; // cancelled by the subscriber: no signal
                cleanSlots();
                if (ownsDevice) {
                    closeThenWake(device);
                }
                return;
            }
            cleanSlots();
            if (!ownsDevice || deviceClosed()) {
                signalOnce(actual, terminalError, cancelled);
            }
        }

        /** Submits the rest of each short read (the callback only recorded it). */
        private void continueShortReads() {
            Slot s;
            while ((s = shortReads.poll()) != null) {
                int got = s.buffer.position() - s.start;
                s.state = Slot.PENDING;
                try {
                    s.op = device.read(s.buffer, s.offset + got, s);
                } catch (RuntimeException | OutOfMemoryError e) {
                    s.error = new IOException("continuing a short read of " + device.path()
                            + " at offset " + (s.offset + got) + " failed: " + e.getMessage(), e);
                    s.state = Slot.FAILED;
                }
            }
        }

        /** Emits completed reads from the head of the FIFO while there is demand. */
        private void emitReady() {
            long r = requested;
            long e = emitted;
            for (;;) {
                if (cancelled) {
                    break;
                }
                Slot head = slots.peekFirst();
                if (head == null) {
                    break;
                }
                int st = head.state;
                if (st == Slot.PENDING || st == Slot.SHORT) {
                    break;
                }
                if (st == Slot.FAILED) {
                    // every chunk before the failing offset has been emitted: fail now, demand or not
                    slots.pollFirst();
                    release(head);
                    terminate(head.error);
                    break;
                }
                ByteBuffer data = head.buffer;
                int bytes = data.position() - head.start;
                if (bytes == 0) {
                    slots.pollFirst();
                    release(head);
                    terminate(null);
                    break;
                }
                if (e == r) {
                    break;
                }
                slots.pollFirst();
                long chunkEnd = head.offset + bytes;
                if (head.probe && chunkEnd < nextSubmit) {
                    nextSubmit = chunkEnd; // a short probe (the only read in flight): go on where it stopped
                }
                if (chunkEnd > knownSize) {
                    knownSize = Math.max(chunkEnd, sizeOrZero());
                }
                T item;
                try {
                    item = item(head, bytes);
                } catch (Throwable ex) {
                    release(head);
                    terminate(ex instanceof OutOfMemoryError ? outOfMemory("the chunk at offset " + head.offset, ex)
                            : ex);
                    break;
                }
                e++;
                emitted = e;
                boolean last = head.eof || chunkEnd >= end;
                long at = head.offset;
                recycle(head);
                Throwable threw = DrainLoop.onNext(actual, item);
                if (threw instanceof OutOfMemoryError) {
                    terminate(outOfMemory("memory while the subscriber handled the chunk at offset " + at,
                            threw));
                    break;
                } else if (threw != null) {
                    cancelled = true; // §2.13: the item is the subscriber's; the rest is cleaned up by stop()
                    break;
                }
                if (last) {
                    terminate(null);
                    break;
                }
                // top the window up after every chunk, not after the batch: the engine copies the next
                // chunks while the subscriber consumes this batch's rest
                submitReads();
                if (terminated) {
                    break;
                }
                r = requested;
            }
            emitted = e;
        }

        /** Keeps min(maxInFlight, outstanding demand) chunks read or reading. */
        private void submitReads() {
            long outstanding = requested - emitted;
            long window = Math.min(maxInFlight, outstanding);
            while (slots.size() < window && nextSubmit < end) {
                if (nextSubmit >= knownSize && !slots.isEmpty()) {
                    break; // past the known size: probe for growth or EOF one read at a time
                }
                long remaining = end - nextSubmit;
                int want = (int) Math.min(chunkSize, remaining);
                boolean probe = nextSubmit >= knownSize;
                if (!direct && !probe) {
                    want = (int) Math.min(want, knownSize - nextSubmit);
                } else if (probe && (bufferMode != BufferMode.POOLED || allocator != null)) {
                    // past the known size: usually the end (one empty read) or a pipe's next few bytes;
                    // never a whole huge chunk allocated just to learn that
                    want = Math.min(want, PROBE_SIZE);
                }
                Slot slot;
                try {
                    slot = allocator != null ? allocatorSlot(nextSubmit, want, probe)
                            : slot(nextSubmit, allocate(want), null, want, probe);
                } catch (RuntimeException | OutOfMemoryError ex) {
                    // no buffer (memory exhausted, pool exhausted or misused): fail the stream, close the file
                    terminate(ex instanceof OutOfMemoryError ? outOfMemory("a " + want + "-byte read buffer", ex)
                            : ex instanceof PoolExhaustedException ? poolExhausted(ex) : ex);
                    return;
                }
                slots.addLast(slot);
                nextSubmit += want;
                try {
                    slot.op = device.read(slot.buffer, slot.offset, slot);
                } catch (RuntimeException | OutOfMemoryError ex) {
                    // an engine may need a native bounce buffer for a heap buffer: that can fail too
                    slots.pollLast();
                    release(slot);
                    terminate(ex instanceof OutOfMemoryError ? outOfMemory("a native buffer for a read", ex) : ex);
                    return;
                }
            }
            if (slots.isEmpty() && nextSubmit >= end) {
                terminate(null); // the range was empty or ended exactly at a chunk boundary
            }
        }

        /** A pool at its capacity: an I/O error naming the file, with the pool's advice. */
        private IOException poolExhausted(Throwable e) {
            return new IOException("reading " + device.path() + " with up to " + maxInFlight + " reads in flight: "
                    + e.getMessage(), e);
        }

        /** What a failed allocation becomes: an I/O error naming the file and what to change. */
        private IOException outOfMemory(String what, Throwable oom) {
            String m = String.valueOf(oom.getMessage());
            String kind = m.contains("direct") || m.contains("Direct") ? "direct memory (-XX:MaxDirectMemorySize)"
                    : "heap (-Xmx)";
            return new IOException("reading " + device.path() + ": cannot allocate " + what + " (" + oom.getMessage()
                    + "); lower chunkSize (" + chunkSize + ") or maxInFlight (" + maxInFlight + "), use a BufferPool, or give the JVM more "
                    + kind, oom);
        }

        /**
         * Ends the subscription: cancels what is in flight and closes the device; the terminal signal
         * is sent from the drain once the handle is closed, so after onComplete/onError no file stays open.
         */
        private void terminate(Throwable error) {
            if (terminated) {
                return;
            }
            terminated = true;
            terminalError = error;
            cleanSlots();
            if (ownsDevice) {
                closeThenWake(device);
            } else {
                stop();
            }
        }

        /** Drops completed slots (returning their buffers) and cancels the reads still in flight. */
        private void cleanSlots() {
            shortReads.clear(); // their slots are cancelled below: nothing more is submitted
            for (var it = slots.iterator(); it.hasNext(); ) {
                Slot s = it.next();
                int st = s.state;
                if (st == Slot.READY || st == Slot.FAILED) {
                    it.remove();
                    release(s);
                } else if (st == Slot.SHORT) {
                    it.remove(); // recorded, not resubmitted: nothing of the engine's holds it
                    release(s);
                } else if (!s.cancelRequested) {
                    s.cancelRequested = true;
                    IoOperation op = s.op;
                    if (op != null) {
                        op.cancel();
                    }
                }
            }
        }

        private long sizeOrZero() {
            try {
                return device.size();
            } catch (IOException e) {
                return 0;
            }
        }

        /** The most a read past the known size asks for in heap and direct modes (pooled: a pool buffer). */
        static final int PROBE_SIZE = 64 * 1024;

        private ByteBuffer allocate(int want) {
            // O_DIRECT transfers whole aligned blocks: the read asks for want rounded up and the slot
            // keeps only want bytes (see Slot.completed)
            int size = direct ? roundUp(want, ReadOptions.DIRECT_ALIGNMENT) : want;
            ByteBuffer b;
            if (bufferMode == BufferMode.POOLED) {
                b = pool.acquire();
            } else if (bufferMode == BufferMode.HEAP && !direct) {
                b = ByteBuffer.allocate(size);
            } else if (direct) {
                // O_DIRECT needs aligned native memory (heap mode too reads into direct buffers then)
                b = ByteBuffer.allocateDirect(size + ReadOptions.DIRECT_ALIGNMENT)
                        .alignedSlice(ReadOptions.DIRECT_ALIGNMENT);
            } else {
                b = ByteBuffer.allocateDirect(size);
            }
            b.limit(size);
            return b;
        }

        /**
         * The item emitted for {@code head}'s {@code bytes} bytes: the allocator's buffer, filled; or the
         * mapper's item of the flipped buffer.
         */
        private T item(Slot head, int bytes) {
            if (allocator != null) {
                @SuppressWarnings("unchecked")
                T buffer = (T) head.handle;
                return allocator.filled(buffer, bytes);
            }
            ByteBuffer data = head.buffer;
            data.limit(data.position()).position(head.start);
            return mapper.map(head.offset, head.start == 0 ? data : data.slice());
        }

        /**
         * A slot reading into a new buffer of the allocator, through its writable view limited to
         * {@code want} bytes. A view that cannot take the read releases the buffer and fails.
         */
        private Slot allocatorSlot(long offset, int want, boolean probe) {
            T buffer = allocator.allocate(want);
            ByteBuffer view;
            try {
                view = allocator.writableView(buffer, want);
                if (view == null || view.isReadOnly() || view.remaining() < want) {
                    throw new IllegalStateException(allocator + " gave no writable view of " + want + " bytes: " + view);
                }
            } catch (RuntimeException | Error e) {
                releaseQuietly(buffer);
                throw e;
            }
            view.limit(view.position() + want);
            return slot(offset, view, buffer, want, probe);
        }

        /** A slot for a new read: a spare one when there is one. */
        private Slot slot(long offset, ByteBuffer buffer, Object handle, int want, boolean probe) {
            Slot s = spare.pollFirst();
            if (s == null) {
                s = new Slot(this);
            }
            s.arm(offset, buffer, handle, want, probe);
            return s;
        }

        /**
         * Keeps a slot whose chunk was emitted for a later read. Its read completed and its callback has
         * recorded the result: neither the engine nor anyone else uses it any more.
         */
        private void recycle(Slot s) {
            s.clear();
            if (spare.size() < maxInFlight) {
                spare.addFirst(s);
            }
        }

        /** Gives back {@code slot}'s buffer, which will never be emitted (the read is not in flight). */
        private void release(Slot slot) {
            if (allocator != null) {
                @SuppressWarnings("unchecked")
                T buffer = (T) slot.handle;
                releaseQuietly(buffer);
            } else {
                release(slot.buffer);
            }
        }

        /** The allocator's release; a throw is routed to {@code onErrorDropped}, the cleanup goes on. */
        private void releaseQuietly(T buffer) {
            try {
                allocator.release(buffer);
            } catch (Throwable t) {
                Operators.onErrorDropped(t, actual.currentContext());
            }
        }

        /**
         * Gives back a buffer that was read but will never be emitted: to the pool in POOLED mode,
         * otherwise to Reactor's discard hook ({@code doOnDiscard(ByteBuffer.class, ...)}).
         */
        private void release(ByteBuffer b) {
            if (pool != null) {
                pool.release(b);
            } else if (b.position() > 0) {
                Operators.onDiscard(b, actual.currentContext());
            }
        }

        private static int roundUp(int n, int alignment) {
            return (n + alignment - 1) / alignment * alignment;
        }

        private static long saturatedAdd(long a, long b) {
            long r = a + b;
            return r < 0 ? Long.MAX_VALUE : r;
        }
    }

    /**
     * One read of up to {@code want} bytes at {@code offset}. Its buffer belongs to the engine while
     * {@link #state} is PENDING; a short read is continued from where it stopped before the slot
     * becomes READY.
     */
    static final class Slot extends ReusableIoCallback {
        static final int PENDING = 0;
        static final int READY = 1;
        static final int FAILED = 2;
        /** A short read recorded by the callback; the drain submits its continuation. */
        static final int SHORT = 3;

        final ReadSubscription<?> parent;
        // set by arm() in the drain before the read is submitted (the submission publishes them to the
        // engine thread); a slot is armed again only after its chunk was emitted
        long offset;
        /** What the engine reads into: the buffer emitted, or the allocator's view of {@link #handle}. */
        ByteBuffer buffer;
        /** The allocator's buffer behind {@link #buffer}, or null without an allocator. */
        Object handle;
        int start;
        int want;
        /**
         * A read at or past the size known when it was submitted (a growing file, a FIFO, a /proc
         * file): it is the only read in flight, and what it returns is emitted as it is, without
         * waiting for the rest of the chunk (which may come much later, or never before the end).
         */
        boolean probe;
        volatile IoOperation op;
        /** Drain-owned: cancel already requested for this slot's read. */
        boolean cancelRequested;
        /** Written before {@link #state}: a read returned 0 (end of file). */
        boolean eof;
        IOException error;
        volatile int state;

        Slot(ReadSubscription<?> parent) {
            this.parent = parent;
        }

        /** Prepares a read of up to {@code want} bytes at {@code offset} into {@code buffer}. */
        void arm(long offset, ByteBuffer buffer, Object handle, int want, boolean probe) {
            this.offset = offset;
            this.buffer = buffer;
            this.handle = handle;
            this.start = buffer.position();
            this.want = want;
            this.probe = probe;
            this.op = null;
            this.cancelRequested = false;
            this.eof = false;
            this.error = null;
            this.state = PENDING;
        }

        /** Drops the references to an emitted chunk (the subscriber owns it now). */
        void clear() {
            buffer = null;
            handle = null;
            op = null;
        }

        /** Engine thread: records the outcome and wakes the drain; nothing else. */
        @Override
        public void completed(int bytes) {
            int got = buffer.position() - start;
            if (bytes > 0 && got < want && buffer.hasRemaining() && !parent.cancelled && !parent.direct && !probe) {
                state = SHORT;
                parent.shortReads.offer(this);
                parent.wake();
                return;
            }
            if (got > want) {
                buffer.position(start + want); // DIRECT reads whole aligned blocks; keep only the range
            }
            eof = bytes == 0 || (parent.direct && got < want);
            state = READY;
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
