package dev.sdfleet.pipeline;

/**
 * When a generation's PNGs are encoded: inside the pipeline call, or later, by whoever first asks an image for its
 * {@link GeneratedImage#png() PNG}. Encoding a 512x512 image takes about as long as a few percent of the generation
 * (BENCHMARKS.md, "pipeline"); a server that runs the pipeline on one thread (the GPU's) and stores images on another
 * defers it, so that the GPU's thread starts the next generation at once.
 */
public enum PngEncoding {
    /**
     * Inside the call: every image's PNG exists when the call returns, and {@link StageTimings#pngNanos()} is the
     * time its pixel conversion and encoding took.
     */
    IN_CALL,
    /**
     * Left to the caller: the call returns pixels, and each image encodes its PNG the first time {@link
     * GeneratedImage#png()} is called, on that caller's thread. The pixel conversion is counted in {@link
     * StageTimings#decodeNanos()} (decoding to pixels) and {@link StageTimings#pngNanos()} is zero.
     */
    DEFERRED
}
