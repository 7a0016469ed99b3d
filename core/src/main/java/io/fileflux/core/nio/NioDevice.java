package io.fileflux.core.nio;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A file open on the {@code nio} engine. Threading and ownership: see {@link io.fileflux.core.FileDevice}. */
final class NioDevice extends AbstractFileDevice {

    private final AsynchronousFileChannel channel;
    private final NioEngine engine;

    NioDevice(NioEngine engine, Path path, FileIdentity identity, boolean writable, AsynchronousFileChannel channel) {
        super(engine, path, identity, writable);
        this.engine = engine;
        this.channel = channel;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    protected IoOperation submitRead(ByteBuffer dst, long position, IoCallback callback) {
        NioOp op = new NioOp("read", position, callback);
        channel.read(dst, position, op, NioOp.HANDLER);
        return op;
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        NioOp op = new NioOp("write", position, callback);
        channel.write(src, position, op, NioOp.HANDLER);
        return op;
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        NioOp op = new NioOp("sync", -1, callback);
        try {
            engine.pool().execute(() -> {
                try {
                    channel.force(metadata);
                    op.finish(0);
                } catch (IOException | RuntimeException e) {
                    op.fail(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("engine closed", e);
        }
        return op;
    }

    @Override
    protected void closeHandle() throws IOException {
        channel.close();
    }

    /** One operation: detached (reported cancelled) if {@link #cancel()} came first. */
    private final class NioOp implements IoOperation {
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

        private final String kind;
        private final long position;
        private final IoCallback callback;
        private volatile int state;

        NioOp(String kind, long position, IoCallback callback) {
            this.kind = kind;
            this.position = position;
            this.callback = callback;
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
            STATE.compareAndSet(this, PENDING, CANCEL_REQUESTED);
        }

        void finish(int result) {
            if (STATE.getAndSet(this, DONE) == CANCEL_REQUESTED) {
                callback.failed(new IoCancelledException(kind, path(), position, 0, "CANCELLED"));
            } else {
                callback.completed(Math.max(result, 0)); // -1 is end of file
            }
        }

        void fail(Throwable exc) {
            boolean cancelled = STATE.getAndSet(this, DONE) == CANCEL_REQUESTED;
            if (cancelled) {
                callback.failed(new IoCancelledException(kind, path(), position, 0, "CANCELLED"));
            } else {
                String detail = exc.getMessage() != null ? exc.getMessage() : "";
                callback.failed(new FileIoException(kind, path(), position, 0,
                        exc.getClass().getSimpleName(), detail, exc));
            }
        }
    }
}
