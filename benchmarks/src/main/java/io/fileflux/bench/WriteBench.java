package io.fileflux.bench;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.WriteOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/**
 * Sequential writes of a new file by every contender, alternately in one process, like
 * {@link SequentialBench}: per chunk size, each contender alone until its time settles, then
 * {@code warmups} thrown-away rounds and {@code rounds} measured rounds of A B C …. Every contender
 * writes {@code size} bytes of the same content (one template chunk, written again and again, so no
 * contender pays for producing data) into a file of its own that is deleted after each run, outside
 * the timing (its dirty pages are dropped, not written back behind the next contender). Half the
 * contenders end with {@code fsync}; each ratio is to the {@code FileChannel.write} loop ending the
 * same way, in the same round.
 */
final class WriteBench {

    /** Label of the baseline without a sync; the synced one adds {@link #FSYNC}. */
    static final String BASELINE = "FileChannel.write";
    /** Suffix of the contenders that fsync once at the end. */
    static final String FSYNC = " + fsync";

    /** One contender: writes {@code size} bytes in {@code chunk}-byte buffers to {@code target}. */
    interface Writer extends AutoCloseable {
        String name();

        boolean fsync();

        void write(Path target, long size, int chunk) throws Exception;

        @Override
        default void close() {
        }
    }

    private final Path dir;
    private final long size;
    private final int warmups;
    private final int rounds;
    private final Progress progress;

    WriteBench(Path dir, long size, int warmups, int rounds, Progress progress) {
        this.dir = dir;
        this.size = size;
        this.warmups = warmups;
        this.rounds = rounds;
        this.progress = progress;
    }

    /** Every write contender, the two baselines first. */
    static List<Writer> all() {
        List<Writer> list = new ArrayList<>();
        for (boolean sync : new boolean[] {false, true}) {
            list.add(new ChannelWrite(sync));
        }
        for (boolean sync : new boolean[] {false, true}) {
            list.add(new AsyncChannelWrite(4, sync));
            list.add(new SpringWrite(sync));
            list.add(new VertxWrite(sync));
            list.add(new FilefluxWrite(false, false, sync));
            list.add(new FilefluxWrite(true, false, sync));
        }
        // atomic replace syncs anyway (at least fdatasync): only with fsync
        list.add(new FilefluxWrite(false, true, true));
        list.add(new FilefluxWrite(true, true, true));
        // the engine choice for writes: every other engine, and the io_uring variants asked for
        // (SequentialReaders.VARIANTS_PROPERTY), pooled, without sync
        String chosen = Engines.select().name();
        for (String engine : SequentialReaders.availableEngines()) {
            if (!engine.equals(chosen)) {
                list.add(new FilefluxWrite(true, false, false, engine, Engines.shared(engine)));
            }
        }
        for (String variant : SequentialReaders.uringVariants()) {
            list.add(new FilefluxWrite(true, false, false, "io_uring[" + variant + "]",
                    SequentialReaders.uringVariant(variant)));
        }
        return list;
    }

    List<SequentialBench.Row> run(List<Writer> writers, int[] chunkSizes) throws Exception {
        Files.createDirectories(dir);
        List<SequentialBench.Row> rows = new ArrayList<>();
        for (int chunk : chunkSizes) {
            long bytes = size / chunk * chunk;
            progress.phase("sequential write of " + Units.bytes(bytes) + " in " + Units.bytes(chunk) + " chunks: "
                    + warmups + " warm-up + " + rounds + " rounds x " + writers.size() + " contenders",
                    (warmups + rounds) * writers.size());
            for (Writer w : writers) {
                progress.note("warming " + w.name() + " (" + Units.bytes(chunk) + ")");
                long previous = -1;
                for (int i = 0; i < SequentialBench.MAX_WARM_RUNS; i++) {
                    long t = once(w, bytes, chunk).wallNanos();
                    if (i >= 2 && previous > 0 && Math.abs(t - previous) <= 0.1 * previous) {
                        break;
                    }
                    previous = t;
                }
            }
            Map<String, List<Costs>> costs = new LinkedHashMap<>();
            for (int round = 0; round < warmups + rounds; round++) {
                boolean warm = round < warmups;
                for (Writer w : writers) {
                    progress.step((warm ? "warm-up " : "round " + (round - warmups + 1) + " ") + w.name());
                    Costs spent = once(w, bytes, chunk);
                    if (!warm) {
                        costs.computeIfAbsent(w.name(), k -> new ArrayList<>()).add(spent);
                    }
                }
            }
            progress.finishLine();
            for (Writer w : writers) {
                List<Costs> c = costs.get(w.name());
                List<Costs> base = costs.get(BASELINE + (w.fsync() ? FSYNC : ""));
                double[] gbps = new double[c.size()];
                double[] ratios = new double[c.size()];
                double[] cpu = new double[c.size()];
                double[] alloc = new double[c.size()];
                for (int i = 0; i < c.size(); i++) {
                    gbps[i] = bytes / (double) c.get(i).wallNanos();
                    ratios[i] = base.get(i).wallNanos() / (double) c.get(i).wallNanos();
                    cpu[i] = c.get(i).cpuNanos() / 1e9 / (bytes / (double) (1L << 30));
                    alloc[i] = c.get(i).allocBytes() / (bytes / (double) (1L << 20));
                }
                rows.add(new SequentialBench.Row(w.name(), chunk, Stats.median(gbps), Stats.min(gbps), Stats.max(gbps),
                        Stats.median(ratios), Stats.min(ratios), Stats.max(ratios), Stats.median(cpu),
                        Stats.median(alloc)));
            }
        }
        return rows;
    }

