package dev.sdfleet.pipeline.runtime;

/**
 * Adds up the wall time spent inside ORT {@code run} calls during one generation, so that the pipeline can report
 * how much of its time is its own (the benchmark's "outside ORT" share). Single-threaded, like a generation.
 */
public final class OrtClock {
    private long ortNanos;
    private int runs;

    /** Records one run that took {@code nanos}. */
    public void add(long nanos) {
        ortNanos += nanos;
        runs++;
    }

    public long ortNanos() {
        return ortNanos;
    }

    public int runs() {
        return runs;
    }
}
