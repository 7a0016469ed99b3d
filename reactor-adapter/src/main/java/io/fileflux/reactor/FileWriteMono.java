package io.fileflux.reactor;

import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * Writes a publisher of buffers to a file and emits the number of bytes written. Each subscriber opens
 * its own device (a temporary file beside the target in atomic mode), subscribes to the source, keeps up
 * to {@code maxInFlight} positional writes in flight, requests more buffers only as writes complete, and
 * succeeds only once every byte is written, synced when asked, the file closed and (atomic) renamed.
 */
final class FileWriteMono extends Mono<Long> {

    private static final Logger LOG = LoggerFactory.getLogger(FileWriteMono.class);

    private final Publisher<? extends ByteBuffer> source;
    private final Path target;
    private final WriteOptions options;

    FileWriteMono(Publisher<? extends ByteBuffer> source, Path target, WriteOptions options) {
        this.source = source;
        this.target = target;
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Long> actual) {
        WriteSubscriber w;
        try {
            w = open(actual, target, options);
        } catch (IOException | RuntimeException e) {
            Operators.error(actual, e);
            return;
        }
        actual.onSubscribe(w);
        source.subscribe(w);
    }

    /**
     * Opens the target (or a temporary file for an atomic replace) and returns the subscriber that
     * writes to it. Blocking (an {@code open} call): runs on the subscribing thread.
     */
    static WriteSubscriber open(CoreSubscriber<? super Long> actual, Path target, WriteOptions options)
            throws IOException {
        FileEngine engine = options.engine() != null ? options.engine() : Engines.shared();
        Set<StandardOpenOption> open = EnumSet.of(StandardOpenOption.WRITE);
        switch (options.mode()) {
            case CREATE_NEW:
                open.add(StandardOpenOption.CREATE_NEW);
                break;
            case TRUNCATE:
                open.add(StandardOpenOption.CREATE);
                open.add(StandardOpenOption.TRUNCATE_EXISTING);
                break;
            default:
                open.add(StandardOpenOption.CREATE);
        }
        Set<PosixFilePermission> perms = options.permissions();
        Path temp = null;
        Path file = target;
        if (options.atomic()) {
            if (options.mode() == WriteOptions.Mode.CREATE_NEW && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                // the rename at the end would fail: refuse before writing and syncing everything
                throw new java.nio.file.FileSystemException(target.toString(), null, "Is a directory");
            }
            if (perms == null && posix(target) && Files.isRegularFile(target)) {
                perms = Files.getPosixFilePermissions(target); // a replace keeps the replaced file's mode
            }
            temp = tempBeside(target);
            file = temp;
            open = EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        }
        FileAttribute<?>[] attrs = perms != null && posix(file)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)}
                : new FileAttribute<?>[0];
        FileDevice device = engine.open(file, open, attrs);
        long start;
        try {
            start = switch (options.mode()) {
                case APPEND -> device.size();
                case AT_POSITION -> options.position();
                default -> 0;
            };
        } catch (IOException | RuntimeException e) {
            device.closeAsync();
            throw e;
        }
        return new WriteSubscriber(actual, device, target, temp, start, options);
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** A fresh name in the target's own directory, so that the final rename stays on one file system. */
    private static Path tempBeside(Path target) {
        Path abs = target.toAbsolutePath();
        String name = "." + abs.getFileName() + ".fileflux-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp";
        return abs.resolveSibling(name);
    }

    /**
     * One write: the subscriber of the source and the subscription of the {@code Mono}. A WIP drain loop
     * owns every counter; writes complete on the engine's thread and hand themselves back through an
     * MPSC queue, so nothing takes a lock.
     */
    static final class WriteSubscriber implements CoreSubscriber<ByteBuffer>, Subscription {

        /** Receiving buffers and writing them. */
        static final int WRITING = 0;
        /** Upstream completed; waiting for the last writes. */
        static final int FLUSHING = 1;
        /** Every byte written; the end-of-write sync is in flight. */
        static final int SYNCING = 2;
        /** Failed or cancelled; no more writes are issued, waiting for those in flight. */
        static final int STOPPING = 3;
        /** Closing the device (then renaming or deleting the temporary file). */
        static final int CLOSING = 4;
        /** Closed successfully: the result waits for downstream demand. */
        static final int RESULT_READY = 5;
        /** The terminal signal was sent (or the subscription was cancelled and cleaned up). */
        static final int TERMINATED = 6;

        private final CoreSubscriber<? super Long> actual;
        private final FileDevice device;
        private final Path target;
        private final Path temp;
        private final int maxInFlight;
        private final long maxBytesInFlight;
        private final WriteOptions.Durability durability;
        private final Consumer<ByteBuffer> release;
        private final LongConsumer progress;
        private final boolean createNew;
        private final Queue<ByteBuffer> received = Queues.<ByteBuffer>unbounded(16).get();
        private final Queue<Write> finished = Queues.<Write>unboundedMultiproducer().get();

        volatile int wip;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<WriteSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(WriteSubscriber.class, "wip");

        /** Set once downstream has requested the result (any positive amount). */
        volatile boolean resultRequested;
        volatile boolean cancelled;
        /** Upstream terminated; {@link #upstreamError} is written before. */
        volatile boolean done;
        /** Written by the close or the final file operation before {@link #closed}. */
        volatile boolean closed;
        volatile Subscription upstream;
        /** A non-positive downstream request (§3.9), published by the drain it triggers. */
        volatile Throwable badRequest;

        private Throwable upstreamError;
        private Throwable closeError;

        // owned by the drain loop
        private int phase;
        private long position;
        /** Buffers requested from upstream and not yet written (received ones included). */
        private long outstanding;
        private int inFlight;
        private long bytesHeld;
        private long written;
        private Throwable failure;
        private boolean upstreamCancelled;
        private boolean syncDone;

        WriteSubscriber(CoreSubscriber<? super Long> actual, FileDevice device, Path target, Path temp, long start,
                        WriteOptions options) {
            this.actual = actual;
            this.device = device;
            this.target = target;
            this.temp = temp;
            this.position = start;
            this.maxInFlight = options.maxInFlight();
            this.maxBytesInFlight = options.maxBytesInFlight();
            this.durability = temp != null && options.durability() == WriteOptions.Durability.NONE
                    ? WriteOptions.Durability.DATASYNC : options.durability();
            this.release = options.release();
            this.progress = options.progress();
            this.createNew = options.mode() == WriteOptions.Mode.CREATE_NEW;
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        // ---- upstream (the source of buffers)

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) { // §2.5: a second subscription is cancelled
                upstream = s;
                drain();
            }
        }

        @Override
        public void onNext(ByteBuffer buffer) {
            if (buffer == null) { // §2.13
                throw new NullPointerException("onNext called with null");
            }
            received.offer(buffer);
            drain();
        }

        @Override
        public void onError(Throwable t) {
            if (t == null) { // §2.13
                throw new NullPointerException("onError called with null");
            }
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            upstreamError = t;
            done = true;
            drain();
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            drain();
        }

        // ---- downstream (the Mono's subscriber)

        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest = new IllegalArgumentException(
                        "§3.9 violated: positive request amount required but it was " + n);
            } else {
                resultRequested = true;
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            drain();
        }

        // ---- the drain loop

        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                reapWrites();
                step();
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /** Accounts for writes that completed, in whatever order, and hands their buffers back. */
        private void reapWrites() {
            boolean progressed = false;
            Write w;
            while ((w = finished.poll()) != null) {
                if (w.sync) {
                    syncDone = true;
                    if (w.error != null && failure == null) {
                        failure = w.error;
                    }
                    continue;
                }
                inFlight--;
                bytesHeld -= w.length;
                written += w.length - w.data.remaining();
                if (w.error != null) {
                    if (failure == null) {
                        failure = w.error;
                    }
                } else {
                    progressed = true;
                }
                releaseQuietly(w.original);
            }
            if (progressed && progress != null) {
                try {
                    progress.accept(written);
                } catch (Throwable t) {
                    LOG.warn("progress callback threw for {}", target, t);
                }
            }
        }

        /**
         * Runs the state machine until the phase stops changing: a transition made without a signal
         * (the source's error found with nothing in flight, say) must act now, as no later completion
         * will call the drain again.
         */
        private void step() {
            int before;
            do {
                before = phase;
                stepOnce();
            } while (phase != before);
        }

        private void stepOnce() {
            if (phase < STOPPING) {
                Throwable stop = cancelled ? null : badRequest != null ? badRequest : failure;
                if (cancelled || stop != null) {
                    if (failure == null) {
                        failure = stop;
                    }
                    phase = STOPPING;
                }
            }
            if (phase != WRITING) {
                discardReceived();
                Subscription s = upstream;
                if (s != null && !upstreamCancelled && !done) {
                    upstreamCancelled = true;
                    s.cancel();
                }
            }
            switch (phase) {
                case WRITING:
                    writeReceived();
                    if (phase == WRITING) {
                        requestMore();
                    }
                    break;
                case FLUSHING:
                    if (inFlight == 0) {
                        startSync();
                    }
                    break;
                case SYNCING:
                    if (syncDone) {
                        startClose();
                    }
                    break;
                case STOPPING:
                    if (inFlight == 0) {
                        startClose();
                    }
                    break;
                case CLOSING:
                    if (closed) {
                        finish();
                    }
                    break;
                case RESULT_READY:
                    if (cancelled) {
                        phase = TERMINATED;
                    } else if (badRequest != null) {
                        phase = TERMINATED;
                        actual.onError(badRequest); // §3.9
                    } else if (resultRequested) {
                        phase = TERMINATED;
                        actual.onNext(written);
                        actual.onComplete();
                    }
                    break;
                default:
                    discardReceived(); // late buffers after the end
            }
        }

        /** Submits received buffers while fewer than maxInFlight writes are in flight. */
        private void writeReceived() {
            ByteBuffer b;
            while (inFlight < maxInFlight && (b = received.poll()) != null) {
                outstanding--;
                int n = b.remaining();
                if (n == 0) {
                    releaseQuietly(b);
                    continue;
                }
                long at = position;
                if (at + n < 0) {
                    releaseQuietly(b);
                    failure = new IllegalArgumentException("write past the largest file offset: " + at + " + " + n);
                    phase = STOPPING;
                    return;
                }
                position = at + n;
                Write w = new Write(this, b, at);
                inFlight++;
                bytesHeld += n;
                try {
                    device.write(w.data, at, w);
                } catch (RuntimeException e) {
                    inFlight--;
                    bytesHeld -= n;
                    releaseQuietly(b);
                    failure = new FileIoException("write", device.path(), at, 0, "SUBMIT_FAILED",
                            String.valueOf(e.getMessage()), e);
                    phase = STOPPING;
                    return;
                }
            }
            if (done && received.isEmpty()) {
                if (upstreamError != null) {
                    failure = upstreamError;
                    phase = STOPPING;
                } else {
                    phase = FLUSHING;
                    if (inFlight == 0) {
                        startSync();
                    }
                }
            }
        }

        /** Asks upstream for as many buffers as there are free write slots, while under the byte bound. */
        private void requestMore() {
            Subscription s = upstream;
            if (s == null || done) {
                return;
            }
            long free = maxInFlight - inFlight - outstanding; // outstanding counts the received, unwritten ones
            if (free > 0 && bytesHeld < maxBytesInFlight) {
                outstanding += free;
                s.request(free);
            }
        }

        private void startSync() {
            if (durability == WriteOptions.Durability.NONE) {
                startClose();
                return;
            }
            phase = SYNCING;
            try {
                device.sync(durability == WriteOptions.Durability.FSYNC, new IoCallback() {
                    @Override
                    public void completed(int result) {
                        startCloseFromCallback(null);
                    }

                    @Override
                    public void failed(IOException error) {
                        startCloseFromCallback(error);
                    }
                });
            } catch (RuntimeException e) {
                failure = new FileIoException("sync", device.path(), -1, 0, "SUBMIT_FAILED",
                        String.valueOf(e.getMessage()), e);
                startClose();
            }
        }

        /** The sync ended (on the engine thread): a marker carries its outcome to the drain. */
        private void startCloseFromCallback(IOException error) {
            finished.offer(new Write(this, error));
            drain();
        }

        private void startClose() {
            phase = CLOSING;
            device.closeAsync().whenComplete((v, e) -> {
                closeError = e;
                if (temp == null) {
                    closed = true;
                    drain();
                } else {
                    // rename or delete: blocking file-system calls, kept off the engine's thread
                    Schedulers.boundedElastic().schedule(this::finishTempFile);
                }
            });
        }

        /** Atomic mode, after the close: rename the synced temporary file over the target, or delete it. */
        private void finishTempFile() {
            boolean success = failure == null && closeError == null && !cancelled;
            if (success) {
                try {
                    publish(temp, target, createNew);
                    if (durability != WriteOptions.Durability.NONE && !syncDirectoryQuietly()) {
                        LOG.debug("directory of {} not synced", target);
                    }
                } catch (IOException | RuntimeException e) {
                    closeError = e;
                    success = false;
                }
            }
            if (!success) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("could not delete the temporary file {}", temp, e);
                }
            }
            closed = true;
            drain();
        }

        /**
         * Moves {@code temp} to {@code target} atomically: {@code rename(2)} over an existing target, or
         * for a create-new write a hard link that fails if the target appeared meanwhile.
         */
        private static void publish(Path temp, Path target, boolean createNew) throws IOException {
            if (createNew) {
                try {
                    Files.createLink(target, temp);
                    Files.delete(temp);
                    return;
                } catch (UnsupportedOperationException e) {
                    Files.move(temp, target); // no hard links here: fails if the target exists
                    return;
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        /** fsync of the directory, so the rename itself survives a crash (POSIX; a no-op elsewhere). */
        private boolean syncDirectoryQuietly() {
            Path dir = target.toAbsolutePath().getParent();
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** After the close: the result, the error, or (cancelled) nothing. */
        private void finish() {
            Throwable error = failure != null ? failure : closeError;
            if (cancelled) {
                phase = TERMINATED;
                return; // §1.8: no signal after cancel
            }
            if (error != null) {
                phase = TERMINATED;
                actual.onError(error);
                return;
            }
            phase = RESULT_READY; // step() goes on to emit it once requested
        }

        private void discardReceived() {
            ByteBuffer b;
            while ((b = received.poll()) != null) {
                outstanding--;
                releaseQuietly(b);
            }
        }

        private void releaseQuietly(ByteBuffer b) {
            try {
                release.accept(b);
            } catch (Throwable t) {
                LOG.warn("release callback threw for {}", target, t);
            }
        }
    }

    /**
     * One upstream buffer being written at {@code offset}. The engine writes a duplicate, so the caller's
     * buffer keeps its position and limit; a short write is continued from where it stopped. Once the
     * write is done it is handed to the drain, which releases the original buffer.
     */
    static final class Write implements IoCallback {
        final WriteSubscriber parent;
        final ByteBuffer original;
        final ByteBuffer data;
        final long offset;
        final int length;
        final boolean sync;
        /** Written before this write is offered to the finished queue (which publishes it). */
        IOException error;

        Write(WriteSubscriber parent, ByteBuffer original, long offset) {
            this.parent = parent;
            this.original = original;
            this.data = original.duplicate();
            this.offset = offset;
            this.length = data.remaining();
            this.sync = false;
        }

        Write(WriteSubscriber parent, IOException syncError) {
            this.parent = parent;
            this.original = null;
            this.data = ByteBuffer.allocate(0);
            this.offset = -1;
            this.length = 0;
            this.sync = true;
            this.error = syncError;
        }

        @Override
        public void completed(int bytes) {
            if (data.hasRemaining()) { // even after a cancel: a write in flight lands whole or fails
                long at = offset + (length - data.remaining());
                if (bytes <= 0) {
                    error = new FileIoException("write", parent.device.path(), at, 0, "NO_PROGRESS",
                            "(the write transferred 0 bytes)");
                } else {
                    try {
                        parent.device.write(data, at, this); // short write: continue from where it stopped
                        return;
                    } catch (RuntimeException e) {
                        error = new FileIoException("write", parent.device.path(), at, 0, "SUBMIT_FAILED",
                                String.valueOf(e.getMessage()), e);
                    }
                }
            }
            parent.finished.offer(this);
            parent.drain();
        }

        @Override
        public void failed(IOException e) {
            error = e;
            parent.finished.offer(this);
            parent.drain();
        }
    }
}
