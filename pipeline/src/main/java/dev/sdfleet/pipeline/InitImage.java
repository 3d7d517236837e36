package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.image.RgbImage;
import java.util.Objects;

/**
 * The starting image of an img2img or inpainting generation.
 *
 * @param image the image; its size must equal the request's width and height
 * @param strength how much to change it, in (0, 1]: the share of the schedule that is run
 * @param mask for inpainting, which pixels to repaint (the image's size); null for img2img
 */
public record InitImage(RgbImage image, double strength, InpaintMask mask) {
    public InitImage {
        Objects.requireNonNull(image, "image");
        if (!(strength > 0.0 && strength <= 1.0)) {
            throw new InvalidRequestException("strength", "must be in (0, 1], got " + strength);
        }
        if (mask != null && (mask.width() != image.width() || mask.height() != image.height())) {
            throw new InvalidRequestException(
                    "mask_image",
                    "is " + mask.width() + "x" + mask.height() + " but the init image is " + image.width() + "x"
                            + image.height());
        }
    }

    /** img2img: no mask. */
    public InitImage(RgbImage image, double strength) {
        this(image, strength, null);
    }

    /** Whether this is inpainting (a mask is given). */
    public boolean inpaints() {
        return mask != null;
    }
}
