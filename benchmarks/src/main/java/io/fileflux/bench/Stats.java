package io.fileflux.bench;

import java.util.Arrays;

/** Order statistics of a few samples (medians and spreads of benchmark rounds). */
public final class Stats {

    private Stats() {
    }

    /** The median (mean of the two middle values for an even count); NaN for none. */
    public static double median(double[] values) {
        return percentile(values, 50);
    }

    /** The {@code p}-th percentile by linear interpolation between closest ranks; NaN for none. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double rank = p / 100.0 * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return v[lo] + (v[hi] - v[lo]) * (rank - lo);
    }

    /** The {@code p}-th percentile of sorted {@code values[0..count)} by nearest rank; 0 for none. */
    public static long percentileSorted(long[] sorted, int count, double p) {
        if (count == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, idx))];
    }

    /** min and max as a "lo–hi" spread. */
    public static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    public static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
