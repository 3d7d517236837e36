package dev.sdfleet.pipeline;

/**
 * Where one generation's wall time went, in nanoseconds.
 *
 * @param textNanos tokenizing and text encoding
 * @param denoiseNanos the UNet loop
 * @param decodeNanos VAE decoding (and encoding, for img2img)
 * @param pngNanos pixel conversion and PNG encoding
 * @param totalNanos the whole call
 * @param ortNanos the part of the total spent inside ORT run calls
 * @param unetCalls UNet evaluations
 */
public record StageTimings(
        long textNanos,
        long denoiseNanos,
        long decodeNanos,
        long pngNanos,
        long totalNanos,
        long ortNanos,
        int unetCalls) {

    /** These and {@code other} together: a request run as several UNet calls. */
    public StageTimings plus(StageTimings other) {
        return new StageTimings(
                textNanos + other.textNanos,
                denoiseNanos + other.denoiseNanos,
                decodeNanos + other.decodeNanos,
                pngNanos + other.pngNanos,
                totalNanos + other.totalNanos,
                ortNanos + other.ortNanos,
                unetCalls + other.unetCalls);
    }

    /** The share of wall time spent outside ORT: the pipeline's own overhead. */
    public double outsideOrtShare() {
        return totalNanos == 0 ? 0 : (double) (totalNanos - ortNanos) / totalNanos;
    }
}
