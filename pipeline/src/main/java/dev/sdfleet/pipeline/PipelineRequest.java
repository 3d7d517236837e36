package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.noise.NumpyRandom;
import dev.sdfleet.pipeline.scheduler.SchedulerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The arguments of one {@link DiffusionPipeline} call: what to generate. Validation happens here, field by field, so
 * every bad value is reported with its name before any model runs.
 *
 * <p>Not the fleet's request: the protocol's {@code GenerationRequest} is what a tenant may ask for, and the worker
 * turns each batch of its jobs into one of these. The limits here are wider on purpose (steps up to
 * {@value #MAX_STEPS} rather than 150, guidance up to {@value #MAX_GUIDANCE} rather than 30, sides from
 * {@value #MIN_SIDE} rather than 64): this library accepts whatever a model can run, while the protocol's limits are
 * the fleet's admission policy, so they must lie inside these (the worker tests that they do).
 *
 * @param prompts one or more prompts (several prompts run as one batch), at most {@value #MAX_PROMPTS}
 * @param negativePrompt what to steer away from; "" for none
 * @param imagesPerPrompt images per prompt, 1..{@value #MAX_IMAGES_PER_PROMPT}
 * @param width image width in pixels, a multiple of {@value #SIDE_MULTIPLE} in {@value #MIN_SIDE}..{@value #MAX_SIDE}
 * @param height image height in pixels, as width
 * @param steps denoising steps, 1..{@value #MAX_STEPS}
 * @param guidanceScale classifier-free guidance scale, 0..{@value #MAX_GUIDANCE}; > 1 turns guidance on
 * @param guidanceRescale 0..1, the rescale of arXiv 2305.08891 (0 = off)
 * @param scheduler the scheduler to run, or null for the model's own (its scheduler_config.json)
 * @param eta DDIM eta, 0..1
 * @param seeds one seed per image (prompt-major order), each in 0..{@link NumpyRandom#MAX_SEED} like numpy's
 *     RandomState
 * @param initImage the img2img start, or null for text-to-image
 */
public record PipelineRequest(
        List<String> prompts,
        String negativePrompt,
        int imagesPerPrompt,
        int width,
        int height,
        int steps,
        double guidanceScale,
        double guidanceRescale,
        SchedulerKind scheduler,
        double eta,
        List<Long> seeds,
        InitImage initImage) {

    public static final int MAX_IMAGES_PER_PROMPT = 16;
    public static final int MAX_PROMPTS = 64;
    public static final int MIN_SIDE = 8;
    public static final int MAX_SIDE = 2048;
    /** Sides are multiples of the VAE's downscale factor, so the latent has whole pixels. */
    public static final int SIDE_MULTIPLE = 8;

    public static final int MAX_STEPS = 1000;
    public static final double MAX_GUIDANCE = 100;

    public PipelineRequest {
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
        if (steps < 1 || steps > MAX_STEPS) {
            throw new InvalidRequestException("steps", "must be 1.." + MAX_STEPS + ", got " + steps);
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0 || guidanceScale > MAX_GUIDANCE) {
            throw new InvalidRequestException(
                    "guidance", "must be a finite number in 0.." + (int) MAX_GUIDANCE + ", got " + guidanceScale);
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
            if (seed == null || seed < 0 || seed > NumpyRandom.MAX_SEED) {
                throw new InvalidRequestException("seed", "must be in 0.." + NumpyRandom.MAX_SEED + ", got " + seed);
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
        if (value < MIN_SIDE || value > MAX_SIDE || value % SIDE_MULTIPLE != 0) {
            throw new InvalidRequestException(
                    field,
                    "must be a multiple of " + SIDE_MULTIPLE + " in " + MIN_SIDE + ".." + MAX_SIDE + ", got " + value);
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

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive) of this request, prompt-major as {@link #promptOf}:
     * the same settings, one image per prompt entry, their own seeds.
     */
    public PipelineRequest slice(int from, int to) {
        if (from < 0 || to > imageCount() || from >= to) {
            throw new IllegalArgumentException("no images " + from + ".." + to + " in " + imageCount());
        }
        List<String> slicePrompts = new java.util.ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            slicePrompts.add(promptOf(i));
        }
        return new PipelineRequest(
                slicePrompts,
                negativePrompt,
                1,
                width,
                height,
                steps,
                guidanceScale,
                guidanceRescale,
                scheduler,
                eta,
                seeds.subList(from, to),
                initImage);
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
        private SchedulerKind scheduler;
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

        /** The scheduler to run; null (the default) runs the model's own. */
        public Builder scheduler(SchedulerKind value) {
            this.scheduler = value;
            return this;
        }

        /**
         * The scheduler by any name {@link SchedulerKind#parse} accepts; null runs the model's own.
         *
         * @throws InvalidRequestException for an unknown name, listing the known ones
         */
        public Builder scheduler(String name) {
            try {
                this.scheduler = name == null ? null : SchedulerKind.parse(name);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("scheduler", e.getMessage());
            }
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

        public PipelineRequest build() {
            List<Long> s = seeds;
            if (s == null) {
                long base = baseSeed != null
                        ? baseSeed
                        : ThreadLocalRandom.current().nextLong(NumpyRandom.MAX_SEED + 1);
                if (base < 0 || base > NumpyRandom.MAX_SEED) {
                    throw new InvalidRequestException(
                            "seed", "must be in 0.." + NumpyRandom.MAX_SEED + ", got " + base);
                }
                s = new ArrayList<>();
                for (int i = 0; i < prompts.size() * Math.max(imagesPerPrompt, 0); i++) {
                    s.add((base + i) & NumpyRandom.MAX_SEED);
                }
            }
            return new PipelineRequest(
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
