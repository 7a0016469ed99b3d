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
        NioOp op = new NioOp("read", path(), position, callback, null);
        channel.read(dst, position, op, NioOp.HANDLER);
        return op;
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        NioOp op = new NioOp("write", path(), position, callback, null);
        channel.write(src, position, op, NioOp.HANDLER);
        return op;
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        NioOp op = new NioOp("sync", path(), -1, callback, null);
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
}
