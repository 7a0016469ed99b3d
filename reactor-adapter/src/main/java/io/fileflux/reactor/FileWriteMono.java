package io.fileflux.reactor;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.reactor.internal.DrainLoop;
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
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * Writes a publisher of buffers to a file and emits the number of bytes written. Each subscriber opens
 * its own device (a temporary file beside the target in atomic mode), subscribes to the source, keeps up
 * to {@code maxInFlight} positional writes in flight, requests more buffers only as writes complete, and
 * succeeds only once every byte is written, synced when asked, the file closed and (atomic) renamed.
 *
 * <p>Longer than our usual 400 lines, on purpose: nearly all of it is {@link WriteSubscriber}, one state
 * machine (upstream demand, writes in flight, short writes, sync, close, rename or delete) whose fields are
 * touched only inside its drain; kept in one class, each invariant is checked where it is changed.
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
        FileEngine engine = options.execution().engineOrDefault();
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

    /**
     * The names {@link #tempBeside} gives, {@code .NAME.fileflux-HEX.tmp} for a target named {@code NAME}
     * (exactly that pattern: {@link FileWriteCopy} removes stale ones by it).
     */
    static java.util.regex.Pattern tempNamePattern(Path target) {
        return java.util.regex.Pattern.compile("\\." + java.util.regex.Pattern.quote(
                String.valueOf(target.toAbsolutePath().getFileName())) + "\\.fileflux-[0-9a-f]+\\.tmp");
    }

    /** A fresh name in the target's own directory, so that the final rename stays on one file system. */
    static Path tempBeside(Path target) {
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
    static final class WriteSubscriber extends DrainLoop implements CoreSubscriber<ByteBuffer>, Subscription {

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
        /** Short writes recorded by their callback; the drain submits the rest. */
        private final Queue<Write> shortWrites = Queues.<Write>unboundedMultiproducer().get();

        /** Set once downstream has requested the result (any positive amount). */
        volatile boolean resultRequested;
        volatile boolean cancelled;
        /** Upstream terminated; {@link #upstreamError} is written before. */
        volatile boolean done;
        volatile Subscription upstream;

        private Throwable upstreamError;
        /** Why closing, renaming or deleting failed; drain-owned. */
        private Throwable fileError;
        /** Drain-owned: the device is closed and (atomic) the temporary file renamed or deleted. */
        private boolean closed;

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
            super(options.deliverOn());
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
            if (checkRequest(n)) {
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

        @Override
        protected void drainOnce() {
            continueShortWrites();
            reapWrites();
            step();
        }

        @Override
        protected void drainFailed(Throwable t) {
            // a failed allocation or a throwing callback of the caller's: stop as after a failed write
            if (phase >= STOPPING) {
                Operators.onErrorDropped(t, actual.currentContext());
            } else if (failure == null) {
                failure = t instanceof OutOfMemoryError ? outOfMemory("writing", t) : t;
            }
            if (phase < STOPPING) {
                phase = STOPPING;
            }
            step(); // may throw again: the loop then stops here, the next wake-up goes on
        }

        /** Resubmits the rest of each short write (the callback only recorded it). */
        private void continueShortWrites() {
            Write w;
            while ((w = shortWrites.poll()) != null) {
                long at = w.offset + (w.length - w.data.remaining());
                try {
                    device.write(w.data, at, w); // even after a cancel: a write in flight lands whole or fails
                } catch (RuntimeException | OutOfMemoryError e) {
                    w.error = e instanceof OutOfMemoryError ? outOfMemory("writing at offset " + at, e)
                            : new FileIoException("write", device.path(), at, 0, "SUBMIT_FAILED",
                                    String.valueOf(e.getMessage()), e);
                    finished.offer(w);
                }
            }
        }

        /** A failed allocation as an I/O error naming the file and what to change. */
        private IOException outOfMemory(String what, Throwable oom) {
            return new IOException(what + " " + target + ": out of memory (" + oom.getMessage()
                    + "); write direct buffers (no native copy is needed), lower maxInFlight (" + maxInFlight
                    + ") or maxBytesInFlight, or give the JVM more memory (-Xmx, -XX:MaxDirectMemorySize)", oom);
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
                Throwable stop = cancelled ? null : badRequest() != null ? badRequest() : failure;
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
                    if (!closed && deviceClosed()) {
                        fileError = closeError();
                        if (temp != null) {
                            finishTempFile();
                        }
                        closed = true;
                    }
                    if (closed) {
                        finish();
                    }
                    break;
                case RESULT_READY:
                    if (cancelled) {
                        phase = TERMINATED;
                    } else if (badRequest() != null) {
                        phase = TERMINATED;
                        DrainLoop.terminate(actual, badRequest()); // §3.9
                    } else if (resultRequested) {
                        phase = TERMINATED;
                        Throwable threw = DrainLoop.onNext(actual, written);
                        if (threw == null) {
                            DrainLoop.terminate(actual, null);
                        } else if (threw instanceof OutOfMemoryError) {
                            DrainLoop.terminate(actual, outOfMemory("handling the result of writing", threw));
                        }
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
                } catch (RuntimeException | OutOfMemoryError e) {
                    // an engine may need a native bounce buffer for a heap buffer: that can fail too
                    inFlight--;
                    bytesHeld -= n;
                    releaseQuietly(b);
                    failure = e instanceof OutOfMemoryError ? outOfMemory("writing at offset " + at + " of", e)
                            : new FileIoException("write", device.path(), at, 0, "SUBMIT_FAILED",
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
            wake();
        }

        /** Closes the device; the drain goes on (renaming or deleting the temporary file) once it is closed. */
        private void startClose() {
            phase = CLOSING;
            closeThenWake(device);
        }

        /**
         * Atomic mode, in the drain after the close: rename the synced temporary file over the target, or
         * delete it (short blocking file-system calls, on a delivery thread or the caller's).
         */
        private void finishTempFile() {
            boolean success = failure == null && fileError == null && !cancelled;
            if (success) {
                try {
                    publish(temp, target, createNew);
                    if (durability != WriteOptions.Durability.NONE && !syncDirectoryQuietly()) {
                        LOG.debug("directory of {} not synced", target);
                    }
                } catch (IOException | RuntimeException e) {
                    fileError = e;
                    success = false;
                }
            }
            if (!success) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not delete the temporary file {}", temp, e);
                }
            }
        }

        /**
         * Moves {@code temp} to {@code target} atomically: {@code rename(2)} over an existing target, or
         * for a create-new write a hard link that fails if the target appeared meanwhile.
         */
        static void publish(Path temp, Path target, boolean createNew) throws IOException {
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

        private boolean syncDirectoryQuietly() {
            return syncDirectoryOf(target);
        }

        /** fsync of the directory, so the rename itself survives a crash (POSIX; a no-op elsewhere). */
        static boolean syncDirectoryOf(Path target) {
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
            Throwable error = failure != null ? failure : fileError;
            if (cancelled) {
                phase = TERMINATED;
                return; // §1.8: no signal after cancel
            }
            if (error != null) {
                phase = TERMINATED;
                DrainLoop.terminate(actual, error);
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

        /** Engine thread: records the outcome and wakes the drain (which continues a short write). */
        @Override
        public void completed(int bytes) {
            if (data.hasRemaining()) {
                if (bytes <= 0) {
                    long at = offset + (length - data.remaining());
                    error = new FileIoException("write", parent.device.path(), at, 0, "NO_PROGRESS",
                            "(the write transferred 0 bytes)");
                } else {
                    parent.shortWrites.offer(this);
                    parent.wake();
                    return;
                }
            }
            parent.finished.offer(this);
            parent.wake();
        }

        @Override
        public void failed(IOException e) {
            error = e;
            parent.finished.offer(this);
            parent.wake();
        }
    }
}