    /** One timed write of a new file, checked for its size and deleted afterwards (untimed). */
    private Costs once(Writer w, long bytes, int chunk) throws Exception {
        Path target = dir.resolve("write-" + SequentialReaders.key(w.name()) + ".bin");
        Files.deleteIfExists(target);
        System.gc();
        Costs before = Costs.now();
        w.write(target, bytes, chunk);
        Costs spent = Costs.now().minus(before);
        long written = Files.size(target);
        Files.delete(target);
        if (written != bytes) {
            throw new IllegalStateException(w.name() + " wrote " + written + " bytes instead of " + bytes);
        }
        return spent;
    }

    /** The content every contender writes: one chunk of a fixed pattern, heap or direct. */
    static ByteBuffer template(int chunk, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(chunk) : ByteBuffer.allocate(chunk);
        for (int i = 0; i < chunk; i++) {
            b.put(i, (byte) (i * 31 + 7));
        }
        return b;
    }

    private static String label(String name, boolean fsync) {
        return name + (fsync ? FSYNC : "");
    }

    /** The synchronous baseline: one reused direct buffer, {@code FileChannel.write} until it is all out. */
    static final class ChannelWrite implements Writer {
        private final boolean fsync;
        private ByteBuffer template;

        ChannelWrite(boolean fsync) {
            this.fsync = fsync;
        }

        @Override
        public String name() {
            return label(BASELINE, fsync);
        }

        @Override
        public boolean fsync() {
            return fsync;
        }

