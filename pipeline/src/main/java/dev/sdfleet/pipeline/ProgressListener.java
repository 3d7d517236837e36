package dev.sdfleet.pipeline;

/** Told after every denoising step. Called on the generating thread: keep it quick. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (step, total) -> {};

    /**
     * @param step steps done so far (1-based)
     * @param total steps this generation runs
     */
    void onStep(int step, int total);
}
