package io.fileflux.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential reads of a warm file by every contender, alternately in one process: per chunk size,
 * {@code warmups} rounds that are thrown away, then {@code rounds} rounds of A B C …, each contender
 * reading the whole file once per round. Throughput is reported as median and range; the ratio to
 * {@link SequentialReaders#BASELINE} is the median of the per-round ratios, so a noisy neighbour
 * slowing one round slows both sides of that round's ratio.
 */
final class SequentialBench {

    /**
     * One contender at one chunk size.
     *
     * @param contender      label
     * @param chunkSize      bytes per read
     * @param medianGBps     median throughput, 10^9 bytes per second
     * @param minGBps        slowest round
     * @param maxGBps        fastest round
     * @param ratio          median of per-round throughput ratios to the baseline
     * @param ratioMin       lowest per-round ratio
     * @param ratioMax       highest per-round ratio
     * @param cpuSecPerGiB   median process CPU seconds per GiB read
     * @param allocPerMiB    median heap bytes allocated per MiB read
     */
    record Row(String contender, int chunkSize, double medianGBps, double minGBps, double maxGBps, double ratio,
               double ratioMin, double ratioMax, double cpuSecPerGiB, double allocPerMiB) {
    }

    private final Path file;
    private final int warmups;
    private final int rounds;
    private final Progress progress;
    /** Drops the file from the page cache before every read (the cold section), outside the timing. */
    private final boolean cold;

    SequentialBench(Path file, int warmups, int rounds, Progress progress) {
        this(file, warmups, rounds, progress, false);
    }

    SequentialBench(Path file, int warmups, int rounds, Progress progress, boolean cold) {
        this.file = file;
        this.warmups = warmups;
        this.rounds = rounds;
        this.progress = progress;
        this.cold = cold;
    }

    List<Row> run(List<SequentialReader> readers, int[] chunkSizes) throws Exception {
        long size = Files.size(file);
        List<Row> rows = new ArrayList<>();
        for (int chunk : chunkSizes) {
            progress.phase("sequential read of " + Units.bytes(size) + " in " + Units.bytes(chunk) + " chunks: "
                    + warmups + " warm-up + " + rounds + " rounds x " + readers.size() + " contenders",
                    (warmups + rounds) * readers.size());
            Map<String, List<Costs>> costs = new LinkedHashMap<>();
            Outcome expected = null;
            // every contender, the baseline first, on its own until its time settles: one alternating
            // warm-up round left a method of a contender run once per round interpreted or only
            // OSR-compiled (the baseline measured 0.98 GB/s under --quick against dd's 4 GB/s)
            for (SequentialReader r : readers) {
                progress.note("warming " + r.name() + " (" + Units.bytes(chunk) + ")");
                warm(r, chunk);
            }
            for (int round = 0; round < warmups + rounds; round++) {
                boolean warm = round < warmups;
                for (SequentialReader r : readers) {
                    progress.step((warm ? "warm-up " : "round " + (round - warmups + 1) + " ") + r.name());
                    if (cold) {
                        PageCache.drop(file);
                    }
                    System.gc();
                    Costs before = Costs.now();
                    Outcome o = r.read(file, chunk);
                    Costs spent = Costs.now().minus(before);
                    if (expected == null) {
                        expected = o;
                    }
                    if (o.bytes() != size || o.fold() != expected.fold()) {
                        throw new IllegalStateException(r.name() + " read " + o + " but the file is " + size
                                + " bytes folding to " + expected.fold());
                    }
                    if (!warm) {
                        costs.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(spent);
                    }
                }
            }
            progress.finishLine();
            List<Costs> base = costs.get(readers.get(0).name());
            for (SequentialReader r : readers) {
                List<Costs> c = costs.get(r.name());
                double[] gbps = new double[c.size()];
                double[] ratios = new double[c.size()];
                double[] cpu = new double[c.size()];
                double[] alloc = new double[c.size()];
                for (int i = 0; i < c.size(); i++) {
                    gbps[i] = size / (double) c.get(i).wallNanos();
                    ratios[i] = base.get(i).wallNanos() / (double) c.get(i).wallNanos();
                    cpu[i] = c.get(i).cpuNanos() / 1e9 / (size / (double) (1L << 30));
                    alloc[i] = c.get(i).allocBytes() / (size / (double) (1L << 20));
                }
                rows.add(new Row(r.name(), chunk, Stats.median(gbps), Stats.min(gbps), Stats.max(gbps),
                        Stats.median(ratios), Stats.min(ratios), Stats.max(ratios), Stats.median(cpu),
                        Stats.median(alloc)));
            }
        }
        return rows;
    }

    /** Most solo runs per contender before the rounds. */
    static final int MAX_WARM_RUNS = 8;

    /**
     * Runs {@code r} alone at least three times and until two consecutive runs agree within 10% (at
     * most {@link #MAX_WARM_RUNS}), so the rounds measure compiled code: a warm-up is never timed.
     */
    private void warm(SequentialReader r, int chunk) throws Exception {
        long previous = -1;
        for (int i = 0; i < MAX_WARM_RUNS; i++) {
            if (cold) {
                PageCache.drop(file);
            }
            long t0 = System.nanoTime();
            r.read(file, chunk);
            long t = System.nanoTime() - t0;
            if (i >= 2 && previous > 0 && Math.abs(t - previous) <= 0.1 * previous) {
                return;
            }
            previous = t;
        }
    }
}
