package io.fileflux.reactor;

import io.fileflux.core.EngineStats;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real engine with faults injected where the kernel cannot be made to produce them on demand, on
 * either reads ({@link #reads}) or writes ({@link #writes}): short transfers (each operation moves at
 * most {@code maxPerOp} bytes), an I/O error ({@code EIO}) for the operation covering offset
 * {@code failAt}, and completions delivered in reverse order of submission (batches of
 * {@code reorderBatch}). The reads and writes themselves are real operations on the real file. It
 * also counts writes in flight, short writes and syncs.
 */
final class FaultyEngine implements FileEngine {

    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faulty-engine-flusher");
        t.setDaemon(true);
        return t;
    });

    private final FileEngine real;
    private final boolean onWrites;
    private final int maxPerOp;
    private final long failAt;
    private final int reorderBatch;
    final AtomicInteger writesInFlight = new AtomicInteger();
    final AtomicInteger maxWritesInFlight = new AtomicInteger();
    final AtomicInteger shortWrites = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger fsyncs = new AtomicInteger();

    private FaultyEngine(FileEngine real, boolean onWrites, int maxPerOp, long failAt, int reorderBatch) {
        this.real = real;
        this.onWrites = onWrites;
        this.maxPerOp = maxPerOp;
        this.failAt = failAt;
        this.reorderBatch = reorderBatch;
    }

    /** Faults on reads: at most {@code maxPerRead} bytes a read (0: no limit), EIO at {@code failAt} (-1: none). */
    static FaultyEngine reads(FileEngine real, int maxPerRead, long failAt, int reorderBatch) {
        return new FaultyEngine(real, false, maxPerRead, failAt, reorderBatch);
    }

    /** Faults on writes: at most {@code maxPerWrite} bytes a write (0: no limit), EIO at {@code failAt} (-1: none). */
    static FaultyEngine writes(FileEngine real, int maxPerWrite, long failAt, int reorderBatch) {
        return new FaultyEngine(real, true, maxPerWrite, failAt, reorderBatch);
    }

    @Override
    public String name() {
        return "faulty-" + real.name();
    }

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        return new Device(real.open(path, options, attributes));
    }

    @Override
    public EngineStats stats() {
        return real.stats();
    }

    @Override
    public void close() {
        real.close();
    }

    private final class Device implements FileDevice {
        private final FileDevice d;
        private final List<Runnable> held = new ArrayList<>();

        Device(FileDevice d) {
            this.d = d;
        }

        @Override
        public Path path() {
            return d.path();
        }

        @Override
        public FileIdentity identity() {
            return d.identity();
        }

        @Override
        public FileEngine engine() {
            return FaultyEngine.this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public IoOperation read(ByteBuffer dst, long position, IoCallback callback) {
            return onWrites ? d.read(dst, position, callback) : faulty("read", dst, position, callback);
        }

        @Override
        public int readCached(ByteBuffer dst, long position) throws IOException {
            // reads with faults go through the engine, where the faults are injected
            return onWrites ? d.readCached(dst, position) : -1;
        }

        @Override
        public IoOperation write(ByteBuffer src, long position, IoCallback callback) {
            if (!onWrites) {
                return d.write(src, position, callback);
            }
            int now = writesInFlight.incrementAndGet();
            maxWritesInFlight.accumulateAndGet(now, Math::max);
            return faulty("write", src, position, callback);
        }

        /** Submits the real operation on a window of {@code buffer} and injects the faults into its result. */
        private IoOperation faulty(String kind, ByteBuffer buffer, long position, IoCallback callback) {
            int limit = buffer.limit();
            if (maxPerOp > 0 && buffer.remaining() > maxPerOp) {
                buffer.limit(buffer.position() + maxPerOp);
                if (onWrites) {
                    shortWrites.incrementAndGet();
                }
            }
            boolean fail = failAt >= 0 && position <= failAt && failAt < position + buffer.remaining();
            IoCallback injecting = new IoCallback() {
                @Override
                public void completed(int bytes) {
                    buffer.limit(limit);
                    opDone();
                    if (fail) {
                        deliver(() -> callback.failed(new FileIoException(kind, d.path(), position, 5, "EIO",
                                "(injected)")));
                    } else {
                        deliver(() -> callback.completed(bytes));
                    }
                }

                @Override
                public void failed(IOException error) {
                    buffer.limit(limit);
                    opDone();
                    deliver(() -> callback.failed(error));
                }
            };
            return onWrites ? d.write(buffer, position, injecting) : d.read(buffer, position, injecting);
        }

        private void opDone() {
            if (onWrites) {
                writesInFlight.decrementAndGet();
            }
        }

        /** Holds completions until a batch is full, then runs them newest first. */
        private void deliver(Runnable completion) {
            if (reorderBatch <= 1) {
                completion.run();
                return;
            }
            List<Runnable> batch = null;
            synchronized (held) {
                held.add(completion);
                if (held.size() >= reorderBatch || d.isClosing()) {
                    batch = new ArrayList<>(held);
                    held.clear();
                } else if (held.size() == 1) {
                    // a batch that never fills (end of file, little demand) is released shortly
                    FLUSHER.schedule(this::flush, 3, TimeUnit.MILLISECONDS);
                }
            }
            if (batch != null) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    batch.get(i).run();
                }
            }
        }

        /** Releases completions held back. */
        void flush() {
            List<Runnable> batch;
            synchronized (held) {
                batch = new ArrayList<>(held);
                held.clear();
            }
            for (int i = batch.size() - 1; i >= 0; i--) {
                batch.get(i).run();
            }
        }

        @Override
        public IoOperation sync(boolean metadata, IoCallback callback) {
            syncs.incrementAndGet();
            if (metadata) {
                fsyncs.incrementAndGet();
            }
            return d.sync(metadata, callback);
        }

        @Override
        public int inFlight() {
            return d.inFlight();
        }

        @Override
        public boolean isClosing() {
            return d.isClosing();
        }

        @Override
        public CompletableFuture<Void> closeAsync() {
            flush();
            return d.closeAsync();
        }
    }
}
