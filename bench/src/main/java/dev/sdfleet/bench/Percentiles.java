package dev.sdfleet.bench;

import java.util.List;
import java.util.Locale;

/** Nearest-rank percentiles of a sample of milliseconds. */
public record Percentiles(double p50, double p99, double max, int count) {

    public static Percentiles of(List<Double> millis) {
        double[] sorted =
                millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Percentiles(rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1], sorted.length);
    }

    private static double rank(double[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", p50, p99, max, count);
    }
}
