package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.image.RgbImage;
import java.util.Objects;

/**
 * Which pixels an inpainting generation repaints, as diffusers reads a mask image: the image is turned to grey
 * (PIL's {@code convert("L")}: {@code L = 0.299 R + 0.587 G + 0.114 B}, rounded), and a pixel is repainted when
 * {@code L / 255 >= 0.5}, kept otherwise: white repaints, black keeps.
 *
 * <p>The latent mask is the pixel mask downsampled by the VAE factor with nearest-neighbour sampling as
 * {@code torch.nn.functional.interpolate} does it (the top-left pixel of each 8x8 block; diffusers' PyTorch
 * {@code StableDiffusionInpaintPipeline}). A mask whose edges lie on the 8-pixel grid means the same at both sizes.
 */
public final class InpaintMask {
    /** Pixels per latent cell along each side. */
    public static final int VAE_FACTOR = 8;

    private final int width;
    private final int height;
    private final boolean[] repaint;

    private InpaintMask(int width, int height, boolean[] repaint) {
        this.width = width;
        this.height = height;
        this.repaint = repaint;
    }

    /** The mask an image says (white = repaint), thresholded at half. */
    public static InpaintMask of(RgbImage image) {
        Objects.requireNonNull(image, "image");
        byte[] rgb = image.pixels();
        boolean[] repaint = new boolean[image.width() * image.height()];
        for (int i = 0; i < repaint.length; i++) {
            int r = rgb[3 * i] & 0xFF;
            int g = rgb[3 * i + 1] & 0xFF;
            int b = rgb[3 * i + 2] & 0xFF;
            // PIL's L conversion (Convert.c, L24): 0.299 R + 0.587 G + 0.114 B in 16-bit fixed point, rounded.
            int luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
            repaint[i] = luma >= 128;
        }
        return new InpaintMask(image.width(), image.height(), repaint);
    }

    /** Everything repainted: what an inpainting UNet gets for a request without a mask. */
    public static InpaintMask everything(int width, int height) {
        boolean[] all = new boolean[width * height];
        java.util.Arrays.fill(all, true);
        return new InpaintMask(width, height, all);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether the pixel at column {@code x}, row {@code y} is repainted. */
    public boolean repaints(int x, int y) {
        return repaint[Objects.checkIndex(y, height) * width + Objects.checkIndex(x, width)];
    }

    /** Pixels repainted. */
    public int repaintedPixels() {
        int n = 0;
        for (boolean r : repaint) {
            n += r ? 1 : 0;
        }
        return n;
    }

    /**
     * The mask at latent size, 1 = repaint, 0 = keep, row-major {@code [h/8][w/8]}: diffusers' {@code mask} input
     * of a 9-channel UNet and the blend weight of the 4-channel path.
     */
    public float[] latent() {
        int h = height / VAE_FACTOR;
        int w = width / VAE_FACTOR;
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = repaint[y * VAE_FACTOR * width + x * VAE_FACTOR] ? 1f : 0f;
            }
        }
        return out;
    }

    /**
     * The image the inpainting UNet sees around the hole, as the VAE encoder's input {@code [3][h][w]} in [-1, 1]:
     * {@code image * (mask < 0.5)}, so repainted pixels are 0 (mid grey).
     */
    public float[] maskedPixels(RgbImage image) {
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException("the mask is " + width + "x" + height + " but the image is "
                    + image.width() + "x" + image.height());
        }
        int plane = width * height;
        float[] chw = new float[3 * plane];
        byte[] rgb = image.pixels();
        for (int i = 0; i < plane; i++) {
            if (!repaint[i]) {
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + i] = (rgb[i * 3 + c] & 0xFF) / 255.0f * 2.0f - 1.0f;
                }
            }
        }
        return chw;
    }

    @Override
    public String toString() {
        return "InpaintMask[" + width + "x" + height + ", " + repaintedPixels() + " pixels repainted]";
    }
}
