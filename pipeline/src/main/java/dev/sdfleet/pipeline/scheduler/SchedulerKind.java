package dev.sdfleet.pipeline.scheduler;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The schedulers this library implements, as a job names them. */
public enum SchedulerKind {
    /** diffusers {@code PNDMScheduler} (PLMS when {@code skip_prk_steps}); the SD 1.x default. */
    PNDM("PNDMScheduler", false, "pndm", "plms"),
    /** diffusers {@code DDIMScheduler}. */
    DDIM("DDIMScheduler", false, "ddim"),
    /** diffusers {@code EulerDiscreteScheduler}. */
    EULER("EulerDiscreteScheduler", false, "euler"),
    /** diffusers {@code EulerAncestralDiscreteScheduler} (stochastic: needs a noise source). */
    EULER_ANCESTRAL("EulerAncestralDiscreteScheduler", false, "euler_a", "euler_ancestral"),
    /** diffusers {@code LMSDiscreteScheduler} (order 4). */
    LMS("LMSDiscreteScheduler", false, "lms"),
    /** diffusers {@code DPMSolverMultistepScheduler}, i.e. DPM++ 2M with the config's sigmas. */
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", false, "dpmpp_2m", "dpm++_2m", "dpm_solver_multistep"),
    /** DPM++ 2M with {@code use_karras_sigmas = true}. */
    DPM_SOLVER_MULTISTEP_KARRAS(
            "DPMSolverMultistepScheduler", true, "dpmpp_2m_karras", "dpm++_2m_karras", "dpm_solver_multistep_karras");

    private static final Map<String, SchedulerKind> BY_NAME = new LinkedHashMap<>();

    static {
        for (SchedulerKind kind : values()) {
            for (String id : kind.ids) {
                BY_NAME.put(normalize(id), kind);
            }
            BY_NAME.put(normalize(kind.name()), kind);
            if (!kind.karras) {
                BY_NAME.put(normalize(kind.className), kind);
            }
        }
    }

    private final String className;
    private final boolean karras;
    private final String[] ids;

    SchedulerKind(String className, boolean karras, String... ids) {
        this.className = className;
        this.karras = karras;
        this.ids = ids;
    }

    /** The diffusers class this kind instantiates, e.g. {@code "EulerDiscreteScheduler"}. */
    public String className() {
        return className;
    }

    /** Whether this kind forces {@code use_karras_sigmas = true} on top of the config. */
    public boolean forcesKarrasSigmas() {
        return karras;
    }

    /** The short id of this kind, e.g. {@code "euler_a"}. */
    public String id() {
        return ids[0];
    }

    /**
     * Parses a short id ({@code "pndm"}, {@code "ddim"}, {@code "euler"}, {@code "euler_a"}, {@code "lms"},
     * {@code "dpmpp_2m"}, {@code "dpmpp_2m_karras"}, …), an enum name or a diffusers class name
     * ({@code "EulerDiscreteScheduler"}). Case does not matter and {@code -} or a space may replace {@code _}.
     *
     * @throws IllegalArgumentException for anything else, listing the accepted names
     */
    public static SchedulerKind parse(String name) {
        if (name != null) {
            SchedulerKind kind = BY_NAME.get(normalize(name));
            if (kind != null) {
                return kind;
            }
        }
        StringBuilder accepted = new StringBuilder();
        for (SchedulerKind kind : values()) {
            accepted.append(accepted.isEmpty() ? "" : ", ").append(String.join("/", kind.ids));
            if (!kind.karras) {
                accepted.append('/').append(kind.className);
            }
        }
        throw new IllegalArgumentException("unknown scheduler '" + name + "', expected one of " + accepted);
    }

    private static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    }
}
