package dev.sdfleet.bench.pipeline;

import dev.sdfleet.bench.ProcessMemory;
import java.util.Arrays;

/**
 * Reads this process's RSS every few milliseconds on a daemon thread, so a benchmark can ask for the peak between two
 * instants afterwards (a stage's peak, which VmHWM alone cannot give). A peak shorter than the interval may be missed:
 * the process's own VmHWM bounds all of them.
 */
final class RssSampler implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 5;

    private final Thread thread;
    private long[] times = new long[1 << 14];
    private long[] rss = new long[1 << 14];
    private int count;
    private volatile boolean running = true;

    private RssSampler() {
        thread = Thread.ofPlatform().daemon().name("rss-sampler").start(this::sample);
    }

    static RssSampler start() {
        return new RssSampler();
    }

    private void sample() {
        while (running) {
            record(System.nanoTime(), ProcessMemory.rssKiB());
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void record(long time, long kib) {
        if (count == times.length) {
            times = Arrays.copyOf(times, count * 2);
            rss = Arrays.copyOf(rss, count * 2);
        }
        times[count] = time;
        rss[count++] = kib;
    }

    /** The highest RSS sampled from {@code fromNanos} to {@code toNanos} (System.nanoTime), in KiB; 0 if none. */
    synchronized long peakBetween(long fromNanos, long toNanos) {
        long peak = 0;
        for (int i = 0; i < count; i++) {
            if (times[i] >= fromNanos && times[i] <= toNanos) {
                peak = Math.max(peak, rss[i]);
            }
        }
        return peak;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
