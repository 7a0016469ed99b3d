package io.fileflux.bench;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.BufferMode;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.ReadOptions;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * The contenders of the sequential-read benchmark: the synchronous baseline, the JDK's asynchronous
 * channel, the libraries a Reactor or Vert.x user would pick instead, a naive {@code Flux.generate},
 * and Fileflux on every engine available here. Each is written the way a user of that API would
 * write it, and each folds every byte with {@link Fold}.
 */
public final class SequentialReaders {

    /** Label of the baseline every ratio is taken against. */
    public static final String BASELINE = "FileChannel.read";

    private SequentialReaders() {
    }

    /** Every contender available on this machine, the baseline first. */
    public static List<SequentialReader> all() {
        List<SequentialReader> list = new ArrayList<>();
        list.add(new FileChannelRead());
        list.add(new AsyncChannelRead(1));
        list.add(new AsyncChannelRead(16));
        list.addAll(BridgeReaders.all());
        list.add(new VertxAsyncFileRead());
        list.add(new FluxGenerateRead(false));
        list.add(new FluxGenerateRead(true));
        for (String engine : availableEngines()) {
            for (int inFlight : new int[] {1, 4, 16}) {
                list.add(new FilefluxRead(engine, inFlight, BufferMode.POOLED));
            }
            list.add(new FilefluxRead(engine, ReadOptions.DEFAULT_MAX_IN_FLIGHT, BufferMode.DIRECT)); // a new direct buffer per chunk
        }
        list.add(new FilefluxDefaultsRead());
        for (String engine : availableEngines()) {
            list.add(new FilefluxRead(engine, ReadOptions.DEFAULT_MAX_IN_FLIGHT, BufferMode.HEAP));
        }
        for (String variant : uringVariants()) {
            FileEngine e = uringVariant(variant);
            for (int inFlight : new int[] {4, 16}) {
                list.add(new FilefluxRead("io_uring[" + variant + "]", e, inFlight, BufferMode.POOLED));
            }
            list.add(new FilefluxRead("io_uring[" + variant + "]", e, ReadOptions.DEFAULT_MAX_IN_FLIGHT,
                    BufferMode.HEAP));
        }
        return list;
    }

    /**
     * System property listing io_uring engine variants to run beside the shared engine, in the same
     * process: {@code ;}-separated lists of {@code name=value} system properties the engine reads when
     * it is created, e.g. {@code fileflux.uring.async=never}. Each variant gets its own engine and
     * contenders named {@code Fileflux io_uring[VARIANT] ...}.
     */
    public static final String VARIANTS_PROPERTY = "fileflux.bench.uring.variants";

    private static final java.util.Map<String, FileEngine> VARIANT_ENGINES = new java.util.concurrent.ConcurrentHashMap<>();

    static List<String> uringVariants() {
        String v = System.getProperty(VARIANTS_PROPERTY, "").trim();
        if (v.isEmpty() || !availableEngines().contains("io_uring")) {
            return List.of();
        }
        return List.of(v.split("\\s*;\\s*"));
    }

    /** A dedicated io_uring engine created with the variant's properties set (and restored after). */
    static FileEngine uringVariant(String variant) {
        return VARIANT_ENGINES.computeIfAbsent(variant, k -> {
            synchronized (SequentialReaders.class) {
                java.util.Map<String, String> saved = new java.util.HashMap<>();
                for (String kv : k.split(",")) {
                    String[] p = kv.split("=", 2);
                    String name = p[0].startsWith("fileflux.") ? p[0] : "fileflux.uring." + p[0];
                    saved.put(name, System.getProperty(name));
                    System.setProperty(name, p.length > 1 ? p[1] : "true");
                }
                try {
                    return Engines.create("io_uring");
                } finally {
                    saved.forEach((name, old) -> {
                        if (old == null) {
                            System.clearProperty(name);
                        } else {
                            System.setProperty(name, old);
                        }
                    });
                }
            }
        });
    }

    /** A command-line friendly key of a contender's name: {@code Fileflux io_uring x16 pooled} → {@code fileflux-io-uring-x16-pooled}. */
    public static String key(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /**
     * The contender whose {@link #key} is {@code key}.
     *
     * @throws IllegalArgumentException if none is (the engine may be unavailable here)
     */
    public static SequentialReader byKey(String key) {
        List<SequentialReader> all = all();
        return all.stream().filter(r -> key(r.name()).equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no contender '" + key + "' here; known: "
                        + all.stream().map(r -> key(r.name())).toList()));
    }

