package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The UNet's {@code timestep} input in whatever form the graph declares: int64, int32, float32, float16 or float64,
 * as a rank-0 scalar (optimum >= 1.24) or a one-element vector (older exports). One direct buffer is allocated once;
 * {@link #set} rewrites it before each step.
 *
 * <p>Integer graphs get the timestep truncated toward zero, as numpy's {@code astype} does in diffusers.
 */
public final class TimestepTensor implements AutoCloseable {
    private final OnnxJavaType type;
    private final ByteBuffer buffer;
    private final OnnxTensor tensor;

    public TimestepTensor(TensorSpec spec) {
        this.type = spec.type();
        if (spec.rank() > 1) {
            throw new IncompatibleModelException(
                    "the UNet timestep must be a scalar or a vector, the graph declares " + spec);
        }
        long[] shape = spec.rank() == 0 ? new long[0] : new long[] {1};
        int bytes = switch (type) {
            case INT64, DOUBLE -> 8;
            case INT32, FLOAT -> 4;
            case FLOAT16 -> 2;
            default -> throw new IncompatibleModelException("unsupported UNet timestep type " + spec);
        };
        buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        OrtEnvironment env = OrtRuntime.environment();
        try {
            tensor = switch (type) {
                case INT64 -> OnnxTensor.createTensor(env, buffer.asLongBuffer(), shape);
                case INT32 -> OnnxTensor.createTensor(env, buffer.asIntBuffer(), shape);
                case FLOAT -> OnnxTensor.createTensor(env, buffer.asFloatBuffer(), shape);
                case DOUBLE -> OnnxTensor.createTensor(env, buffer.asDoubleBuffer(), shape);
                default -> OnnxTensor.createTensor(env, buffer, shape, OnnxJavaType.FLOAT16);
            };
        } catch (OrtException e) {
            throw new IllegalStateException("could not create the timestep tensor", e);
        }
    }

    /** Writes the timestep for the next run. */
    public void set(float timestep) {
        switch (type) {
            case INT64 -> buffer.putLong(0, (long) timestep);
            case INT32 -> buffer.putInt(0, (int) timestep);
            case FLOAT -> buffer.putFloat(0, timestep);
            case DOUBLE -> buffer.putDouble(0, timestep);
            default -> buffer.putShort(0, Float.floatToFloat16(timestep));
        }
    }

    public OnnxTensor tensor() {
        return tensor;
    }

    @Override
    public void close() {
        tensor.close();
    }
}
