package dev.sdfleet.pipeline.scheduler;

/** The {@code set_timesteps} spacings of diffusers (N inference steps out of T training steps), descending. */
final class Spacing {

    private Spacing() {}

    /**
     * DDIM/PNDM/Euler/LMS timesteps, descending and before any cast:
     * <ul>
     *   <li>linspace: {@code np.linspace(0, T-1, N)} reversed (the caller rounds or casts);</li>
     *   <li>leading: {@code (N-1-k) * (T // N) + steps_offset};</li>
     *   <li>trailing: {@code round(np.arange(T, 0, -T/N)) - 1}.</li>
     * </ul>
     * Deviation: for some N (61, 103, 121, … with T = 1000) numpy's arange yields N+1 trailing values, the last one
     * giving timestep -1; diffusers then runs N+1 steps, here the extra value is dropped.
     */
    static double[] descending(TimestepSpacing spacing, int numTrainTimesteps, int numSteps, int stepsOffset) {
        return switch (spacing) {
            case LINSPACE -> Numpy.reverse(Numpy.linspace(0, numTrainTimesteps - 1, numSteps));
            case LEADING -> {
                int ratio = numTrainTimesteps / numSteps;
                double[] t = new double[numSteps];
                for (int k = 0; k < numSteps; k++) {
                    t[k] = (double) (numSteps - 1 - k) * ratio + stepsOffset;
                }
                yield t;
            }
            case TRAILING -> trailing(numTrainTimesteps, numTrainTimesteps, numSteps);
        };
    }

    /** {@code round(np.arange(start, 0, -T/N)) - 1}, at most N values. */
    static double[] trailing(int start, int numTrainTimesteps, int numSteps) {
        double[] t = Numpy.round(Numpy.arange(start, 0, -((double) numTrainTimesteps / numSteps)));
        double[] result = new double[Math.min(numSteps, t.length)];
        for (int i = 0; i < result.length; i++) {
            result[i] = t[i] - 1;
        }
        return result;
    }

    /** Rounds (half to even) to whole timesteps, as {@code .round().astype(np.int64)}. */
    static int[] toIntegral(double[] timesteps) {
        int[] result = new int[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            result[i] = (int) Math.rint(timesteps[i]);
        }
        return result;
    }

    static float[] toFloat(int[] timesteps) {
        float[] result = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            result[i] = timesteps[i];
        }
        return result;
    }
}
