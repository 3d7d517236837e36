package dev.sdfleet.pipeline.scheduler;

/** Argument checks shared by the schedulers, and the rule that steps come with consecutive indices. */
final class StepSequence {

    private int expectedIndex = -1;
    private int sampleLength = -1;
    private int stepsTaken;

    /** Fails unless {@code 0 <= stepIndex < count}. */
    void checkIndex(int stepIndex, int count) {
        if (stepIndex < 0 || stepIndex >= count) {
            throw new IllegalArgumentException("step index " + stepIndex + " is outside 0.." + (count - 1));
        }
    }

    /** Validates a step call before it changes anything. */
    void begin(int stepIndex, int count, float[] modelOutput, float[] sample) {
        checkIndex(stepIndex, count);
        if (modelOutput.length != sample.length) {
            throw new IllegalArgumentException(
                    "model output has " + modelOutput.length + " values but the sample has " + sample.length);
        }
        if (sampleLength >= 0 && sample.length != sampleLength) {
            throw new IllegalArgumentException(
                    "the sample had " + sampleLength + " values in earlier steps, now " + sample.length);
        }
        if (expectedIndex >= 0 && stepIndex != expectedIndex) {
            throw new IllegalStateException("step " + stepIndex + " called after step " + (expectedIndex - 1)
                    + ": steps must use consecutive indices (create a new scheduler for a new job)");
        }
        sampleLength = sample.length;
    }

    /** Records a completed step. */
    void end(int stepIndex) {
        expectedIndex = stepIndex + 1;
        stepsTaken++;
    }

    /** Steps completed so far (diffusers' counters start at 0 whatever the first index). */
    int stepsTaken() {
        return stepsTaken;
    }
}
