package io.fileflux.core.nio;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;

/**
 * A file open on the {@code nio} engine: an {@link AsynchronousFileChannel} on the engine's pool.
 * Threading and ownership: see {@link io.fileflux.core.FileDevice}.
 */
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
        ByteBuffer target = dst;
        if (!dst.isDirect()) {
            // the native copy's buffer is taken here, where a failed allocation reaches the caller
            Bounced b = Bounced.read(dst, callback);
            target = b.bounce;
            callback = b;
        }
        NioOp op = new NioOp(engine, "read", path(), position, callback, null);
        try {
            channel.read(target, position, op, NioOp.HANDLER);
        } catch (RejectedExecutionException e) {
            throw engineClosed("read"); // the pool was shut down after this device accepted the read
        }
        return op;
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        ByteBuffer source = src;
        if (!src.isDirect()) {
            Bounced b = Bounced.write(src, callback);
            source = b.bounce;
            callback = b;
        }
        NioOp op = new NioOp(engine, "write", path(), position, callback, null);
        try {
            channel.write(source, position, op, NioOp.HANDLER);
        } catch (RejectedExecutionException e) {
            throw engineClosed("write");
        }
        return op;
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        NioOp op = new NioOp(engine, "sync", path(), -1, callback, null);
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
            throw engineClosed("sync");
        }
        return op;
    }

    @Override
    protected void closeHandle() throws IOException {
        try {
            channel.close();
        } finally {
            engine.deviceClosed(this);
        }
    }
}
