package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.image.RgbImage;
import java.util.Objects;

/**
 * The starting image of an img2img generation.
 *
 * @param image the image; its size must equal the request's width and height
 * @param strength how much to change it, in (0, 1]: the share of the schedule that is run
 */
public record InitImage(RgbImage image, double strength) {
    public InitImage {
        Objects.requireNonNull(image, "image");
        if (!(strength > 0.0 && strength <= 1.0)) {
            throw new InvalidRequestException("strength", "must be in (0, 1], got " + strength);
        }
    }
}
