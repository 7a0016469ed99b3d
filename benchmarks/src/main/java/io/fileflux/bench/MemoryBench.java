package io.fileflux.bench;

import io.fileflux.core.BufferPool;
import io.fileflux.reactor.BufferMode;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.ReadOptions;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Peak memory with a slow subscriber: the file is read in 64 KiB chunks by a subscriber on its own
 * thread ({@code publishOn}, prefetch 16) that spends {@code perChunkMicros} on each chunk, far
 * slower than the disk. A sampler records the peak of direct memory in use (the JDK's {@code direct}
 * buffer pool) and of heap in use over the baseline taken before the run; both include buffers that
 * are garbage but not yet collected. For pooled buffers it also records the exact peak held by the
 * pipeline (pool buffers acquired and not released). A reader that honours
 * backpressure stays near (in flight + prefetch) × chunk size whatever the file size.
 */
final class MemoryBench {

    static final int CHUNK = 64 * 1024;
    static final int PREFETCH = 16;

    /**
     * @param contender   label
     * @param peakDirect  peak direct memory in use above the baseline, bytes
     * @param peakHeap    peak heap in use above the baseline, bytes (includes garbage not yet collected)
     * @param peakHeld    peak bytes of pool buffers acquired and not yet released (in flight, queued
     *                    or being consumed): exactly what the pipeline holds; -1 where not observable
     * @param seconds     how long the read took
     */
    record Row(String contender, long peakDirect, long peakHeap, long peakHeld, double seconds) {
    }

    private final Path file;
    private final long perChunkMicros;
    private final Progress progress;

    MemoryBench(Path file, long perChunkMicros, Progress progress) {
        this.file = file;
        this.perChunkMicros = perChunkMicros;
        this.progress = progress;
    }

    /** Collects garbage and lets the cleaner free the direct buffers of earlier runs. */
    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    /** A publisher of chunks and what the slow subscriber does with each (fold, then release). */
    private record Contender(String name, Supplier<Flux<?>> flux, Consumer<Object> consume, LongSupplier held) {
    }

    List<Row> run() throws Exception {
        List<Contender> contenders = new ArrayList<>();
        long[] sink = {0};
        for (String engine : SequentialReaders.availableEngines()) {
            ReadOptions o = ReadOptions.defaults().engine(engine).chunkSize(CHUNK).maxInFlight(16);
            contenders.add(new Contender("Fileflux " + engine + " x16 heap (the default mode)", () -> FileFlux.read(file, o),
                    b -> sink[0] += Fold.fold((ByteBuffer) b), null));
            ReadOptions direct = o.bufferMode(BufferMode.DIRECT);
            contenders.add(new Contender("Fileflux " + engine + " x16 direct", () -> FileFlux.read(file, direct),
                    b -> sink[0] += Fold.fold((ByteBuffer) b), null));
            BufferPool pool = new BufferPool(CHUNK, 64);
            contenders.add(new Contender("Fileflux " + engine + " x16 pooled", () -> FileFlux.read(file, o.pooled(pool)),
                    b -> {
                        sink[0] += Fold.fold((ByteBuffer) b);
                        pool.release((ByteBuffer) b);
                    }, () -> pool.outstanding() * CHUNK));
        }
        DefaultDataBufferFactory factory = new DefaultDataBufferFactory();
        contenders.add(new Contender("Spring DataBufferUtils.read", () -> DataBufferUtils.read(file, factory, CHUNK),
                b -> {
                    DataBuffer db = (DataBuffer) b;
                    try (DataBuffer.ByteBufferIterator it = db.readableByteBuffers()) {
                        it.forEachRemaining(bb -> sink[0] += Fold.fold(bb));
                    } finally {
                        DataBufferUtils.release(db);
                    }
                }, null));
        progress.phase("peak memory with a slow subscriber (" + perChunkMicros + " us per 64 KiB chunk)",
                contenders.size());
        List<Row> rows = new ArrayList<>();
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
        Scheduler slow = Schedulers.newSingle("slow-subscriber");
        try {
            for (Contender c : contenders) {
                progress.step(c.name());
                settle();
                long direct0 = direct.getMemoryUsed();
                long heap0 = heap.getHeapMemoryUsage().getUsed();
                long[] peak = {0, 0, c.held() == null ? -1 : 0};
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        peak[0] = Math.max(peak[0], direct.getMemoryUsed() - direct0);
                        peak[1] = Math.max(peak[1], heap.getHeapMemoryUsage().getUsed() - heap0);
                        if (c.held() != null) {
                            peak[2] = Math.max(peak[2], c.held().getAsLong());
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }, "memory-sampler");
                sampler.setDaemon(true);
                long t0 = System.nanoTime();
                sampler.start();
                c.flux().get()
                        .publishOn(slow, PREFETCH)
                        .doOnNext(x -> {
                            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(perChunkMicros));
                            c.consume().accept(x);
                        })
                        .then()
                        .block();
                sampler.interrupt();
                sampler.join();
                rows.add(new Row(c.name(), peak[0], peak[1], peak[2], (System.nanoTime() - t0) / 1e9));
            }
        } finally {
            slow.dispose();
        }
        progress.finishLine();
        return rows;
    }
}
