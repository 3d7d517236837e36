package dev.sdfleet.pipeline.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image: packed {@code R, G, B} bytes per pixel, rows top to bottom, pixels left to right
 * (the layout of a numpy {@code uint8} HxWx3 array).
 *
 * @param width  pixels per row, at least 1
 * @param height rows, at least 1
 * @param pixels exactly {@code width * height * 3} bytes. The array is not copied (images are large and pass through
 *               several stages); treat it as read-only once the image is made.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    /** Bytes per pixel. */
    public static final int CHANNELS = 3;

    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        long expected = (long) width * height * CHANNELS;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    "a " + width + "x" + height + " RGB image needs " + expected + " bytes, got " + pixels.length);
        }
    }

    /**
     * The pixel at column {@code x}, row {@code y} as {@code 0xRRGGBB}.
     *
     * @throws IndexOutOfBoundsException when the position is outside the image
     */
    public int rgb(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        int i = (y * width + x) * CHANNELS;
        return (pixels[i] & 0xFF) << 16 | (pixels[i + 1] & 0xFF) << 8 | pixels[i + 2] & 0xFF;
    }

    /** Compares the pixels by content, unlike a record's default for arrays. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RgbImage that
                && width == that.width
                && height == that.height
                && Arrays.equals(pixels, that.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    /** Size only: the pixels would swamp a log line. */
    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
