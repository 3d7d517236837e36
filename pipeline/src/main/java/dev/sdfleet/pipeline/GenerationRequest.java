package dev.sdfleet.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What to generate. Validation happens here, field by field, so every bad value is reported with its name before
 * any model runs.
 *
 * @param prompts one or more prompts (several prompts run as one batch)
 * @param negativePrompt what to steer away from; "" for none
 * @param imagesPerPrompt images per prompt, 1..16
 * @param width image width in pixels, a multiple of 8 in 8..2048
 * @param height image height in pixels, a multiple of 8 in 8..2048
 * @param steps denoising steps, 1..1000
 * @param guidanceScale classifier-free guidance scale; > 1 turns guidance on
 * @param guidanceRescale 0..1, the rescale of arXiv 2305.08891 (0 = off)
 * @param scheduler a scheduler name (see SchedulerKind), or null for the model's own
 * @param eta DDIM eta, 0..1
 * @param seeds one seed per image (prompt-major order), each in [0, 2^32) like numpy's RandomState
 * @param initImage the img2img start, or null for text-to-image
 */
public record GenerationRequest(
        List<String> prompts,
        String negativePrompt,
        int imagesPerPrompt,
        int width,
        int height,
        int steps,
        double guidanceScale,
        double guidanceRescale,
        String scheduler,
        double eta,
        List<Long> seeds,
        InitImage initImage) {

    public static final int MAX_IMAGES_PER_PROMPT = 16;
    public static final int MAX_PROMPTS = 64;
    public static final int MAX_SIDE = 2048;
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    public GenerationRequest {
        if (prompts == null || prompts.isEmpty() || prompts.size() > MAX_PROMPTS) {
            throw new InvalidRequestException("prompt", "between 1 and " + MAX_PROMPTS + " prompts are needed");
        }
        for (String p : prompts) {
            if (p == null) {
                throw new InvalidRequestException("prompt", "must not be null");
            }
        }
        prompts = List.copyOf(prompts);
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (imagesPerPrompt < 1 || imagesPerPrompt > MAX_IMAGES_PER_PROMPT) {
            throw new InvalidRequestException("n", "must be 1.." + MAX_IMAGES_PER_PROMPT + ", got " + imagesPerPrompt);
        }
        checkSide("width", width);
        checkSide("height", height);
        if (steps < 1 || steps > 1000) {
            throw new InvalidRequestException("steps", "must be 1..1000, got " + steps);
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0 || guidanceScale > 100) {
            throw new InvalidRequestException("guidance", "must be a finite number in 0..100, got " + guidanceScale);
        }
        if (!Double.isFinite(guidanceRescale) || guidanceRescale < 0 || guidanceRescale > 1) {
            throw new InvalidRequestException("guidance_rescale", "must be in 0..1, got " + guidanceRescale);
        }
        if (!Double.isFinite(eta) || eta < 0 || eta > 1) {
            throw new InvalidRequestException("eta", "must be in 0..1, got " + eta);
        }
        int images = prompts.size() * imagesPerPrompt;
        if (seeds == null || seeds.size() != images) {
            throw new InvalidRequestException(
                    "seed", "one seed per image is needed (" + images + "), got " + (seeds == null ? 0 : seeds.size()));
        }
        for (Long seed : seeds) {
            if (seed == null || seed < 0 || seed > MAX_SEED) {
                throw new InvalidRequestException("seed", "must be in 0.." + MAX_SEED + ", got " + seed);
            }
        }
        seeds = List.copyOf(seeds);
        if (initImage != null
                && (initImage.image().width() != width || initImage.image().height() != height)) {
            throw new InvalidRequestException(
                    "init_image",
                    "is " + initImage.image().width() + "x" + initImage.image().height() + " but the request asks for "
                            + width + "x" + height);
        }
    }

    private static void checkSide(String field, int value) {
        if (value < 8 || value > MAX_SIDE || value % 8 != 0) {
            throw new InvalidRequestException(field, "must be a multiple of 8 in 8.." + MAX_SIDE + ", got " + value);
        }
    }

    /** Images this request makes. */
    public int imageCount() {
        return prompts.size() * imagesPerPrompt;
    }

    /** The prompt of image {@code index} (prompt-major order). */
    public String promptOf(int index) {
        return prompts.get(index / imagesPerPrompt);
    }

    /** Classifier-free guidance is on for a scale strictly above 1, as in diffusers. */
    public boolean usesGuidance() {
        return guidanceScale > 1.0;
    }

    public static Builder builder(String... prompts) {
        return new Builder(List.of(prompts));
    }

    /** Defaults: 512x512, 20 steps, guidance 7.5, the model's scheduler, one image, seeds from a random base. */
    public static final class Builder {
        private final List<String> prompts;
        private String negativePrompt = "";
        private int imagesPerPrompt = 1;
        private int width = 512;
        private int height = 512;
        private int steps = 20;
        private double guidance = 7.5;
        private double guidanceRescale;
        private String scheduler;
        private double eta;
        private Long baseSeed;
        private List<Long> seeds;
        private InitImage initImage;

        private Builder(List<String> prompts) {
            this.prompts = prompts;
        }

        public Builder negativePrompt(String value) {
            this.negativePrompt = value;
            return this;
        }

        public Builder imagesPerPrompt(int value) {
            this.imagesPerPrompt = value;
            return this;
        }

        public Builder size(int w, int h) {
            this.width = w;
            this.height = h;
            return this;
        }

        public Builder steps(int value) {
            this.steps = value;
            return this;
        }

        public Builder guidance(double value) {
            this.guidance = value;
            return this;
        }

        public Builder guidanceRescale(double value) {
            this.guidanceRescale = value;
            return this;
        }

        public Builder scheduler(String value) {
            this.scheduler = value;
            return this;
        }

        public Builder eta(double value) {
            this.eta = value;
            return this;
        }

        public Builder initImage(InitImage value) {
            this.initImage = value;
            return this;
        }

        /** Seeds seed, seed+1, ... one per image (wrapping below 2^32). */
        public Builder seed(long seed) {
            this.baseSeed = seed;
            this.seeds = null;
            return this;
        }

        /** Explicit seeds, one per image. */
        public Builder seeds(List<Long> values) {
            this.seeds = values;
            this.baseSeed = null;
            return this;
        }

        public GenerationRequest build() {
            List<Long> s = seeds;
            if (s == null) {
                long base = baseSeed != null
                        ? baseSeed
                        : ThreadLocalRandom.current().nextLong(MAX_SEED + 1);
                if (base < 0 || base > MAX_SEED) {
                    throw new InvalidRequestException("seed", "must be in 0.." + MAX_SEED + ", got " + base);
                }
                s = new ArrayList<>();
                for (int i = 0; i < prompts.size() * Math.max(imagesPerPrompt, 0); i++) {
                    s.add((base + i) & MAX_SEED);
                }
            }
            return new GenerationRequest(
                    prompts,
                    negativePrompt,
                    imagesPerPrompt,
                    width,
                    height,
                    steps,
                    guidance,
                    guidanceRescale,
                    scheduler,
                    eta,
                    s,
                    initImage);
        }
    }
}
