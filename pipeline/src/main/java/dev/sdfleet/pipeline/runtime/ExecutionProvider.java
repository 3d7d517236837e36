package dev.sdfleet.pipeline.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The ONNX Runtime execution providers the pipeline can ask for, in the words used in configuration. */
public enum ExecutionProvider {
    TENSORRT("tensorrt"),
    CUDA("cuda"),
    CPU("cpu");

    private final String id;

    ExecutionProvider(String id) {
        this.id = id;
    }

    /** The configuration name, e.g. {@code tensorrt}. */
    public String id() {
        return id;
    }

    /**
     * Parses an ordered, comma-separated preference list such as {@code tensorrt,cuda,cpu}.
     *
     * @throws IllegalArgumentException for an empty list, a duplicate or an unknown name (the message lists the known
     *     ones)
     */
    public static List<ExecutionProvider> parseList(String spec) {
        List<ExecutionProvider> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            ExecutionProvider provider = Arrays.stream(values())
                    .filter(p -> p.id.equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown execution provider '" + name
                            + "', expected one of "
                            + Arrays.stream(values()).map(ExecutionProvider::id).toList()));
            if (out.contains(provider)) {
                throw new IllegalArgumentException(
                        "execution provider '" + name + "' is listed twice in '" + spec + "'");
            }
            out.add(provider);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the execution provider list is empty");
        }
        return List.copyOf(out);
    }
}
