package dev.sdfleet.pipeline.scheduler;

/**
 * Dynamic thresholding of the predicted x0 (Imagen, arXiv 2205.11487; diffusers {@code _threshold_sample}): per
 * image, s = the {@code ratio} quantile of |x0| clamped to [1, sampleMaxValue], then x0 = clamp(x0, -s, s) / s.
 * Allocation-free after the first call (the quantile uses selection on a scratch copy, not a sort).
 */
final class DynamicThresholding {

    private final float ratio;
    private final float maxValue;
    private int batchSize = 1;
    private float[] scratch;

    DynamicThresholding(double ratio, double sampleMaxValue) {
        this.ratio = (float) ratio; // torch.quantile makes q a tensor of the sample's dtype
        this.maxValue = (float) sampleMaxValue;
    }

    /** The thresholding a DDIM/DPM-Solver config asks for, or {@code null} when {@code thresholding} is off. */
    static DynamicThresholding of(SchedulerConfig config) {
        return config.thresholding()
                ? new DynamicThresholding(config.dynamicThresholdingRatio(), config.sampleMaxValue())
                : null;
    }

    void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    void apply(float[] x0) {
        if (x0.length % batchSize != 0) {
            throw new IllegalArgumentException(
                    "sample of " + x0.length + " values does not split into " + batchSize + " images");
        }
        int perImage = x0.length / batchSize;
        if (scratch == null || scratch.length != perImage) {
            scratch = new float[perImage];
        }
        for (int b = 0; b < batchSize; b++) {
            int offset = b * perImage;
            for (int i = 0; i < perImage; i++) {
                scratch[i] = Math.abs(x0[offset + i]);
            }
            // torch.quantile, linear interpolation: rank = q * (n - 1) in float32
            float rank = ratio * (perImage - 1);
            int below = (int) rank;
            int above = (int) Math.ceil(rank);
            float weight = rank - below;
            float low = select(scratch, below);
            float high = above == below ? low : select(scratch, above);
            float s = weight < 0.5f ? low + weight * (high - low) : high - (high - low) * (1f - weight);
            s = Math.min(Math.max(s, 1f), maxValue); // torch.clamp(s, min=1, max=sample_max_value)
            for (int i = offset; i < offset + perImage; i++) {
                x0[i] = Math.min(Math.max(x0[i], -s), s) / s;
            }
        }
    }

    /** The k-th smallest value (0-based); reorders {@code values}. Hoare quickselect. */
    static float select(float[] values, int k) {
        int left = 0;
        int right = values.length - 1;
        while (left < right) {
            float pivot = values[(left + right) >>> 1];
            int i = left;
            int j = right;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float swap = values[i];
                    values[i] = values[j];
                    values[j] = swap;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                right = j;
            } else if (k >= i) {
                left = i;
            } else {
                return values[k];
            }
        }
        return values[k];
    }
}
