package io.fileflux.bench;

import com.sun.nio.file.ExtendedOpenOption;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FilefluxOption;
import io.fileflux.core.ReusableIoCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Uncached random reads: 4 KiB blocks at 4 KiB-aligned random offsets of a file opened with
 * {@code O_DIRECT}, {@code queueDepth} reads kept in flight for a fixed time. Contenders: the Fileflux
 * device API on each engine, {@code AsynchronousFileChannel} with {@code ExtendedOpenOption.DIRECT},
 * and {@code fio} (see {@link Fio}). Each read's latency (submit to completion callback) is recorded.
 */
final class RandomBench {

    static final int BLOCK = 4096;
    private static final int MAX_SAMPLES = 4_000_000;

    /**
     * One contender at one queue depth.
     *
     * @param contender  label
     * @param queueDepth reads in flight
     * @param iops       median reads per second over the rounds
     * @param p50us      median latency, microseconds
     * @param p99us      99th percentile latency, microseconds
     * @param p999us     99.9th percentile latency, microseconds
     * @param iopsMin    fewest reads per second of a round
     * @param iopsMax    most reads per second of a round
     * @param cpuUs      median CPU time per read, microseconds: the whole process's (user + system) over the
     *                   run divided by the reads, for fio its own report
     * @param note       why a contender has no numbers, else empty
     */
    record Row(String contender, int queueDepth, double iops, double p50us, double p99us, double p999us,
               double iopsMin, double iopsMax, double cpuUs, String note) {

        static Row unavailable(String contender, int queueDepth, String note) {
            return new Row(contender, queueDepth, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, note);
        }

        boolean measured() {
            return note.isEmpty();
        }
    }

    /** A random-read loop kept at a queue depth for a time; returns latencies in nanoseconds. */
    interface Runner {
        String name();

        Samples run(Path file, int queueDepth, long nanos) throws Exception;
    }

    /** Completed reads, the latency of (up to {@link #MAX_SAMPLES} of) them, and the process's CPU time meanwhile. */
    record Samples(long ops, long elapsedNanos, long[] latencies, int count, long cpuNanos) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private final Path file;
    private final int rounds;
    private final double seconds;
    private final boolean fio;
    private final Progress progress;

    RandomBench(Path file, int rounds, double seconds, boolean fio, Progress progress) {
        this.file = file;
        this.rounds = rounds;
        this.seconds = seconds;
        this.fio = fio;
        this.progress = progress;
    }

    static List<Runner> runners() {
        List<Runner> list = new ArrayList<>();
        for (String engine : SequentialReaders.availableEngines()) {
            list.add(new DeviceRunner(engine));
        }
        for (String variant : SequentialReaders.uringVariants()) {
            list.add(new DeviceRunner("io_uring[" + variant + "]", SequentialReaders.uringVariant(variant)));
        }
        if (SequentialReaders.availableEngines().contains("io_uring")) {
            // each on an engine of its own: reads into slices of one slab registered with it
            // (IORING_OP_READ_FIXED), then also the file registered (IOSQE_FIXED_FILE), then on a
            // SINGLE_ISSUER|DEFER_TASKRUN ring
            list.add(new DeviceRunner("io_uring device, registered buffers",
                    SequentialReaders.uringVariant("fixedFiles=false"), true));
            list.add(new DeviceRunner("io_uring device, registered buffers + files",
                    SequentialReaders.uringVariant("fixedFiles=true"), true));
            list.add(new DeviceRunner("io_uring device, registered buffers + files, defer",
                    SequentialReaders.uringVariant("defer=true,fixedFiles=true"), true));
        }
        list.add(new AsyncChannelRunner());
        return list;
    }

