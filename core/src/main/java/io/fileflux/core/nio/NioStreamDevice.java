package io.fileflux.core.nio;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FIFO (named pipe, {@code /dev/stdin} on a pipe) open on the {@code nio} engine. A pipe has no
 * position, so {@code AsynchronousFileChannel}'s positional reads fail on it ({@code ESPIPE}); this
 * device runs blocking {@link FileChannel} reads and writes instead, one at a time, in submission
 * order, ignoring the position. A read waits until data arrives and returns 0 once every writer
 * closed.
 *
 * <p>Threads: the transfers run on a thread of the engine's stream pool that this device holds while
 * it has transfers queued, never on the pool that serves file reads, so a pipe read that waits for
 * a writer cannot hold back the engine's other devices. The thread goes back to the stream pool
 * when the queue is empty.
 *
 * <p>Cancellation: a blocked pipe read cannot be detached like a file read (it may never finish),
 * so cancelling one closes the channel, which wakes the read; the device is then unusable, which is
 * what the read publisher does on cancel anyway. Closing the engine closes the channel the same way.
 *
 * <p>Threading and ownership: see {@link io.fileflux.core.FileDevice}.
 */
final class NioStreamDevice extends AbstractFileDevice {

    private final FileChannel channel;
    private final NioEngine engine;
    /** Transfers in submission order; run by one drain at a time. */
    private final ConcurrentLinkedQueue<Runnable> transfers = new ConcurrentLinkedQueue<>();
    /** Transfers queued and not yet taken by the drain: the submitter that moves it from 0 starts one. */
    private final AtomicInteger wip = new AtomicInteger();

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
        return run(new NioOp(engine, "read", path(), position, callback, this::closeChannel), () -> channel.read(dst));
    }

    @Override
    protected IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        return run(new NioOp(engine, "write", path(), position, callback, this::closeChannel),
                () -> channel.write(src));
    }

    @Override
    protected IoOperation submitSync(boolean metadata, IoCallback callback) {
        return run(new NioOp(engine, "sync", path(), -1, callback, null), () -> 0); // nothing to flush to storage
    }

    private interface Transfer {
        int run() throws IOException;
    }

    private NioOp run(NioOp op, Transfer transfer) {
        transfers.offer(() -> {
            int n;
            try {
                n = transfer.run();
            } catch (Throwable e) { // the drain goes on whatever one transfer did
                op.fail(e);
                return;
            }
            op.finish(n);
        });
        if (wip.getAndIncrement() == 0) {
            engine.streamThreads().execute(this::drain); // the stream pool never refuses work
        }
        return op;
    }

    /** Runs the queued transfers one after the other, including those their callbacks submit. */
    private void drain() {
        int missed = 1;
        for (;;) {
            for (int i = 0; i < missed; i++) {
                transfers.poll().run();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Wakes a transfer blocked on the pipe (it fails, and every later one): on cancel and engine close. */
    void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
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
