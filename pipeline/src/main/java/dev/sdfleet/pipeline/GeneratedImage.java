package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.image.PngEncoder;
import dev.sdfleet.pipeline.image.RgbImage;
import java.util.Map;
import java.util.Objects;

/**
 * One generated image: its pixels and its PNG file, which is encoded either inside the pipeline call or, when the
 * call deferred it ({@link PngEncoding#DEFERRED}), the first time {@link #png()} is asked for, on the asking thread.
 * Safe to hand from one thread to another: the PNG is encoded once, whoever asks first.
 */
public final class GeneratedImage {
    private final int index;
    private final String prompt;
    private final long seed;
    private final RgbImage image;
    /** Keyword to text, for the PNG's text chunks; null once the PNG exists. */
    private Map<String, String> textChunks; // guarded by this

    private byte[] png; // guarded by this

    /**
     * An image whose PNG is already encoded.
     *
     * @param index position in the request (prompt-major)
     * @param prompt the prompt it was made from
     * @param seed its seed
     * @param image the pixels
     * @param png the encoded PNG, with the generation parameters in text chunks
     */
    public GeneratedImage(int index, String prompt, long seed, RgbImage image, byte[] png) {
        this(index, prompt, seed, image, null, Objects.requireNonNull(png, "png"));
    }

    private GeneratedImage(
            int index, String prompt, long seed, RgbImage image, Map<String, String> textChunks, byte[] png) {
        this.index = index;
        this.prompt = prompt;
        this.seed = seed;
        this.image = image;
        this.textChunks = textChunks;
        this.png = png;
    }

    /**
     * An image whose PNG is encoded on the first call of {@link #png()}.
     *
     * @param textChunks keyword to text for the PNG's text chunks, in iteration order (see {@link PngEncoder#encode})
     */
    public static GeneratedImage unencoded(
            int index, String prompt, long seed, RgbImage image, Map<String, String> textChunks) {
        return new GeneratedImage(
                index,
                prompt,
                seed,
                Objects.requireNonNull(image, "image"),
                Objects.requireNonNull(textChunks, "textChunks"),
                null);
    }

    /** The same image at another position (a request run as several calls renumbers its slices' images). */
    synchronized GeneratedImage withIndex(int newIndex) {
        return new GeneratedImage(newIndex, prompt, seed, image, textChunks, png);
    }

    /** Position in the request (prompt-major). */
    public int index() {
        return index;
    }

    /** The prompt it was made from. */
    public String prompt() {
        return prompt;
    }

    /** Its seed. */
    public long seed() {
        return seed;
    }

    /** The pixels. */
    public RgbImage image() {
        return image;
    }

    /**
     * The PNG file, with the generation parameters in text chunks; encoded now if it was deferred and nobody asked
     * before. The array is shared: treat it as read-only.
     *
     * @throws IllegalArgumentException when the PNG cannot be encoded (text PNG cannot hold, an image too large); a
     *     later call tries again
     */
    public synchronized byte[] png() {
        if (png == null) {
            png = PngEncoder.encode(image, textChunks);
            textChunks = null;
        }
        return png;
    }

    /** Whether the PNG exists already (encoded in the call, or asked for since). */
    public synchronized boolean isEncoded() {
        return png != null;
    }

    @Override
    public String toString() {
        return "GeneratedImage[index=" + index + ", seed=" + seed + ", " + image + (isEncoded() ? ", encoded]" : "]");
    }
}
