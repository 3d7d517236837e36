package dev.sdfleet.pipeline.scheduler;

/**
 * The numpy operations diffusers builds its timestep and sigma schedules with, in float64 and in numpy's order of
 * operations, so that schedules agree with diffusers to the last bit before their cast to float32.
 */
final class Numpy {

    private Numpy() {}

    /** {@code np.linspace(start, stop, num)}: {@code i * step + start}, the last element exactly {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} for float steps: length {@code ceil((stop - start) / step)}, elements
     * {@code start + i * delta} with {@code delta = (start + step) - start} (numpy's fill).
     */
    static double[] arange(double start, double stop, double step) {
        int length = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] y = new double[length];
        double delta = (start + step) - start;
        for (int i = 0; i < length; i++) {
            y[i] = i == 0 ? start : i == 1 ? start + step : start + i * delta;
        }
        return y;
    }

    /** {@code np.round} (half to even) of every element, in place. */
    static double[] round(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.rint(values[i]);
        }
        return values;
    }

    /** Reverses in place and returns the array. */
    static double[] reverse(double[] values) {
        for (int i = 0, j = values.length - 1; i < j; i++, j--) {
            double swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
        return values;
    }

    /**
     * {@code np.interp(x, np.arange(len(fp)), fp)} with float32 {@code fp}: {@code slope * (x - j) + fp[j]}, clamped
     * to the end values outside the range.
     */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) {
            return fp[0];
        }
        if (x >= last) {
            return fp[last];
        }
        int j = (int) Math.floor(x);
        if (j == x) {
            return fp[j];
        }
        double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /**
     * diffusers {@code _convert_to_karras}: {@code (σmax^(1/ρ) + ramp (σmin^(1/ρ) - σmax^(1/ρ)))^ρ}, ρ = 7,
     * {@code ramp = np.linspace(0, 1, n)}.
     */
    static double[] karrasSigmas(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return sigmas;
    }

    /** {@code np.log} of a float32 table, rounded to float32 (the log_sigmas of diffusers' {@code _sigma_to_t}). */
    static float[] logOf(float[] values) {
        float[] logs = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            logs[i] = (float) Math.log(values[i]);
        }
        return logs;
    }

    /**
     * diffusers {@code _sigma_to_t}: the fractional training timestep of {@code sigma}, by linear interpolation of
     * log σ between the two neighbouring training sigmas ({@code logSigmas} ascending, float32).
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        // low = the last index whose log σ is <= log_sigma (argmax of the cumulative count), clipped to len - 2
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        float lowLog = logSigmas[low];
        float highLog = logSigmas[low + 1];
        double w = (lowLog - logSigma) / (lowLog - highLog); // the denominator is float32 - float32 in numpy
        w = Math.min(Math.max(w, 0), 1);
        return (1 - w) * low + w * (low + 1);
    }
}