    List<Row> run(int[] queueDepths) throws Exception {
        List<Runner> runners = runners();
        List<Row> rows = new ArrayList<>();
        long nanos = (long) (seconds * 1e9);
        List<String> fioEngines = List.of("io_uring", "psync");
        String fioMissing = fio ? Fio.missing() : "disabled (--no-fio)";
        progress.phase("O_DIRECT random " + Units.bytes(BLOCK) + " reads of " + Units.bytes(Files.size(file)) + ", "
                + seconds + " s per run, " + rounds + " rounds", queueDepths.length * rounds
                * (runners.size() + (fioMissing == null ? fioEngines.size() : 0)));
        for (int qd : queueDepths) {
            List<List<Samples>> perRunner = new ArrayList<>();
            List<List<Fio.Result>> perFio = new ArrayList<>();
            String[] failed = new String[runners.size()];
            for (int i = 0; i < runners.size(); i++) {
                perRunner.add(new ArrayList<>());
            }
            for (int i = 0; i < fioEngines.size(); i++) {
                perFio.add(new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < runners.size(); i++) {
                    Runner r = runners.get(i);
                    progress.step("QD" + qd + " round " + (round + 1) + " " + r.name());
                    if (failed[i] != null) {
                        continue;
                    }
                    try {
                        r.run(file, qd, nanos / 5); // warm-up: JIT, threads, device open paths
                        perRunner.get(i).add(r.run(file, qd, nanos));
                    } catch (Exception e) {
                        failed[i] = String.valueOf(e);
                    }
                }
                if (fioMissing == null) {
                    for (int i = 0; i < fioEngines.size(); i++) {
                        progress.step("QD" + qd + " round " + (round + 1) + " fio " + fioEngines.get(i));
                        perFio.get(i).add(Fio.randomRead(file, fioEngines.get(i), qd, seconds));
                    }
                }
            }
            progress.finishLine();
            for (int i = 0; i < runners.size(); i++) {
                String name = runners.get(i).name();
                rows.add(failed[i] != null ? Row.unavailable(name, qd, failed[i]) : summarize(name, qd, perRunner.get(i)));
            }
            for (int i = 0; i < fioEngines.size(); i++) {
                String name = "fio " + fioEngines.get(i) + ("psync".equals(fioEngines.get(i)) && qd > 1 ? " (" + qd + " jobs)" : "");
                if (fioMissing != null) {
                    rows.add(Row.unavailable(name, qd, "fio " + fioMissing));
                    continue;
                }
                List<Fio.Result> res = perFio.get(i);
                Fio.Result failure = res.stream().filter(x -> x.error() != null).findFirst().orElse(null);
                if (failure != null) {
                    rows.add(Row.unavailable(name, qd, failure.error()));
                    continue;
                }
                double[] iops = res.stream().mapToDouble(Fio.Result::iops).toArray();
                double[] p50 = res.stream().mapToDouble(Fio.Result::p50us).toArray();
                double[] p99 = res.stream().mapToDouble(Fio.Result::p99us).toArray();
                double[] p999 = res.stream().mapToDouble(Fio.Result::p999us).toArray();
                double[] cpu = res.stream().mapToDouble(Fio.Result::cpuUsPerRead).toArray();
                rows.add(new Row(name, qd, Stats.median(iops), Stats.median(p50), Stats.median(p99),
                        Stats.median(p999), Stats.min(iops), Stats.max(iops), Stats.median(cpu), ""));
            }
        }
        return rows;
    }

    private static Row summarize(String name, int qd, List<Samples> runs) {
        double[] iops = new double[runs.size()];
        double[] cpu = new double[runs.size()];
        int total = 0;
        for (int i = 0; i < runs.size(); i++) {
            iops[i] = runs.get(i).ops() * 1e9 / runs.get(i).elapsedNanos();
            cpu[i] = runs.get(i).cpuNanos() / 1e3 / Math.max(1, runs.get(i).ops());
            total += runs.get(i).count();
        }
        long[] all = new long[total];
        int at = 0;
        for (Samples s : runs) {
            System.arraycopy(s.latencies(), 0, all, at, s.count());
            at += s.count();
        }
        Arrays.sort(all);
        return new Row(name, qd, Stats.median(iops), Stats.percentileSorted(all, total, 50) / 1e3,
                Stats.percentileSorted(all, total, 99) / 1e3, Stats.percentileSorted(all, total, 99.9) / 1e3,
                Stats.min(iops), Stats.max(iops), Stats.median(cpu), "");
    }