    /** The names of the Fileflux engines that work on this machine. */
    public static List<String> availableEngines() {
        List<String> names = new ArrayList<>();
        for (EngineStatus s : Engines.probeAll()) {
            if (s.available()) {
                names.add(s.name());
            }
        }
        return names;
    }

    /** {@code FileChannel.read} into one reused direct buffer: the synchronous baseline. */
    static final class FileChannelRead implements SequentialReader {
        @Override
        public String name() {
            return BASELINE;
        }

        @Override
        public Outcome read(Path file, int chunkSize) throws IOException {
            ByteBuffer buf = ByteBuffer.allocateDirect(chunkSize);
            long bytes = 0;
            long fold = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (ch.read(buf.clear()) >= 0) {
                    buf.flip();
                    bytes += buf.remaining();
                    fold += Fold.fold(buf);
                }
            }
            return new Outcome(bytes, fold);
        }
    }

    /**
     * {@code AsynchronousFileChannel} with {@code inFlight} positional reads outstanding, consumed in
     * offset order by the calling thread (each buffer is re-submitted once folded).
     */
    static final class AsyncChannelRead implements SequentialReader {
        private final int inFlight;

        AsyncChannelRead(int inFlight) {
            this.inFlight = inFlight;
        }

        @Override
        public String name() {
            return "AsynchronousFileChannel x" + inFlight;
        }

        @Override
        public Outcome read(Path file, int chunkSize) throws Exception {
            long bytes = 0;
            long fold = 0;
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                ByteBuffer[] bufs = new ByteBuffer[inFlight];
                long[] pos = new long[inFlight];
                List<Future<Integer>> ops = new ArrayList<>(java.util.Collections.nCopies(inFlight, null));
                long next = 0;
                for (int i = 0; i < inFlight && next < size; i++, next += chunkSize) {
                    bufs[i] = ByteBuffer.allocateDirect(chunkSize);
                    pos[i] = next;
                    ops.set(i, ch.read(bufs[i], next));
                }
                for (int head = 0; ops.get(head) != null; head = (head + 1) % inFlight) {
                    ByteBuffer b = bufs[head];
                    int n = ops.get(head).get();
                    // a short read before the end is continued where it stopped
                    while (n > 0 && b.hasRemaining() && pos[head] + b.position() < size) {
                        n = ch.read(b, pos[head] + b.position()).get();
                    }
                    b.flip();
                    bytes += b.remaining();
                    fold += Fold.fold(b);
                    if (next < size) {
                        pos[head] = next;
                        ops.set(head, ch.read(b.clear(), next));
                        next += chunkSize;
                    } else {
                        ops.set(head, null);
                    }
                }
            }
            return new Outcome(bytes, fold);
        }
    }

    /** Folds every byte of every buffer and releases each one, as a WebFlux handler would. */
    static Outcome consume(reactor.core.publisher.Flux<DataBuffer> buffers) {
        long[] acc = new long[2];
        buffers.doOnNext(db -> {
            try (DataBuffer.ByteBufferIterator it = db.readableByteBuffers()) {
                while (it.hasNext()) {
                    ByteBuffer b = it.next();
                    acc[0] += b.remaining();
                    acc[1] += Fold.fold(b);
                }
            } finally {
                DataBufferUtils.release(db);
            }
        }).then().block();
        return new Outcome(acc[0], acc[1]);
    }

    /** A Vert.x {@code AsyncFile} read stream with the read buffer size set to the chunk size. */
    static final class VertxAsyncFileRead implements SequentialReader {
        private Vertx vertx;

        @Override
        public String name() {
            return "Vert.x AsyncFile";
        }

        @Override
        public Outcome read(Path file, int chunkSize) throws Exception {
            if (vertx == null) {
                vertx = Vertx.vertx();
            }
            AsyncFile af = vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true))
                    .toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
            long[] acc = new long[2];
            CompletableFuture<Void> done = new CompletableFuture<>();
            af.setReadBufferSize(chunkSize);
            af.exceptionHandler(done::completeExceptionally);
            af.endHandler(v -> done.complete(null));
            af.handler(buf -> {
                ByteBuffer b = ((BufferInternal) buf).getByteBuf().nioBuffer();
                acc[0] += b.remaining();
                acc[1] += Fold.fold(b);
            });
            try {
                done.get(10, TimeUnit.MINUTES);
            } finally {
                af.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
            }
            return new Outcome(acc[0], acc[1]);
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
     * The naive Reactor answer: {@code Flux.generate} calling {@code FileChannel.read} on the
     * subscribing thread, either into one reused direct buffer (unsafe to hand out, but fast) or into
     * a new heap buffer per chunk (safe, what most code does).
     */
    static final class FluxGenerateRead implements SequentialReader {
        private final boolean newBufferPerChunk;

        FluxGenerateRead(boolean newBufferPerChunk) {
            this.newBufferPerChunk = newBufferPerChunk;
        }

        @Override
        public String name() {
            return newBufferPerChunk ? "Flux.generate, new heap buffer" : "Flux.generate, reused buffer";
        }

        @Override
        public Outcome read(Path file, int chunkSize) {
            long[] acc = new long[2];
            ByteBuffer shared = ByteBuffer.allocateDirect(chunkSize);
            Flux.<ByteBuffer, FileChannel>generate(
                            () -> FileChannel.open(file, StandardOpenOption.READ),
                            (ch, sink) -> {
                                ByteBuffer b = newBufferPerChunk ? ByteBuffer.allocate(chunkSize) : shared.clear();
                                try {
                                    if (ch.read(b) < 0) {
                                        sink.complete();
                                    } else {
                                        sink.next(b.flip());
                                    }
                                } catch (IOException e) {
                                    sink.error(e);
                                }
                                return ch;
                            },
                            ch -> {
                                try {
                                    ch.close();
                                } catch (IOException ignored) {
                                    // closing a read-only channel: nothing to recover
                                }
                            })
                    .doOnNext(b -> {
                        acc[0] += b.remaining();
                        acc[1] += Fold.fold(b);
                    })
                    .then()
                    .block();
            return new Outcome(acc[0], acc[1]);
        }
    }

    /**
     * {@code FileFlux.read(path)} with no options at all, as a new user writes it: the default engine,
     * chunk size, reads in flight and buffer mode (new heap buffers). The chunk size of the row is
     * ignored: the defaults choose their own.
     */
    static final class FilefluxDefaultsRead implements SequentialReader {
        @Override
        public String name() {
            return "Fileflux defaults (read(path))";
        }

        @Override
        public Outcome read(Path file, int chunkSize) {
            long[] acc = new long[2];
            FileFlux.read(file)
                    .doOnNext(b -> {
                        acc[0] += b.remaining();
                        acc[1] += Fold.fold(b);
                    })
                    .then()
                    .block();
            return new Outcome(acc[0], acc[1]);
        }
    }

    /**
     * {@code FileFlux.read} on one engine with {@code maxInFlight} reads outstanding, with pooled buffers
     * released after folding, a new direct buffer per chunk, or a new heap buffer per chunk.
     */
    static final class FilefluxRead implements SequentialReader {
        private final String label;
        private final FileEngine engine;
        private final String engineName;
        private final int maxInFlight;
        private final BufferMode mode;
        private BufferPool pool;

        FilefluxRead(String engine, int maxInFlight, BufferMode mode) {
            this(engine, null, maxInFlight, mode);
        }

        FilefluxRead(String label, FileEngine engine, int maxInFlight, BufferMode mode) {
            this.label = label;
            this.engine = engine;
            this.engineName = engine == null ? label : null;
            this.maxInFlight = maxInFlight;
            this.mode = mode;
        }

        @Override
        public String name() {
            return "Fileflux " + label + " x" + maxInFlight + " " + mode.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public Outcome read(Path file, int chunkSize) {
            ReadOptions options = (engine != null ? ReadOptions.defaults().engine(engine)
                    : ReadOptions.defaults().engine(engineName)).chunkSize(chunkSize).maxInFlight(maxInFlight)
                    .bufferMode(mode == BufferMode.POOLED ? BufferMode.DIRECT : mode);
            BufferPool p = null;
            if (mode == BufferMode.POOLED) {
                if (pool == null || pool.bufferSize() != chunkSize) {
                    pool = new BufferPool(chunkSize, maxInFlight + 2);
                }
                p = pool;
                options = options.pooled(p);
            }
            BufferPool release = p;
            long[] acc = new long[2];
            FileFlux.read(file, options)
                    .doOnNext(b -> {
                        acc[0] += b.remaining();
                        acc[1] += Fold.fold(b);
                        if (release != null) {
                            release.release(b);
                        }
                    })
                    .then()
                    .block();
            return new Outcome(acc[0], acc[1]);
        }
    }
}
