package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a service asks the fleet for: one prompt, {@code n} images. Published on the requests topic or POSTed to the
 * dispatcher, which splits it into one {@link Job} per image.
 *
 * <p>Not the pipeline's request: a worker maps each job of this request onto the pipeline library's own
 * {@code PipelineRequest}. The limits here (steps, guidance, sides) are the fleet's admission policy, narrower on
 * purpose than what the library accepts (what a model can run), so every request admitted here is one a worker can
 * run; the worker tests that these limits lie inside the library's.
 *
 * <p>Optional fields may be absent or null; the constructor fills the defaults below, so every accessor of a
 * constructed request returns a value, except {@code requestId}, {@code tenant}, {@code scheduler}, {@code seed},
 * {@code webhook} and {@code deadline}, whose absence means something (see each parameter). On the wire,
 * {@code schema_version} may be omitted in this message only: an absent version means 1, now and after a version 2
 * exists, so old publishers never get reinterpreted.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param requestId the request's id, unique per tenant: required on the requests topic (it is the record key and the
 *     idempotency key there); over HTTP the dispatcher assigns one when absent
 * @param tenant who asks; filled by the dispatcher from the caller's credentials, and never trusted from an HTTP
 *     body (the dispatcher overwrites it)
 * @param prompt what to draw: not blank, at most {@value #MAX_PROMPT_LENGTH} characters
 * @param negativePrompt what to steer away from; default ""
 * @param n images to make, 1..{@value #MAX_IMAGES}; default 1
 * @param width pixels, a multiple of {@value #SIDE_MULTIPLE} in {@value #MIN_SIDE}..{@value #MAX_SIDE}; default 512
 * @param height as width; default 512
 * @param steps denoising steps, 1..{@value #MAX_STEPS}; default {@value #DEFAULT_STEPS}
 * @param guidance classifier-free guidance scale, finite, 0..{@value #MAX_GUIDANCE}; default 7.5
 * @param scheduler the scheduler; absent means the model's own
 * @param seed the first image's seed, 0..2^32-1 (image i gets seed + i, wrapping at 2^32); absent means the
 *     dispatcher draws one and records it on each job
 * @param model the model id, e.g. {@code "sd15"} or {@code "org/name"}; required, because a silent default model
 *     would change the images when the default changes
 * @param outputFormat the file format; default png
 * @param webhook where to call back; absent means no calls
 * @param priority default normal
 * @param deadline when the request stops being worth doing: a job still queued then is dropped with
 *     DEADLINE_EXCEEDED instead of reaching a GPU; absent means none. Not compared with the clock here: a message
 *     must decode the same way whenever it is read.
 * @param metadata the caller's own strings, echoed in the request's {@link Generation} document: at most
 *     {@value #MAX_METADATA_ENTRIES} entries, keys as {@link #METADATA_KEY}, values at most
 *     {@value #MAX_METADATA_VALUE_LENGTH} characters; default empty
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GenerationRequest(
        int schemaVersion,
        String requestId,
        String tenant,
        String prompt,
        String negativePrompt,
        Integer n,
        Integer width,
        Integer height,
        Integer steps,
        Double guidance,
        SchedulerName scheduler,
        Long seed,
        String model,
        OutputFormat outputFormat,
        Webhook webhook,
        Priority priority,
        Instant deadline,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata)
        implements ProtocolMessage {

    public static final int MAX_PROMPT_LENGTH = 4096;
    public static final int MAX_IMAGES = 16;
    public static final int MIN_SIDE = 64;
    public static final int MAX_SIDE = 2048;
    /** Sides are multiples of the VAE's downscale factor, so the latent has whole pixels. */
    public static final int SIDE_MULTIPLE = 8;

    public static final int MAX_STEPS = 150;
    public static final int DEFAULT_STEPS = 30;
    public static final double MAX_GUIDANCE = 30.0;
    public static final double DEFAULT_GUIDANCE = 7.5;
    public static final int DEFAULT_SIDE = 512;
    /**
     * The seed range of the wire contract, 32 bits: what numpy's RandomState and so the pipeline's noise generator
     * take. Stated here on its own because the protocol does not depend on the pipeline; the worker tests that the two
     * agree.
     */
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    public static final int MAX_METADATA_ENTRIES = 16;
    public static final int MAX_METADATA_VALUE_LENGTH = 512;
    /** Metadata keys: short and plain, so they can become S3 object metadata or log fields unchanged. */
    public static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Model ids: a name or {@code org/name}, safe as a folder name and a metric label. */
    public static final Pattern MODEL_ID =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63})?");

    public GenerationRequest {
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        n = n == null ? 1 : n;
        width = width == null ? DEFAULT_SIDE : width;
        height = height == null ? DEFAULT_SIDE : height;
        steps = steps == null ? DEFAULT_STEPS : steps;
        guidance = guidance == null ? DEFAULT_GUIDANCE : guidance;
        outputFormat = outputFormat == null ? OutputFormat.PNG : outputFormat;
        priority = priority == null ? Priority.NORMAL : priority;
        metadata = metadata == null ? Map.of() : metadata;

        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.optionalIdentifier("request_id", requestId);
        checks.optionalIdentifier("tenant", tenant);
        checks.promptText("prompt", prompt, MAX_PROMPT_LENGTH, true);
        checks.promptText("negative_prompt", negativePrompt, MAX_PROMPT_LENGTH, false);
        checks.range("n", n, 1, MAX_IMAGES);
        checks.imageParameters(width, height, steps, guidance);
        if (seed != null) {
            checks.range("seed", seed, 0, MAX_SEED);
        }
        checks.model(model);
        checks.optionalInstant("deadline", deadline);
        metadata = checks.metadata(metadata);
        checks.throwIfAny();
    }

    /** A builder for {@code prompt} on {@code model}, with every other field at its default. */
    public static Builder builder(String prompt, String model) {
        return new Builder(prompt, model);
    }

    /** This request with its id set (the dispatcher assigns one to an HTTP request that has none). */
    public GenerationRequest withRequestId(String id) {
        return toBuilder().requestId(id).build();
    }

    /** This request on behalf of {@code tenantId} (the dispatcher sets it from the caller's credentials). */
    public GenerationRequest withTenant(String tenantId) {
        return toBuilder().tenant(tenantId).build();
    }

    /** A builder holding this request's values. */
    public Builder toBuilder() {
        return new Builder(prompt, model)
                .requestId(requestId)
                .tenant(tenant)
                .negativePrompt(negativePrompt)
                .n(n)
                .size(width, height)
                .steps(steps)
                .guidance(guidance)
                .scheduler(scheduler)
                .seed(seed)
                .outputFormat(outputFormat)
                .webhook(webhook)
                .priority(priority)
                .deadline(deadline)
                .metadata(metadata);
    }

    /** Builds a {@link GenerationRequest}; unset fields take the defaults of the record. */
    public static final class Builder {
        private final String prompt;
        private final String model;
        private String requestId;
        private String tenant;
        private String negativePrompt;
        private Integer n;
        private Integer width;
        private Integer height;
        private Integer steps;
        private Double guidance;
        private SchedulerName scheduler;
        private Long seed;
        private OutputFormat outputFormat;
        private Webhook webhook;
        private Priority priority;
        private Instant deadline;
        private Map<String, String> metadata;

        private Builder(String prompt, String model) {
            this.prompt = prompt;
            this.model = model;
        }

        public Builder requestId(String value) {
            requestId = value;
            return this;
        }

        public Builder tenant(String value) {
            tenant = value;
            return this;
        }

        public Builder negativePrompt(String value) {
            negativePrompt = value;
            return this;
        }

        public Builder n(Integer value) {
            n = value;
            return this;
        }

        public Builder size(Integer widthPixels, Integer heightPixels) {
            width = widthPixels;
            height = heightPixels;
            return this;
        }

        public Builder steps(Integer value) {
            steps = value;
            return this;
        }

        public Builder guidance(Double value) {
            guidance = value;
            return this;
        }

        public Builder scheduler(SchedulerName value) {
            scheduler = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder outputFormat(OutputFormat value) {
            outputFormat = value;
            return this;
        }

        public Builder webhook(Webhook value) {
            webhook = value;
            return this;
        }

        public Builder priority(Priority value) {
            priority = value;
            return this;
        }

        public Builder deadline(Instant value) {
            deadline = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        /** @throws ValidationException listing every bad field */
        public GenerationRequest build() {
            return new GenerationRequest(
                    CURRENT_SCHEMA_VERSION,
                    requestId,
                    tenant,
                    prompt,
                    negativePrompt,
                    n,
                    width,
                    height,
                    steps,
                    guidance,
                    scheduler,
                    seed,
                    model,
                    outputFormat,
                    webhook,
                    priority,
                    deadline,
                    metadata);
        }
    }
}
