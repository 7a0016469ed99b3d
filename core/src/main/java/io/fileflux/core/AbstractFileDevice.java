package io.fileflux.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template every engine's device extends: argument and state checks happen once here, then the
 * engine's {@code submitRead/submitWrite/submitSync} runs. It counts operations in flight and closes
 * the handle ({@link #closeHandle()}) exactly once, after {@link #closeAsync()} and the last
 * completion — never while the kernel may still use the handle.
 *
 * <p>Engine contract: a {@code submit*} method either returns an operation whose callback will run
 * exactly once, or throws and never calls it.
 */
public abstract class AbstractFileDevice implements FileDevice {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractFileDevice.class);

    /** High bit of {@link #state}: close was requested. The low bits count operations in flight. */
    private static final int CLOSING = 1 << 30;

    private final Path path;
    private final FileIdentity identity;
    private final FileEngine engine;
    private final EngineStats stats;
    private final boolean writable;
    private final AtomicInteger state = new AtomicInteger();
    private final AtomicBoolean handleClosed = new AtomicBoolean();
    /** Set by {@link #closeForEngine()} before it closes: later submissions name the engine as the cause. */
    private volatile boolean engineClosed;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    protected AbstractFileDevice(FileEngine engine, Path path, FileIdentity identity, boolean writable) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.path = Objects.requireNonNull(path, "path");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.stats = engine.stats();
        this.writable = writable;
        stats.deviceOpened();
    }

    @Override
    public final Path path() {
        return path;
    }

    @Override
    public final FileIdentity identity() {
        return identity;
    }

    @Override
    public final FileEngine engine() {
        return engine;
    }

    @Override
    public final IoOperation read(ByteBuffer dst, long position, IoCallback callback) {
        Objects.requireNonNull(callback, "callback");
        checkRead(dst, position);
        enter("read");
        try {
            return submitRead(dst, position, tracked(callback, Tracked.READ));
        } catch (RuntimeException | Error e) {
            withdraw();
            throw e;
        }
    }

    @Override
    public final int readCached(ByteBuffer dst, long position) throws IOException {
        checkRead(dst, position);
        enter("read");
        int n;
        try {
            n = readCachedNow(dst, position);
        } catch (IOException | RuntimeException | Error e) {
            if (e instanceof IOException io) {
                stats.opFailed(io);
            } else {
                stats.opWithdrawn();
            }
            release();
            throw e;
        }
        if (n < 0) {
            withdraw();
        } else {
            stats.readCompleted(n);
            release();
        }
        return n;
    }

    private static void checkRead(ByteBuffer dst, long position) {
        Objects.requireNonNull(dst, "dst");
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("read into a buffer with no space remaining");
        }
    }

    @Override
    public final IoOperation write(ByteBuffer src, long position, IoCallback callback) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(callback, "callback");
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        if (!src.hasRemaining()) {
            throw new IllegalArgumentException("write of an empty buffer");
        }
        if (!writable) {
            throw new IllegalStateException("device not opened for writing: " + path);
        }
        enter("write");
        try {
            return submitWrite(src, position, tracked(callback, Tracked.WRITE));
        } catch (RuntimeException | Error e) {
            withdraw();
            throw e;
        }
    }

    @Override
    public final IoOperation sync(boolean metadata, IoCallback callback) {
        Objects.requireNonNull(callback, "callback");
        enter("sync");
        try {
            return submitSync(metadata, new Tracked(callback, Tracked.SYNC));
        } catch (RuntimeException | Error e) {
            withdraw();
            throw e;
        }
    }

    @Override
    public final int inFlight() {
        return state.get() & ~CLOSING;
    }

    @Override
    public final boolean isClosing() {
        return (state.get() & CLOSING) != 0;
    }

    @Override
    public final CompletableFuture<Void> closeAsync() {
        for (;;) {
            int s = state.get();
            if ((s & CLOSING) != 0) {
                return closed;
            }
            if (state.compareAndSet(s, s | CLOSING)) {
                if (s == 0) {
                    closeHandleOnce();
                }
                return closed;
            }
        }
    }

    /**
     * Closes this device because its engine is closing: {@link #closeAsync()}, after which every
     * submission fails with {@link #engineClosed(String)}'s exception. For engines' {@code close()}.
     */
    public final CompletableFuture<Void> closeForEngine() {
        engineClosed = true;
        return closeAsync();
    }

    /**
     * The exception for an operation submitted on this device after its engine was closed:
     * {@code IllegalStateException("read on a closed engine: PATH")}. Engines throw it from a
     * {@code submit*} method that lost a race with {@link FileEngine#close()}.
     */
    protected final IllegalStateException engineClosed(String operation) {
        return new IllegalStateException(operation + " on a closed engine: " + path);
    }

    /** True if the device was opened with write access. */
    protected final boolean writable() {
        return writable;
    }

    /** Starts a read; see the class contract. */
    protected abstract IoOperation submitRead(ByteBuffer dst, long position, IoCallback callback);

    /**
     * {@link #readCached}'s read, on the calling thread, while the device holds its handle: the count
     * read, or -1 if it would have to wait. This default (for engines without such a read) returns -1.
     */
    protected int readCachedNow(ByteBuffer dst, long position) throws IOException {
        return -1;
    }

    /** Starts a write; see the class contract. */
    protected abstract IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback);

    /** Starts an fsync ({@code metadata}) or fdatasync. */
    protected abstract IoOperation submitSync(boolean metadata, IoCallback callback);

    /** Closes the native handle. Called exactly once, when no operation is in flight. */
    protected abstract void closeHandle() throws IOException;

    private void enter(String what) {
        for (;;) {
            int s = state.get();
            if ((s & CLOSING) != 0) {
                throw engineClosed ? engineClosed(what)
                        : new IllegalStateException(what + " on a closed device: " + path);
            }
            if (state.compareAndSet(s, s + 1)) {
                stats.opSubmitted();
                return;
            }
        }
    }

    /**
     * The wrapper that counts {@code callback}'s operation: the one kept in a {@link ReusableIoCallback}
     * from its last operation on this device when there is one (its fields are the same), else a new one.
     */
    private Tracked tracked(IoCallback callback, int op) {
        if (callback instanceof ReusableIoCallback r) {
            if (r.deviceState instanceof Tracked t && t.device() == this && t.op == op) {
                return t;
            }
            Tracked t = new Tracked(callback, op);
            r.deviceState = t;
            return t;
        }
        return new Tracked(callback, op);
    }

    /** A submission that threw: the op never reached the engine and has no outcome to count. */
    private void withdraw() {
        stats.opWithdrawn();
        release();
    }

    /** The op no longer holds the handle: closes it if it was the last one after {@link #closeAsync()}. */
    private void release() {
        if (state.decrementAndGet() == CLOSING) {
            closeHandleOnce();
        }
    }

    private void closeHandleOnce() {
        if (!handleClosed.compareAndSet(false, true)) {
            return;
        }
        IOException failure = null;
        try {
            closeHandle();
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException("closing " + path + " failed", e);
        }
        // counters first: whoever waits on the future sees the device gone from the stats
        stats.deviceClosed();
        if (failure == null) {
            closed.complete(null);
        } else {
            LOG.warn("closing {} failed", path, failure);
            closed.completeExceptionally(failure);
        }
    }

    /**
     * Counts the operation completed in the engine's stats (bytes transferred, failures by kind), runs the
     * user's callback, then releases the operation's hold on the handle (so a callback may submit more, and
     * the handle closes only after the last callback has recorded its result). Reusable (its fields never
     * change): a {@link ReusableIoCallback} keeps one for all its operations on this device.
     */
    private final class Tracked extends ReusableIoCallback {
        static final int READ = 0;
        static final int WRITE = 1;
        static final int SYNC = 2;

        private final IoCallback user;
        private final int op;

        Tracked(IoCallback user, int op) {
            this.user = user;
            this.op = op;
        }

        AbstractFileDevice device() {
            return AbstractFileDevice.this;
        }

        @Override
        public void completed(int bytes) {
            if (op == READ) {
                stats.readCompleted(bytes);
            } else if (op == WRITE) {
                stats.writeCompleted(bytes);
            } else {
                stats.opCompleted();
            }
            try {
                user.completed(bytes);
            } catch (Throwable t) {
                LOG.error("completion callback threw for {}", path, t);
            } finally {
                release();
            }
        }

        @Override
        public void failed(IOException error) {
            stats.opFailed(error);
            try {
                user.failed(error);
            } catch (Throwable t) {
                LOG.error("failure callback threw for {}", path, t);
            } finally {
                release();
            }
        }
    }
}
