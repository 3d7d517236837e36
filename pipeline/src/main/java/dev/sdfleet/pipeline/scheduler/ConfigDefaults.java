package dev.sdfleet.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code __init__} defaults of the diffusers scheduler classes, and the options this library leaves out. */
final class ConfigDefaults {

    /** The diffusers classes this library implements, in {@link SchedulerKind} order. */
    static final List<String> SUPPORTED_CLASSES = List.of(
            "PNDMScheduler",
            "DDIMScheduler",
            "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler",
            "LMSDiscreteScheduler",
            "DPMSolverMultistepScheduler");

    /** Neutral values: used for keys a class does not have, and as defaults of classes not implemented here. */
    static final Map<String, Object> NEUTRAL = neutralValues();

    /** {@code __init__} defaults of each implemented class (diffusers 0.3x signatures). */
    static final Map<String, Map<String, Object>> CLASS_DEFAULTS = classDefaults();

    /** Options of the implemented classes that this library does not implement, with the only accepted value. */
    static final Map<String, Object> UNSUPPORTED_UNLESS = unsupportedOptions();

    private ConfigDefaults() {}

    private static Map<String, Object> neutralValues() {
        Map<String, Object> neutral = new LinkedHashMap<>(common());
        neutral.put("timestep_spacing", "leading");
        neutral.put("set_alpha_to_one", false);
        neutral.put("skip_prk_steps", false);
        neutral.put("clip_sample", false);
        neutral.put("clip_sample_range", 1.0);
        neutral.put("thresholding", false);
        neutral.put("dynamic_thresholding_ratio", 0.995);
        neutral.put("sample_max_value", 1.0);
        neutral.put("use_karras_sigmas", false);
        neutral.put("use_lu_lambdas", false);
        neutral.put("solver_order", 2L);
        neutral.put("algorithm_type", "dpmsolver++");
        neutral.put("solver_type", "midpoint");
        neutral.put("lower_order_final", true);
        neutral.put("euler_at_final", false);
        neutral.put("final_sigmas_type", "zero");
        neutral.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        return Collections.unmodifiableMap(neutral);
    }

    private static Map<String, Object> common() {
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("num_train_timesteps", 1000L);
        common.put("beta_start", 0.0001);
        common.put("beta_end", 0.02);
        common.put("beta_schedule", "linear");
        common.put("trained_betas", null);
        common.put("prediction_type", "epsilon");
        common.put("steps_offset", 0L);
        return common;
    }

    private static Map<String, Map<String, Object>> classDefaults() {
        Map<String, Object> pndm = common();
        pndm.put("skip_prk_steps", false);
        pndm.put("set_alpha_to_one", false);
        pndm.put("timestep_spacing", "leading");

        Map<String, Object> ddim = common();
        ddim.put("clip_sample", true);
        ddim.put("set_alpha_to_one", true);
        ddim.put("thresholding", false);
        ddim.put("dynamic_thresholding_ratio", 0.995);
        ddim.put("clip_sample_range", 1.0);
        ddim.put("sample_max_value", 1.0);
        ddim.put("timestep_spacing", "leading");
        ddim.put("rescale_betas_zero_snr", false);

        Map<String, Object> euler = common();
        euler.put("interpolation_type", "linear");
        euler.put("use_karras_sigmas", false);
        euler.put("use_exponential_sigmas", false);
        euler.put("use_beta_sigmas", false);
        euler.put("sigma_min", null);
        euler.put("sigma_max", null);
        euler.put("timestep_spacing", "linspace");
        euler.put("timestep_type", "discrete");
        euler.put("rescale_betas_zero_snr", false);
        euler.put("final_sigmas_type", "zero");

        Map<String, Object> eulerAncestral = common();
        eulerAncestral.put("timestep_spacing", "linspace");
        eulerAncestral.put("rescale_betas_zero_snr", false);

        Map<String, Object> lms = common();
        lms.put("use_karras_sigmas", false);
        lms.put("use_exponential_sigmas", false);
        lms.put("use_beta_sigmas", false);
        lms.put("timestep_spacing", "linspace");

        Map<String, Object> dpm = common();
        dpm.put("solver_order", 2L);
        dpm.put("thresholding", false);
        dpm.put("dynamic_thresholding_ratio", 0.995);
        dpm.put("sample_max_value", 1.0);
        dpm.put("algorithm_type", "dpmsolver++");
        dpm.put("solver_type", "midpoint");
        dpm.put("lower_order_final", true);
        dpm.put("euler_at_final", false);
        dpm.put("use_karras_sigmas", false);
        dpm.put("use_exponential_sigmas", false);
        dpm.put("use_beta_sigmas", false);
        dpm.put("use_lu_lambdas", false);
        dpm.put("use_flow_sigmas", false);
        dpm.put("flow_shift", 1.0);
        dpm.put("final_sigmas_type", "zero");
        dpm.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        dpm.put("variance_type", null);
        dpm.put("timestep_spacing", "linspace");
        dpm.put("rescale_betas_zero_snr", false);

        Map<String, Map<String, Object>> defaults = new LinkedHashMap<>();
        List<Map<String, Object>> tables = List.of(pndm, ddim, euler, eulerAncestral, lms, dpm);
        for (int i = 0; i < tables.size(); i++) {
            defaults.put(SUPPORTED_CLASSES.get(i), Collections.unmodifiableMap(tables.get(i)));
        }
        return Collections.unmodifiableMap(defaults);
    }

    private static Map<String, Object> unsupportedOptions() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("rescale_betas_zero_snr", false);
        options.put("use_exponential_sigmas", false);
        options.put("use_beta_sigmas", false);
        options.put("use_flow_sigmas", false);
        options.put("sigma_min", null);
        options.put("sigma_max", null);
        options.put("timestep_type", "discrete");
        options.put("interpolation_type", "linear");
        options.put("variance_type", null);
        return Collections.unmodifiableMap(options);
    }
}