        @Override
        public void write(Path target, long size, int chunk) throws Exception {
            if (template == null || template.capacity() != chunk) {
                template = template(chunk, true);
            }
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long done = 0; done < size; done += chunk) {
                    ByteBuffer b = template.clear();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                if (fsync) {
                    ch.force(true);
                }
            }
        }
    }

    /** {@code AsynchronousFileChannel} with {@code inFlight} positional writes outstanding. */
    static final class AsyncChannelWrite implements Writer {
        private final int inFlight;
        private final boolean fsync;
        private ByteBuffer template;

        AsyncChannelWrite(int inFlight, boolean fsync) {
            this.inFlight = inFlight;
            this.fsync = fsync;
        }

        @Override
        public String name() {
            return label("AsynchronousFileChannel x" + inFlight, fsync);
        }

        @Override
        public boolean fsync() {
            return fsync;
        }

        @Override
        public void write(Path target, long size, int chunk) throws Exception {
            if (template == null || template.capacity() != chunk) {
                template = template(chunk, true);
            }
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(target, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer[] bufs = new ByteBuffer[inFlight];
                long[] pos = new long[inFlight];
                List<Future<Integer>> ops = new ArrayList<>(java.util.Collections.nCopies(inFlight, null));
                long next = 0;
                for (int i = 0; i < inFlight && next < size; i++, next += chunk) {
                    bufs[i] = template.duplicate().clear();
                    pos[i] = next;
                    ops.set(i, ch.write(bufs[i], next));
                }
                for (int head = 0; ops.get(head) != null; head = (head + 1) % inFlight) {
                    ByteBuffer b = bufs[head];
                    ops.get(head).get();
                    while (b.hasRemaining()) { // a short write is continued where it stopped
                        ch.write(b, pos[head] + b.position()).get();
                    }
                    if (next < size) {
                        pos[head] = next;
                        ops.set(head, ch.write(b.clear(), next));
                        next += chunk;
                    } else {
                        ops.set(head, null);
                    }
                }
                if (fsync) {
                    ch.force(true);
                }
            }
        }
    }

    /** Spring's {@code DataBufferUtils.write} of heap {@code DataBuffer}s; fsync through a second handle. */
    static final class SpringWrite implements Writer {
        private final boolean fsync;
        private final DefaultDataBufferFactory factory = new DefaultDataBufferFactory();
        private ByteBuffer template;

        SpringWrite(boolean fsync) {
            this.fsync = fsync;
        }

        @Override
        public String name() {
            return label("Spring DataBufferUtils.write", fsync);
        }

        @Override
        public boolean fsync() {
            return fsync;
        }

        @Override
        public void write(Path target, long size, int chunk) throws Exception {
            if (template == null || template.capacity() != chunk) {
                template = template(chunk, false);
            }
            ByteBuffer t = template;
            DataBufferUtils.write(Flux.range(0, Math.toIntExact(size / chunk)).map(i -> factory.wrap(t.duplicate())),
                    target).block();
            if (fsync) {
                try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                    ch.force(true); // DataBufferUtils has no sync of its own
                }
            }
        }
    }

    /**
     * A Vert.x {@code AsyncFile} write stream, pumped on its context while its write queue has room;
     * the synced variant ends with {@code flush()} (Vert.x: {@code force(false)}, i.e. fdatasync).
     */
    static final class VertxWrite implements Writer {
        private final boolean fsync;
        private Vertx vertx;
        private Buffer template;

        VertxWrite(boolean fsync) {
            this.fsync = fsync;
        }

        @Override
        public String name() {
            return label("Vert.x AsyncFile", fsync);
        }

        @Override
        public boolean fsync() {
            return fsync;
        }

        @Override
        public void write(Path target, long size, int chunk) throws Exception {
            if (vertx == null) {
                vertx = Vertx.vertx();
            }
            if (template == null || template.length() != chunk) {
                ByteBuffer t = template(chunk, false);
                template = Buffer.buffer(t.array());
            }
            Buffer buf = template;
            CompletableFuture<Void> done = new CompletableFuture<>();
            Context ctx = vertx.getOrCreateContext();
            ctx.runOnContext(v -> vertx.fileSystem().open(target.toString(),
                            new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true))
                    .onFailure(done::completeExceptionally)
                    .onSuccess(af -> {
                        af.exceptionHandler(done::completeExceptionally);
                        new Object() {
                            final long total = size / chunk;
                            long left = total;
                            long completed;

                            void pump() {
                                while (left > 0 && !af.writeQueueFull()) {
                                    af.write(buf).onComplete(ar -> written(ar.failed() ? ar.cause() : null));
                                    left--;
                                }
                                if (left > 0) {
                                    af.drainHandler(x -> pump());
                                }
                            }

                            /** close() does not wait for the writes in flight: finish after the last one. */
                            void written(Throwable failure) {
                                if (failure != null) {
                                    done.completeExceptionally(failure);
                                } else if (++completed == total) {
                                    (fsync ? af.flush() : io.vertx.core.Future.<Void>succeededFuture())
                                            .compose(x -> af.close())
                                            .onFailure(done::completeExceptionally)
                                            .onSuccess(done::complete);
                                }
                            }
                        }.pump();
                    }));
            done.get(10, TimeUnit.MINUTES);
        }

        @Override
        public void close() {
            if (vertx != null) {
                try {
                    vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException("closing Vert.x failed", e);
                } finally {
                    vertx = null;
                }
            }
        }
    }

    /**
     * {@code FileFlux.write} on the default engine with its default writes in flight: heap buffers
     * (duplicates of one heap chunk, as a producer of {@code byte[]} data hands them over), or pooled
     * direct buffers filled from the template (the copy a pooled producer makes) and released by the
     * write; optionally an atomic replace.
     */
    static final class FilefluxWrite implements Writer {
        private final boolean pooled;
        private final boolean atomic;
        private final boolean fsync;
        /** The engine's label and the engine; null: the default engine. */
        private final String engineLabel;
        private final FileEngine engine;
        private ByteBuffer template;
        private BufferPool pool;

        FilefluxWrite(boolean pooled, boolean atomic, boolean fsync) {
            this(pooled, atomic, fsync, null, null);
        }

        FilefluxWrite(boolean pooled, boolean atomic, boolean fsync, String engineLabel,
                      FileEngine engine) {
            this.pooled = pooled;
            this.atomic = atomic;
            this.fsync = fsync;
            this.engineLabel = engineLabel;
            this.engine = engine;
        }

        @Override
        public String name() {
            return label("Fileflux write " + (pooled ? "pooled" : "heap") + (atomic ? " atomic" : "")
                    + (engineLabel != null ? " " + engineLabel : ""), fsync);
        }

        @Override
        public boolean fsync() {
            return fsync;
        }

        @Override
        public void write(Path target, long size, int chunk) {
            if (template == null || template.capacity() != chunk) {
                template = template(chunk, pooled);
                pool = pooled ? new BufferPool(chunk, 8) : null;
            }
            ByteBuffer t = template;
            BufferPool p = pool;
            WriteOptions options = (engine != null ? WriteOptions.defaults().engine(engine) : WriteOptions.defaults())
                    .atomic(atomic)
                    .durability(fsync ? WriteOptions.Durability.FSYNC : WriteOptions.Durability.NONE);
            Flux<ByteBuffer> source = Flux.range(0, Math.toIntExact(size / chunk)).map(i -> t.duplicate().clear());
            if (p != null) {
                options = options.pooled(p);
                source = Flux.range(0, Math.toIntExact(size / chunk)).map(i -> p.acquire().put(t.duplicate().clear()).flip());
            }
            FileFlux.write(source, target, options).block();
            if (p != null && p.outstanding() != 0) {
                throw new IllegalStateException(name() + " left " + p.outstanding() + " pooled buffers out");
            }
        }
    }
}
