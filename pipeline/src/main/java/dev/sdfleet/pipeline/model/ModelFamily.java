package dev.sdfleet.pipeline.model;

/**
 * The Stable Diffusion family a model folder belongs to. Behaviour follows the folder's own files (pad token,
 * prediction type, VAE factor); the family names what was detected and picks defaults where files are silent.
 */
public enum ModelFamily {
    /** SD 1.x: one CLIP-L style encoder, last hidden state, pad with the end token, VAE factor 0.18215. */
    SD1("sd1", 0.18215f),
    /** SD 2.x: one OpenCLIP encoder, pad id 0 ("!"), often v-prediction, VAE factor 0.18215. */
    SD2("sd2", 0.18215f),
    /** SDXL: two encoders (penultimate hidden states), pooled text_embeds and time_ids, VAE factor 0.13025. */
    SDXL("sdxl", 0.13025f);

    private final String id;
    private final float defaultVaeScalingFactor;

    ModelFamily(String id, float defaultVaeScalingFactor) {
        this.id = id;
        this.defaultVaeScalingFactor = defaultVaeScalingFactor;
    }

    public String id() {
        return id;
    }

    /** The VAE scaling factor to use when the VAE config does not record one (old optimum exports). */
    public float defaultVaeScalingFactor() {
        return defaultVaeScalingFactor;
    }
}
