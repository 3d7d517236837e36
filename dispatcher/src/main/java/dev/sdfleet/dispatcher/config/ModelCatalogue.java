package dev.sdfleet.dispatcher.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Identifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models this fleet serves, from the dispatcher's configuration: a request for any other model is refused at the
 * door (HTTP 400 on {@code model}, a dead letter and failure event on Kafka ingress), so no job reaches a worker that
 * cannot run it, and each model's jobs go to its own topic ({@code Topics.jobsFor}). Read from JSON:
 * <pre>{"tiny-sd": {"family": "tiny-sd", "default_size": "64x64", "sizes": ["64x64", "128x128"],
 *   "default_steps": 20, "max_steps": 50, "cost": 0.01}}</pre>
 * {@code sizes} lists the sizes allowed (absent: any size the protocol allows); {@code cost} is the model's cost per
 * pixel-step relative to SD 1.5 (the GPU-seconds estimate multiplies by it).
 */
public final class ModelCatalogue {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Map<String, Model> models;

    private ModelCatalogue(Map<String, Model> models) {
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(models)); // in the configured order
    }

    /**
     * One model the fleet serves.
     *
     * @param id the name requests give in {@code model}, and the suffix of its jobs topic
     * @param family the architecture family (e.g. {@code sd-1.5}, {@code sdxl}), for people and dashboards
     * @param defaultWidth used when a request gives no width (with {@code defaultHeight})
     * @param sizes the sizes allowed, as {@code WIDTHxHEIGHT}; empty: any size the protocol allows
     * @param defaultSteps used when a request gives no step count
     * @param maxSteps the most steps a request may ask for
     * @param cost GPU cost per pixel-step relative to SD 1.5 (1.0)
     */
    public record Model(
            String id,
            String family,
            int defaultWidth,
            int defaultHeight,
            List<String> sizes,
            int defaultSteps,
            int maxSteps,
            double cost) {
        public Model {
            sizes = List.copyOf(sizes);
        }

        /** Whether {@code width}x{@code height} is a size this model serves. */
        public boolean allows(int width, int height) {
            return sizes.isEmpty() || sizes.contains(width + "x" + height);
        }
    }

    /** One model in the JSON form. */
    record Entry(
            @JsonProperty("family") String family,
            @JsonProperty("default_size") String defaultSize,
            @JsonProperty("sizes") List<String> sizes,
            @JsonProperty("default_steps") Integer defaultSteps,
            @JsonProperty("max_steps") Integer maxSteps,
            @JsonProperty("cost") Double cost) {}

    /** The catalogue the dispatcher has when none is configured: the bundled tiny model (the local fleet's). */
    public static ModelCatalogue bundled() {
        try (InputStream in = ModelCatalogue.class.getResourceAsStream("/dev/sdfleet/dispatcher/models.json")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A catalogue of the given models, in that order (the local fleet's, tests'). */
    public static ModelCatalogue of(Model... models) {
        Map<String, Model> byId = new LinkedHashMap<>();
        for (Model model : models) {
            byId.put(model.id(), model);
        }
        return new ModelCatalogue(byId);
    }

    public static ModelCatalogue readFile(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("models: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException naming the model and member that are wrong */
    public static ModelCatalogue parse(String json) {
        Map<String, Entry> entries;
        try {
            entries = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Entry>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "models: not valid JSON ({\"model-id\": {\"family\": ..., \"default_size\": \"512x512\", ...}}): "
                            + e.getMessage());
        }
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("models: at least one model is needed");
        }
        Map<String, Model> models = new LinkedHashMap<>();
        entries.forEach((id, entry) -> models.put(id, model(id, entry)));
        return new ModelCatalogue(models);
    }

    private static Model model(String id, Entry e) {
        if (!Identifier.isValid(id)) {
            throw new IllegalArgumentException("models: \"" + id + "\" is not a valid model id");
        }
        if (e == null) {
            throw new IllegalArgumentException("models: " + id + " needs an object");
        }
        List<String> sizes = e.sizes() == null ? List.of() : e.sizes();
        for (String size : sizes) {
            side(id, "sizes", size, 0);
        }
        String defaultSize = e.defaultSize() != null ? e.defaultSize() : sizes.isEmpty() ? "512x512" : sizes.get(0);
        int width = side(id, "default_size", defaultSize, 0);
        int height = side(id, "default_size", defaultSize, 1);
        if (!sizes.isEmpty() && !sizes.contains(defaultSize)) {
            throw new IllegalArgumentException("models: " + id + ".default_size " + defaultSize + " is not in sizes");
        }
        int maxSteps = e.maxSteps() == null ? GenerationRequest.MAX_STEPS : e.maxSteps();
        int defaultSteps =
                e.defaultSteps() == null ? Math.min(GenerationRequest.DEFAULT_STEPS, maxSteps) : e.defaultSteps();
        if (maxSteps < 1 || maxSteps > GenerationRequest.MAX_STEPS || defaultSteps < 1 || defaultSteps > maxSteps) {
            throw new IllegalArgumentException("models: " + id + " needs 1 <= default_steps <= max_steps <= "
                    + GenerationRequest.MAX_STEPS + ", got " + defaultSteps + " and " + maxSteps);
        }
        double cost = e.cost() == null ? 1.0 : e.cost();
        if (!(cost > 0) || Double.isInfinite(cost)) {
            throw new IllegalArgumentException("models: " + id + ".cost must be > 0, got " + cost);
        }
        return new Model(id, e.family() == null ? id : e.family(), width, height, sizes, defaultSteps, maxSteps, cost);
    }

    private static int side(String id, String member, String size, int which) {
        String[] parts = size == null ? new String[0] : size.split("x");
        try {
            int value = Integer.parseInt(parts[which]);
            if (parts.length == 2
                    && value >= GenerationRequest.MIN_SIDE
                    && value <= GenerationRequest.MAX_SIDE
                    && value % GenerationRequest.SIDE_MULTIPLE == 0) {
                return value;
            }
        } catch (RuntimeException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("models: " + id + "." + member + " must be WIDTHxHEIGHT with sides "
                + GenerationRequest.MIN_SIDE + ".." + GenerationRequest.MAX_SIDE + " in multiples of "
                + GenerationRequest.SIDE_MULTIPLE + ", got " + size);
    }

    public Optional<Model> find(String id) {
        return Optional.ofNullable(id == null ? null : models.get(id));
    }

    /** Every model, in the configured order. */
    public Collection<Model> all() {
        return models.values();
    }

    /** The ids, in the configured order. */
    public List<String> ids() {
        return List.copyOf(models.keySet());
    }

    /**
     * A request body with its model's defaults filled in where it gives no {@code width}, {@code height} or
     * {@code steps} (the protocol's own defaults are SD 1.5's). Anything that is not a JSON object naming a known
     * model is returned as it is, for decoding to judge.
     */
    public byte[] withDefaults(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            return body;
        }
        if (!(tree instanceof ObjectNode object) || !object.path("model").isTextual()) {
            return body;
        }
        Model model = models.get(object.get("model").asText());
        if (model == null || (object.has("width") && object.has("height") && object.has("steps"))) {
            return body;
        }
        // An inline init image gives the size itself (the protocol reads it from the PNG); a default here would
        // contradict it.
        if (!object.has("width")
                && !object.has("height")
                && !object.path("init_image").has("data")) {
            object.put("width", model.defaultWidth());
            object.put("height", model.defaultHeight());
        }
        if (!object.has("steps")) {
            object.put("steps", model.defaultSteps());
        }
        try {
            return JSON.writeValueAsBytes(object);
        } catch (IOException e) {
            return body;
        }
    }

    /** What is wrong with {@code request} for this catalogue: an unknown model, a size or step count it refuses. */
    public List<FieldError> problems(GenerationRequest request) {
        List<FieldError> problems = new ArrayList<>();
        Model model = models.get(request.model());
        if (model == null) {
            problems.add(new FieldError(
                    "model",
                    "this fleet serves " + String.join(", ", models.keySet()) + " (GET /v1/models), not \""
                            + request.model() + "\""));
            return problems;
        }
        if (!model.allows(request.width(), request.height())) {
            problems.add(new FieldError(
                    "width",
                    model.id() + " serves " + String.join(", ", model.sizes()) + ", not " + request.width() + "x"
                            + request.height()));
        }
        if (request.steps() > model.maxSteps()) {
            problems.add(new FieldError("steps", model.id() + " takes at most " + model.maxSteps() + " steps"));
        }
        return problems;
    }

    @Override
    public String toString() {
        return String.join(",", models.keySet());
    }
}
