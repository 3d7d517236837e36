package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.image.RgbImage;

/**
 * One generated image.
 *
 * @param index position in the request (prompt-major)
 * @param prompt the prompt it was made from
 * @param seed its seed
 * @param image the pixels
 * @param png the encoded PNG, with the generation parameters in text chunks
 */
public record GeneratedImage(int index, String prompt, long seed, RgbImage image, byte[] png) {}
