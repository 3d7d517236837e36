package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * A float tensor over one direct, native-order buffer, allocated once and reused for every run: ORT reads inputs from
 * it and writes pinned outputs into it without copies. Storage is fp32 or fp16 as the graph declares; callers always
 * see float32 arrays.
 */
public final class FloatTensorBuffer implements AutoCloseable {
    private final long[] shape;
    private final int size;
    private final OnnxJavaType type;
    private final FloatBuffer floats; // fp32 storage, or null
    private final ShortBuffer halves; // fp16 storage, or null
    private final ByteBuffer halvesAsBytes; // the same fp16 storage as bytes, for views
    private final OnnxTensor tensor;

    public FloatTensorBuffer(OnnxJavaType type, long... shape) {
        this.shape = shape.clone();
        this.size = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        this.type = type;
        OrtEnvironment env = OrtRuntime.environment();
        try {
            switch (type) {
                case FLOAT -> {
                    floats = ByteBuffer.allocateDirect(size * Float.BYTES)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
                    halves = null;
                    halvesAsBytes = null;
                    tensor = OnnxTensor.createTensor(env, floats, shape);
                }
                case FLOAT16 -> {
                    ByteBuffer bytes =
                            ByteBuffer.allocateDirect(size * Short.BYTES).order(ByteOrder.nativeOrder());
                    halves = bytes.asShortBuffer();
                    halvesAsBytes = bytes;
                    floats = null;
                    tensor = OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.FLOAT16);
                }
                default ->
                    throw new IncompatibleModelException(
                            "expected a float32 or float16 tensor, the graph declares " + type);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("could not create a " + type + " tensor " + Arrays.toString(shape), e);
        }
    }

    /** Element count. */
    public int size() {
        return size;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The ORT tensor viewing this buffer. */
    public OnnxTensor tensor() {
        return tensor;
    }

    /**
     * A tensor viewing rows {@code first .. first + count - 1} of this one's first axis: the same memory, no copy (a
     * slice of a direct buffer). The caller closes it, before this buffer.
     */
    public OnnxTensor rows(int first, int count) {
        long[] viewShape = shape.clone();
        viewShape[0] = count;
        int perRow = size / Math.toIntExact(shape[0]);
        OrtEnvironment env = OrtRuntime.environment();
        try {
            if (floats != null) {
                return OnnxTensor.createTensor(env, floats.slice(first * perRow, count * perRow), viewShape);
            }
            return OnnxTensor.createTensor(
                    env,
                    halvesAsBytes
                            .slice(first * perRow * Short.BYTES, count * perRow * Short.BYTES)
                            .order(ByteOrder.nativeOrder()),
                    viewShape,
                    OnnxJavaType.FLOAT16);
        } catch (OrtException e) {
            throw new IllegalStateException("could not view rows of a " + type + " tensor", e);
        }
    }

    /** Copies {@code size()} floats from {@code src[offset..]} into the tensor. */
    public void write(float[] src, int offset) {
        if (floats != null) {
            floats.put(0, src, offset, size);
        } else {
            for (int i = 0; i < size; i++) {
                halves.put(i, Float.floatToFloat16(src[offset + i]));
            }
        }
    }

    /** Writes {@code src} (of any length up to size) at element {@code at}. */
    public void write(int at, float[] src, int offset, int length) {
        if (floats != null) {
            floats.put(at, src, offset, length);
        } else {
            for (int i = 0; i < length; i++) {
                halves.put(at + i, Float.floatToFloat16(src[offset + i]));
            }
        }
    }

    /** Fills {@code length} elements from {@code at} with {@code value}. */
    public void fill(int at, int length, float value) {
        for (int i = 0; i < length; i++) {
            if (floats != null) {
                floats.put(at + i, value);
            } else {
                halves.put(at + i, Float.floatToFloat16(value));
            }
        }
    }

    /** Copies the tensor's contents into {@code dst[offset..]}. */
    public void read(float[] dst, int offset) {
        if (floats != null) {
            floats.get(0, dst, offset, size);
        } else {
            for (int i = 0; i < size; i++) {
                dst[offset + i] = Float.float16ToFloat(halves.get(i));
            }
        }
    }

    @Override
    public void close() {
        tensor.close();
    }
}