    /** A 4 KiB-aligned direct buffer of one block. */
    static ByteBuffer alignedBlock() {
        return ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK);
    }

    /** Per-slot state shared by both runners: random offsets, latency samples, the deadline. */
    abstract static class Slot {
        ByteBuffer buf = alignedBlock();
        final SplittableRandom random;
        final long blocks;
        final long deadline;
        final long[] lat;
        final CountDownLatch done;
        int count;
        long ops;
        long start;
        volatile Throwable error;

        Slot(long seed, long blocks, long deadline, int capacity, CountDownLatch done) {
            this.random = new SplittableRandom(seed);
            this.blocks = blocks;
            this.deadline = deadline;
            this.lat = new long[capacity];
            this.done = done;
        }

        final void next() {
            long now = System.nanoTime();
            if (now >= deadline) {
                done.countDown();
                return;
            }
            buf.clear().limit(BLOCK);
            start = now;
            submit(random.nextLong(blocks) * BLOCK);
        }

        final void completed() {
            long t = System.nanoTime() - start;
            ops++;
            if (count < lat.length) {
                lat[count++] = t;
            }
            next();
        }

        final void failed(Throwable e) {
            error = e;
            done.countDown();
        }

        abstract void submit(long position);
    }

    static Samples runSlots(List<? extends Slot> slots, CountDownLatch done, long startNanos) throws Exception {
        long cpuStart = OS.getProcessCpuTime();
        slots.forEach(Slot::next);
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("random reads did not finish");
        }
        long elapsed = System.nanoTime() - startNanos;
        long cpu = OS.getProcessCpuTime() - cpuStart;
        long ops = 0;
        int count = 0;
        for (Slot s : slots) {
            if (s.error != null) {
                throw new IOException("random read failed", s.error);
            }
            ops += s.ops;
            count += s.count;
        }
        long[] lat = new long[count];
        int at = 0;
        for (Slot s : slots) {
            System.arraycopy(s.lat, 0, lat, at, s.count);
            at += s.count;
        }
        return new Samples(ops, elapsed, lat, count, cpu);
    }

    /** The Fileflux device API of one engine, file opened with {@link FilefluxOption#DIRECT}. */
    static final class DeviceRunner implements Runner {
        private final String engine;
        private final String label;
        private final FileEngine variant;
        private final boolean registered;
        /** Blocks registered with {@link #variant}, one per slot; grown (and registered again) for a deeper queue. */
        private ByteBuffer slab;

        DeviceRunner(String engine) {
            this.engine = engine;
            this.label = engine + " device";
            this.variant = null;
            this.registered = false;
        }

        /** A runner on {@code variant} (an engine of its own), named by {@code label}. */
        DeviceRunner(String label, FileEngine variant) {
            this(label + " device", variant, false);
        }

        /**
         * A runner on {@code variant}, named {@code Fileflux LABEL}; with {@code registered}, every slot reads
         * into its own block of a slab registered with the engine ({@link FileEngine#registerBuffer}).
         */
        DeviceRunner(String label, FileEngine variant, boolean registered) {
            this.engine = null;
            this.label = label;
            this.variant = variant;
            this.registered = registered;
        }

        @Override
        public String name() {
            return "Fileflux " + label;
        }

        /** The block of slot {@code i}, in a slab of at least {@code queueDepth} blocks registered with {@code e}. */
        private ByteBuffer registeredBlock(FileEngine e, int queueDepth, int i) {
            if (slab == null || slab.capacity() < queueDepth * BLOCK) {
                slab = ByteBuffer.allocateDirect((queueDepth + 1) * BLOCK).alignedSlice(BLOCK).slice();
                if (!e.registerBuffer(slab)) {
                    throw new IllegalStateException("the engine refused to register the slab (see its DEBUG log)");
                }
            }
            return slab.slice(i * BLOCK, BLOCK);
        }

        @Override
        public Samples run(Path file, int queueDepth, long nanos) throws Exception {
            FileEngine e = variant != null ? variant : Engines.shared(engine);
            FileDevice dev = e.open(file, Set.of(StandardOpenOption.READ, FilefluxOption.DIRECT));
            try {
                long blocks = dev.size() / BLOCK;
                CountDownLatch done = new CountDownLatch(queueDepth);
                long start = System.nanoTime();
                List<Slot> slots = new ArrayList<>();
                for (int i = 0; i < queueDepth; i++) {
                    ByteBuffer block = registered ? registeredBlock(e, queueDepth, i) : null;
                    slots.add(new Slot(start + i, blocks, start + nanos, MAX_SAMPLES / queueDepth, done) {
                        {
                            if (block != null) {
                                buf = block;
                            }
                        }

                        // one op at a time per slot: the device reuses its op objects (nothing allocated per read)
                        private final ReusableIoCallback callback = new ReusableIoCallback() {
                            @Override
                            public void completed(int bytes) {
                                completedOne();
                            }

                            @Override
                            public void failed(IOException error) {
                                failedOne(error);
                            }
                        };

                        void completedOne() {
                            completed();
                        }

                        void failedOne(IOException error) {
                            failed(error);
                        }

                        @Override
                        void submit(long position) {
                            dev.read(buf, position, callback);
                        }
                    });
                }
                return runSlots(slots, done, start);
            } finally {
                dev.closeAsync().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /** {@code AsynchronousFileChannel} opened with {@code ExtendedOpenOption.DIRECT}, default thread pool. */
    static final class AsyncChannelRunner implements Runner {
        @Override
        public String name() {
            return "AsynchronousFileChannel DIRECT";
        }

        @Override
        public Samples run(Path file, int queueDepth, long nanos) throws Exception {
            Set<OpenOption> opts = Set.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, opts, null)) {
                long blocks = ch.size() / BLOCK;
                CountDownLatch done = new CountDownLatch(queueDepth);
                long start = System.nanoTime();
                List<Slot> slots = new ArrayList<>();
                for (int i = 0; i < queueDepth; i++) {
                    slots.add(new Slot(start + i, blocks, start + nanos, MAX_SAMPLES / queueDepth, done) {
                        private final CompletionHandler<Integer, Void> handler = new CompletionHandler<>() {
                            @Override
                            public void completed(Integer bytes, Void att) {
                                completedOne();
                            }

                            @Override
                            public void failed(Throwable error, Void att) {
                                failedOne(error);
                            }
                        };

                        void completedOne() {
                            completed();
                        }

                        void failedOne(Throwable error) {
                            failed(error);
                        }

                        @Override
                        void submit(long position) {
                            ch.read(buf, position, null, handler);
                        }
                    });
                }
                return runSlots(slots, done, start);
            }
        }
    }
}
