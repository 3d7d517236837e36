package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OnnxJavaType;
import java.util.Arrays;

/**
 * One graph input or output as the session declares it: name, element type and shape (-1 for a dynamic axis).
 */
public record TensorSpec(String name, OnnxJavaType type, long[] shape) {

    public int rank() {
        return shape.length;
    }

    /** The declared size of axis {@code i}, or -1 when it is dynamic. */
    public long dim(int i) {
        return shape[i];
    }

    @Override
    public String toString() {
        return name + ":" + type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
