package dev.sdfleet.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.SchedulerName;
import dev.sdfleet.protocol.ValidationException;
import dev.sdfleet.protocol.Webhook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@link SdfleetClient#submit} asks for: the protocol's {@link GenerationRequest} fields that the caller set,
 * and only those. A field left unset is left out of the body, so the dispatcher applies its own default, which for
 * {@code width}, {@code height} and {@code steps} is the model's (1024 for an SDXL model, not the protocol's 512).
 *
 * <p>The values are checked by the protocol's own rules when the body is built (a {@link ValidationException} names
 * every bad field); what depends on the fleet (known models, sizes a model allows, tenant limits) is the
 * dispatcher's to check.
 */
public final class NewGeneration {
    private final GenerationRequest.Builder request;
    /** The JSON names of the fields set, besides prompt and model. */
    private final Set<String> given = new HashSet<>();

    private Integer width;
    private Integer height;

    private NewGeneration(String prompt, String model) {
        this.request = GenerationRequest.builder(prompt, model);
    }

    /** A request for {@code prompt} on {@code model}, every other field at the dispatcher's default. */
    public static NewGeneration of(String prompt, String model) {
        return new NewGeneration(prompt, model);
    }

    /** Sets what to steer away from. */
    public NewGeneration negativePrompt(String value) {
        request.negativePrompt(value);
        return mark("negative_prompt", value);
    }

    /** Sets how many images to make, 1..16. */
    public NewGeneration n(Integer value) {
        request.n(value);
        return mark("n", value);
    }

    /** Sets the width in pixels, a multiple of 8. */
    public NewGeneration width(Integer value) {
        width = value;
        request.size(width, height);
        return mark("width", value);
    }

    /** Sets the height in pixels, a multiple of 8. */
    public NewGeneration height(Integer value) {
        height = value;
        request.size(width, height);
        return mark("height", value);
    }

    /** Sets the number of denoising steps. */
    public NewGeneration steps(Integer value) {
        request.steps(value);
        return mark("steps", value);
    }

    /** Sets the classifier-free guidance scale. */
    public NewGeneration guidance(Double value) {
        request.guidance(value);
        return mark("guidance", value);
    }

    /** Sets the scheduler; unset means the model's own. */
    public NewGeneration scheduler(SchedulerName value) {
        request.scheduler(value);
        return mark("scheduler", value);
    }

    /** Sets the first image's seed (image i gets seed + i); unset means the dispatcher draws one. */
    public NewGeneration seed(Long value) {
        request.seed(value);
        return mark("seed", value);
    }

    /** Sets how urgently the request wants a GPU. */
    public NewGeneration priority(Priority value) {
        request.priority(value);
        return mark("priority", value);
    }

    /** Sets where the dispatcher calls back (signed, see {@link WebhookVerifier}). */
    public NewGeneration webhook(Webhook value) {
        request.webhook(value);
        return mark("webhook", value);
    }

    /** Sets when the request stops being worth doing. */
    public NewGeneration deadline(Instant value) {
        request.deadline(value);
        return mark("deadline", value);
    }

    /** Sets the caller's own strings, echoed in the request's events and documents. */
    public NewGeneration metadata(Map<String, String> value) {
        request.metadata(value);
        return mark("metadata", value);
    }

    /**
     * The POST body: the protocol's JSON of the request, without the fields left unset.
     *
     * @throws ValidationException listing every field the protocol refuses
     */
    public ObjectNode toJson() {
        // The protocol fills unset fields with its defaults; those are dropped again so the dispatcher's apply.
        GenerationRequest checked = request.build();
        ObjectNode body;
        try {
            body = (ObjectNode) Json.MAPPER.readTree(Codec.encode(checked));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> keep = new HashSet<>(given);
        keep.add("prompt");
        keep.add("model");
        body.retain(keep);
        return body;
    }

    private NewGeneration mark(String field, Object value) {
        if (value == null) {
            given.remove(field);
        } else {
            given.add(field);
        }
        return this;
    }
}
