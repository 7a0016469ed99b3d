package io.fileflux.core.nio;

import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One operation of the {@code nio} engine: completed by the channel's handler or by the blocking
 * task that ran it; detached (reported cancelled when the channel finishes) if {@link #cancel()}
 * came first, and reported as {@link EngineClosedException} if the engine was closed before it
 * finished. Threading: thread-safe; the callback runs exactly once.
 */
final class NioOp implements IoOperation {
    static final CompletionHandler<Integer, NioOp> HANDLER = new CompletionHandler<>() {
        @Override
        public void completed(Integer result, NioOp op) {
            op.finish(result);
        }

        @Override
        public void failed(Throwable exc, NioOp op) {
            op.fail(exc);
        }
    };

    private static final int PENDING = 0;
    private static final int CANCEL_REQUESTED = 1;
    private static final int DONE = 2;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<NioOp> STATE =
            AtomicIntegerFieldUpdater.newUpdater(NioOp.class, "state");

    private final NioEngine engine;
    private final String kind;
    private final Path path;
    private final long position;
    private final IoCallback callback;
    private final Runnable onCancel;
    private volatile int state;

    /** @param onCancel run once when cancel is requested before completion (null: detach only) */
    NioOp(NioEngine engine, String kind, Path path, long position, IoCallback callback, Runnable onCancel) {
        this.engine = engine;
        this.kind = kind;
        this.path = path;
        this.position = position;
        this.callback = callback;
        this.onCancel = onCancel;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public boolean isDone() {
        return state == DONE;
    }

    @Override
    public void cancel() {
        if (STATE.compareAndSet(this, PENDING, CANCEL_REQUESTED) && onCancel != null) {
            onCancel.run();
        }
    }

    void finish(int result) {
        if (!endedEarly(STATE.getAndSet(this, DONE))) {
            callback.completed(Math.max(result, 0)); // -1 is end of file
        }
    }

    void fail(Throwable exc) {
        if (!endedEarly(STATE.getAndSet(this, DONE))) {
            String detail = exc.getMessage() != null ? exc.getMessage() : "";
            callback.failed(new FileIoException(kind, path, position, 0,
                    exc.getClass().getSimpleName(), detail, exc));
        }
    }

    /** Reports a cancel or the engine's close instead of the channel's result; false if neither came. */
    private boolean endedEarly(int previous) {
        if (previous == CANCEL_REQUESTED) {
            callback.failed(new IoCancelledException(kind, path, position, 0, "CANCELLED"));
            return true;
        }
        if (engine.isClosed()) {
            callback.failed(new EngineClosedException(kind, path, position));
            return true;
        }
        return false;
    }
}
