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

/**
 * A real engine with faults injected where the kernel cannot be made to produce them on demand:
 * short reads (each read transfers at most {@code maxPerRead} bytes), an I/O error at one offset,
 * and completions delivered in reverse order of submission (batches of {@code reorderBatch}).
 * The reads themselves are real reads of the real file.
 */
final class FaultyEngine implements FileEngine {

    private static final java.util.concurrent.ScheduledExecutorService FLUSHER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "faulty-engine-flusher");
                t.setDaemon(true);
                return t;
            });

    private final FileEngine real;
    private final int maxPerRead;
    private final long failAt;
    private final int reorderBatch;

    FaultyEngine(FileEngine real, int maxPerRead, long failAt, int reorderBatch) {
        this.real = real;
        this.maxPerRead = maxPerRead;
        this.failAt = failAt;
        this.reorderBatch = reorderBatch;
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
            int limit = dst.limit();
            if (maxPerRead > 0 && dst.remaining() > maxPerRead) {
                dst.limit(dst.position() + maxPerRead);
            }
            boolean fail = failAt >= 0 && position <= failAt && failAt < position + dst.remaining();
            return d.read(dst, position, new IoCallback() {
                @Override
                public void completed(int bytes) {
                    dst.limit(limit);
                    if (fail) {
                        deliver(() -> callback.failed(new FileIoException("read", d.path(), position, 5, "EIO",
                                "(injected)")));
                    } else {
                        deliver(() -> callback.completed(bytes));
                    }
                }

                @Override
                public void failed(IOException error) {
                    dst.limit(limit);
                    deliver(() -> callback.failed(error));
                }
            });
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
                    FLUSHER.schedule(this::flush, 3, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
            if (batch != null) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    batch.get(i).run();
                }
            }
        }

        /** Releases completions held back (the subscription's last reads may not fill a batch). */
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
        public IoOperation write(ByteBuffer src, long position, IoCallback callback) {
            return d.write(src, position, callback);
        }

        @Override
        public IoOperation sync(boolean metadata, IoCallback callback) {
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
