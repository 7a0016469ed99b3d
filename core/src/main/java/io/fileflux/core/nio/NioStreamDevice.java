package io.fileflux.core.nio;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

/**
 * A FIFO (named pipe, {@code /dev/stdin} on a pipe) open on the {@code nio} engine. A pipe has no
 * position, so {@code AsynchronousFileChannel}'s positional reads fail on it ({@code ESPIPE}); this
 * device runs blocking {@link FileChannel} reads and writes on the engine's pool instead, one at a
 * time, in submission order, ignoring the position. A read waits until data arrives and returns 0
 * once every writer closed.
 *
 * <p>Cancellation: a blocked pipe read cannot be detached like a file read (it may never finish),
 * so cancelling one closes the channel, which wakes the read; the device is then unusable, which is
 * what the read publisher does on cancel anyway.
 *
 * <p>Threading and ownership: see {@link io.fileflux.core.FileDevice}.
 */
final class NioStreamDevice extends AbstractFileDevice {

    private final FileChannel channel;
    private final NioEngine engine;
    /** Serializes the blocking transfers: a pipe has one stream of bytes, in order. */
    private final Object transferLock = new Object();

    NioStreamDevice(NioEngine engine, Path path, FileIdentity identity, boolean writable, FileChannel channel) {
        super(engine, path, identity, writable);
        this.engine = engine;
        this.channel = channel;
    }

    @Override
    public long size() {
        return 0; // a pipe: what is buffered is not a size
    }

    @Override
    protected IoOperation submitRead(ByteBuffer dst, long position, IoCallback callback) {
        return run(new NioOp("read", path(), position, callback, this::closeQuietly), () -> channel.read(dst));
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        return run(new NioOp("write", path(), position, callback, this::closeQuietly), () -> channel.write(src));
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        return run(new NioOp("sync", path(), -1, callback, null), () -> 0); // nothing to flush to storage
    }

    private interface Transfer {
        int run() throws IOException;
    }

    private NioOp run(NioOp op, Transfer transfer) {
        try {
            engine.pool().execute(() -> {
                try {
                    int n;
                    synchronized (transferLock) {
                        n = transfer.run();
                    }
                    op.finish(n);
                } catch (IOException | RuntimeException e) {
                    op.fail(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("engine closed", e);
        }
        return op;
    }

    private void closeQuietly() {
        try {
            channel.close(); // wakes a read blocked on the pipe
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    protected void closeHandle() throws IOException {
        channel.close();
    }
}
