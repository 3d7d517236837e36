package dev.sdfleet.pipeline.image;

import java.util.Objects;

/**
 * Turns VAE decoder output into 8-bit RGB the way diffusers' ONNX pipeline does:
 * <pre>
 * image = np.clip(image / 2 + 0.5, 0, 1)                  # float32
 * image = (image.transpose(0, 2, 3, 1) * 255).round().astype("uint8")
 * </pre>
 * Every step is done in {@code float}, as numpy does on a float32 array, and the rounding is half to even
 * ({@code np.round}), not Java's half-up {@code Math.round}: the two differ on values landing exactly on {@code k + 0.5}.
 */
public final class DecodedPixels {

    private DecodedPixels() {}

    /**
     * Converts one decoded image.
     *
     * @param chw    decoder output holding the image as 3 planes (R, G, B) of {@code height * width} floats, row-major,
     *               in the VAE's nominal range [-1, 1] (values outside are clamped)
     * @param offset index of the first R value, e.g. {@code n * 3 * height * width} for image {@code n} of an NCHW batch
     * @param width  image width
     * @param height image height
     * @return the image; NaN, which numpy turns into an unspecified byte, becomes 0 here
     * @throws IllegalArgumentException when the planes do not fit in {@code chw} from {@code offset}
     */
    public static RgbImage toImage(float[] chw, int offset, int width, int height) {
        Objects.requireNonNull(chw, "chw");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        long planeLength = (long) width * height;
        if (offset < 0 || offset + RgbImage.CHANNELS * planeLength > chw.length) {
            throw new IllegalArgumentException("3 planes of " + width + "x" + height + " from offset " + offset
                    + " do not fit in " + chw.length + " floats");
        }
        int plane = (int) planeLength;
        byte[] pixels = new byte[RgbImage.CHANNELS * plane];
        // Plane by plane so that the (larger, float) input is read sequentially; the output is strided by 3.
        for (int channel = 0; channel < RgbImage.CHANNELS; channel++) {
            int source = offset + channel * plane;
            for (int i = 0, target = channel; i < plane; i++, target += RgbImage.CHANNELS) {
                pixels[target] = toByte(chw[source + i]);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /** One decoder value to a byte, statement for statement as numpy computes it in float32. */
    static byte toByte(float value) {
        float unit = value / 2f + 0.5f;
        if (!(unit > 0f)) {
            return 0; // negative, zero or NaN
        }
        if (unit > 1f) {
            unit = 1f;
        }
        float scaled = unit * 255f;
        return (byte) (int) Math.rint(scaled);
    }
}
