/**
 * The image output stage: VAE decoder floats to 8-bit RGB exactly as diffusers post-processes them
 * ({@link dev.sdfleet.pipeline.image.DecodedPixels}), the generation parameters recorded with each image
 * ({@link dev.sdfleet.pipeline.image.GenerationParameters}), and a small deterministic PNG writer and reader
 * ({@link dev.sdfleet.pipeline.image.PngEncoder}, {@link dev.sdfleet.pipeline.image.PngDecoder}).
 */
package dev.sdfleet.pipeline.image;
