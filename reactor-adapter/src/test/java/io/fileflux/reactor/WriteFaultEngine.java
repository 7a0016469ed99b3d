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
 * A real engine with write faults injected: short writes (each write transfers at most
 * {@code maxPerWrite} bytes), an I/O error ({@code EIO}) for the write covering offset {@code failAt},
 * and completions delivered in reverse order of submission (batches of {@code reorderBatch}). The
 * writes themselves are real writes of the real file. It also counts the writes in flight at once.
 */
final class WriteFaultEngine implements FileEngine {

    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "write-fault-flusher");
        t.setDaemon(true);
        return t;
    });

    private final FileEngine real;
    private final int maxPerWrite;
    private final long failAt;
    private final int reorderBatch;
    final AtomicInteger writesInFlight = new AtomicInteger();
    final AtomicInteger maxWritesInFlight = new AtomicInteger();
    final AtomicInteger shortWrites = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger fsyncs = new AtomicInteger();

    WriteFaultEngine(FileEngine real, int maxPerWrite, long failAt, int reorderBatch) {
        this.real = real;
        this.maxPerWrite = maxPerWrite;
        this.failAt = failAt;
        this.reorderBatch = reorderBatch;
    }

    @Override
    public String name() {
        return "write-fault-" + real.name();
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
            return WriteFaultEngine.this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public IoOperation read(ByteBuffer dst, long position, IoCallback callback) {
            return d.read(dst, position, callback);
        }

        @Override
        public IoOperation write(ByteBuffer src, long position, IoCallback callback) {
            int limit = src.limit();
            boolean cut = maxPerWrite > 0 && src.remaining() > maxPerWrite;
            if (cut) {
                src.limit(src.position() + maxPerWrite);
                shortWrites.incrementAndGet();
            }
            boolean fail = failAt >= 0 && position <= failAt && failAt < position + src.remaining();
            int now = writesInFlight.incrementAndGet();
            maxWritesInFlight.accumulateAndGet(now, Math::max);
            return d.write(src, position, new IoCallback() {
                @Override
                public void completed(int bytes) {
                    src.limit(limit);
                    writesInFlight.decrementAndGet();
                    if (fail) {
                        deliver(() -> callback.failed(new FileIoException("write", d.path(), position, 5, "EIO",
                                "(injected)")));
                    } else {
                        deliver(() -> callback.completed(bytes));
                    }
                }

                @Override
                public void failed(IOException error) {
                    src.limit(limit);
                    writesInFlight.decrementAndGet();
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
                if (held.size() >= reorderBatch) {
                    batch = new ArrayList<>(held);
                    held.clear();
                } else if (held.size() == 1) {
                    FLUSHER.schedule(this::flush, 3, TimeUnit.MILLISECONDS);
                }
            }
            if (batch != null) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    batch.get(i).run();
                }
            }
        }

        private void flush() {
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
            return d.closeAsync();
        }
    }
}
