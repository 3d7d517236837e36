package dev.sdfleet.pipeline.scheduler;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A diffusers scheduler config ({@code scheduler/scheduler_config.json}) resolved for one scheduler class, with the
 * defaults that class's {@code __init__} fills in for missing keys.
 *
 * <p>Like diffusers' {@code ConfigMixin}, the config remembers which keys were given explicitly ({@link #values()}:
 * the JSON keys, including those the class does not use) and which were filled from class defaults. Switching class
 * with {@link #withClass(String)} passes on only the explicit keys, as {@code X.from_config(old.config)} does, so each
 * class applies its own defaults to the rest. Example: the SD 1.5 config ({@code PNDMScheduler}, no
 * {@code timestep_spacing}) gives "leading" for PNDM and DDIM but "linspace" for Euler, LMS and DPM-Solver.
 *
 * <p>Components for options a class does not have hold neutral values (for example {@code skipPrkSteps} is false
 * for Euler). Configs of classes this library does not implement are accepted so that they can be switched with
 * {@link #withClass(String)}; their typed components are read leniently.
 *
 * @param className the diffusers class, e.g. {@code "PNDMScheduler"}
 * @param numTrainTimesteps T, the number of training timesteps
 * @param betaStart first beta of the linear / scaled-linear schedule
 * @param betaEnd last beta of the linear / scaled-linear schedule
 * @param betaSchedule how betas are laid out
 * @param trainedBetas explicit betas (length T), or {@code null}
 * @param predictionType what the UNet predicts
 * @param timestepSpacing how inference timesteps are spaced
 * @param stepsOffset added to "leading" timesteps (1 for SD 1.x)
 * @param setAlphaToOne PNDM/DDIM: ᾱ before the first training step is 1 (else ᾱ[0])
 * @param skipPrkSteps PNDM: skip the Runge–Kutta warm-up (PLMS)
 * @param clipSample DDIM: clip the predicted x0 to ±{@code clipSampleRange}
 * @param clipSampleRange DDIM: the clip range
 * @param thresholding DDIM/DPM-Solver: dynamic thresholding of the predicted x0 (Imagen)
 * @param dynamicThresholdingRatio the quantile of |x0| used as threshold
 * @param sampleMaxValue upper bound of the dynamic threshold
 * @param useKarrasSigmas Euler/LMS/DPM-Solver: Karras et al. (2022) sigma spacing
 * @param useLuLambdas DPM-Solver: uniform log-SNR spacing
 * @param solverOrder DPM-Solver: 1, 2 or 3
 * @param algorithmType DPM-Solver: {@code "dpmsolver++"} ({@code "deis"} is read as that, as diffusers does)
 * @param solverType DPM-Solver second-order update: {@code "midpoint"} or {@code "heun"}
 * @param lowerOrderFinal DPM-Solver: first/second order for the last steps when N &lt; 15
 * @param eulerAtFinal DPM-Solver: first order for the last step
 * @param finalSigmasType Euler/DPM-Solver: the sigma after the last step, {@code "zero"} or {@code "sigma_min"}
 * @param lambdaMinClipped DPM-Solver: clipping threshold of λ(t) (-∞: none)
 * @param values the explicitly given diffusers keys and their JSON values (String, Boolean, Long, Double, List, Map
 *     or null), which {@link #withClass(String)} passes on
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        float[] trainedBetas,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean setAlphaToOne,
        boolean skipPrkSteps,
        boolean clipSample,
        double clipSampleRange,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        boolean useKarrasSigmas,
        boolean useLuLambdas,
        int solverOrder,
        String algorithmType,
        String solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        String finalSigmasType,
        double lambdaMinClipped,
        Map<String, Object> values) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes -Infinity (lambda_min_clipped)
            .build();

    /** Validates and defensively copies. */
    public SchedulerConfig {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(betaSchedule, "betaSchedule");
        Objects.requireNonNull(predictionType, "predictionType");
        Objects.requireNonNull(timestepSpacing, "timestepSpacing");
        Objects.requireNonNull(algorithmType, "algorithmType");
        Objects.requireNonNull(solverType, "solverType");
        Objects.requireNonNull(finalSigmasType, "finalSigmasType");
        if (numTrainTimesteps < 1) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 1, got " + numTrainTimesteps);
        }
        if (stepsOffset < 0) {
            throw new IllegalArgumentException("steps_offset must not be negative, got " + stepsOffset);
        }
        if (trainedBetas != null) {
            if (trainedBetas.length != numTrainTimesteps) {
                throw new IllegalArgumentException("trained_betas has " + trainedBetas.length
                        + " values but num_train_timesteps is " + numTrainTimesteps);
            }
            trainedBetas = trainedBetas.clone();
        }
        if (solverOrder < 1 || solverOrder > 3) {
            throw new IllegalArgumentException("solver_order must be 1, 2 or 3, got " + solverOrder);
        }
        if (!"zero".equals(finalSigmasType) && !"sigma_min".equals(finalSigmasType)) {
            throw new IllegalArgumentException(
                    "final_sigmas_type must be 'zero' or 'sigma_min', got '" + finalSigmasType + "'");
        }
        values = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
    }

    /** The explicit betas (a copy), or {@code null}. */
    @Override
    public float[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    /**
     * Reads a {@code scheduler_config.json} file.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if it is not a valid scheduler config
     */
    public static SchedulerConfig fromJson(Path schedulerConfigJson) {
        try {
            return fromJson(Files.readString(schedulerConfigJson));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + schedulerConfigJson, e);
        }
    }

    /**
     * Parses the text of a {@code scheduler_config.json}: {@code _class_name} names the class; keys listed in
     * {@code _use_default_values} (written by newer diffusers) count as defaults and are dropped, like diffusers does.
     *
     * @throws IllegalArgumentException if the text is not a JSON object with a {@code _class_name}, or a key the class
     *     uses has a wrong type or an unknown value
     */
    public static SchedulerConfig fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("scheduler config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("scheduler config must be a JSON object");
        }
        JsonNode classNode = root.get("_class_name");
        if (classNode == null || !classNode.isTextual()) {
            throw new IllegalArgumentException("scheduler config has no \"_class_name\" string");
        }
        Set<String> usedDefaults = new HashSet<>();
        JsonNode defaultsNode = root.get("_use_default_values");
        if (defaultsNode != null && defaultsNode.isArray()) {
            defaultsNode.forEach(node -> usedDefaults.add(node.asText()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!field.getKey().startsWith("_") && !usedDefaults.contains(field.getKey())) {
                values.put(field.getKey(), toJava(field.getValue()));
            }
        }
        return of(classNode.asText(), values);
    }

    /** The config of {@code className} with every key at its class default. */
    public static SchedulerConfig defaults(String className) {
        return of(className, Map.of());
    }

    /**
     * Resolves explicit diffusers keys (snake_case, JSON-like values) for a class: what
     * {@code ClassName(**values)} gives in diffusers. Keys starting with {@code _} are ignored.
     *
     * @throws IllegalArgumentException if a key the class uses has a wrong type or an unknown value
     */
    public static SchedulerConfig of(String className, Map<String, ?> values) {
        Objects.requireNonNull(className, "className");
        Map<String, Object> given = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (!key.startsWith("_")) {
                given.put(key, value);
            }
        });
        ConfigResolver r = new ConfigResolver(className, given, ConfigDefaults.CLASS_DEFAULTS.get(className));
        String algorithm = r.string("algorithm_type");
        if ("deis".equals(algorithm)) {
            algorithm = "dpmsolver++"; // DPMSolverMultistepScheduler.__init__ re-registers deis as dpmsolver++
        }
        String solver = r.string("solver_type");
        if ("logrho".equals(solver) || "bh1".equals(solver) || "bh2".equals(solver)) {
            solver = "midpoint"; // likewise for solver types of DEIS and UniPC
        }
        return new SchedulerConfig(
                className,
                r.integer("num_train_timesteps"),
                r.real("beta_start"),
                r.real("beta_end"),
                r.parse("beta_schedule", BetaSchedule::fromId),
                r.floats("trained_betas"),
                r.parse("prediction_type", PredictionType::fromId),
                r.parse("timestep_spacing", TimestepSpacing::fromId),
                r.integer("steps_offset"),
                r.bool("set_alpha_to_one"),
                r.bool("skip_prk_steps"),
                r.bool("clip_sample"),
                r.real("clip_sample_range"),
                r.bool("thresholding"),
                r.real("dynamic_thresholding_ratio"),
                r.real("sample_max_value"),
                r.bool("use_karras_sigmas"),
                r.bool("use_lu_lambdas"),
                r.integer("solver_order", 1, 3),
                algorithm,
                solver,
                r.bool("lower_order_final"),
                r.bool("euler_at_final"),
                r.parse("final_sigmas_type", SchedulerConfig::checkFinalSigmasType),
                r.real("lambda_min_clipped"),
                given);
    }

    /**
     * This config as another class would read it: {@code OtherClass.from_config(this)} in diffusers. Only the
     * explicit {@link #values()} are passed on; everything else takes the new class's defaults.
     *
     * @throws IllegalArgumentException if an explicit key has a value the new class cannot use
     */
    public SchedulerConfig withClass(String newClassName) {
        return of(newClassName, values);
    }

    /** A copy with one diffusers key set explicitly (like a keyword argument of {@code from_config}). */
    public SchedulerConfig with(String key, Object value) {
        Map<String, Object> changed = new LinkedHashMap<>(values);
        changed.put(key, value);
        return of(className, changed);
    }

    /** Whether {@link #className()} is one of the classes this library implements. */
    public boolean isSupportedClass() {
        return ConfigDefaults.CLASS_DEFAULTS.containsKey(className);
    }

    /**
     * Fails if this config asks for an option of its class that this library does not implement (for example
     * {@code rescale_betas_zero_snr}, {@code use_exponential_sigmas}, algorithm types other than dpmsolver++).
     *
     * @throws IllegalArgumentException naming the option
     */
    void requireSupported() {
        Map<String, Object> defaults = ConfigDefaults.CLASS_DEFAULTS.get(className);
        if (defaults == null) {
            throw new IllegalArgumentException("scheduler class '" + className
                    + "' is not implemented, expected one of " + String.join(", ", ConfigDefaults.SUPPORTED_CLASSES));
        }
        ConfigDefaults.UNSUPPORTED_UNLESS.forEach((key, accepted) -> {
            if (defaults.containsKey(key) && values.containsKey(key) && !sameJsonValue(values.get(key), accepted)) {
                throw new IllegalArgumentException(className + " option " + key + "=" + values.get(key)
                        + " is not supported (only " + accepted + ")");
            }
        });
        if (!"dpmsolver++".equals(algorithmType)) {
            throw new IllegalArgumentException(
                    className + " algorithm_type '" + algorithmType + "' is not supported (only dpmsolver++)");
        }
        if (!"midpoint".equals(solverType) && !"heun".equals(solverType)) {
            throw new IllegalArgumentException(
                    className + " solver_type '" + solverType + "' is not supported (midpoint or heun)");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchedulerConfig that
                && className.equals(that.className)
                && numTrainTimesteps == that.numTrainTimesteps
                && Double.compare(betaStart, that.betaStart) == 0
                && Double.compare(betaEnd, that.betaEnd) == 0
                && betaSchedule == that.betaSchedule
                && Arrays.equals(trainedBetas, that.trainedBetas)
                && predictionType == that.predictionType
                && timestepSpacing == that.timestepSpacing
                && stepsOffset == that.stepsOffset
                && setAlphaToOne == that.setAlphaToOne
                && skipPrkSteps == that.skipPrkSteps
                && clipSample == that.clipSample
                && Double.compare(clipSampleRange, that.clipSampleRange) == 0
                && thresholding == that.thresholding
                && Double.compare(dynamicThresholdingRatio, that.dynamicThresholdingRatio) == 0
                && Double.compare(sampleMaxValue, that.sampleMaxValue) == 0
                && useKarrasSigmas == that.useKarrasSigmas
                && useLuLambdas == that.useLuLambdas
                && solverOrder == that.solverOrder
                && algorithmType.equals(that.algorithmType)
                && solverType.equals(that.solverType)
                && lowerOrderFinal == that.lowerOrderFinal
                && eulerAtFinal == that.eulerAtFinal
                && finalSigmasType.equals(that.finalSigmasType)
                && Double.compare(lambdaMinClipped, that.lambdaMinClipped) == 0
                && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                className,
                numTrainTimesteps,
                betaStart,
                betaEnd,
                betaSchedule,
                Arrays.hashCode(trainedBetas),
                predictionType,
                timestepSpacing,
                stepsOffset,
                values);
    }

    @Override
    public String toString() {
        return "SchedulerConfig[" + className + ", T=" + numTrainTimesteps + ", betas=" + betaSchedule.id() + " "
                + betaStart + ".." + betaEnd + (trainedBetas != null ? " (trained)" : "") + ", "
                + predictionType.id() + ", " + timestepSpacing.id() + ", steps_offset=" + stepsOffset
                + ", explicit=" + values.keySet() + "]";
    }

    private static String checkFinalSigmasType(String value) {
        if (!"zero".equals(value) && !"sigma_min".equals(value)) {
            throw new IllegalArgumentException("expected 'zero' or 'sigma_min', got '" + value + "'");
        }
        return value;
    }

    private static boolean sameJsonValue(Object value, Object accepted) {
        if (value instanceof Number a && accepted instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return Objects.equals(value, accepted);
    }

    private static Object toJava(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(toJava(element)));
            return Collections.unmodifiableList(list);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            map.put(field.getKey(), toJava(field.getValue()));
        }
        return Collections.unmodifiableMap(map);
    }
}
