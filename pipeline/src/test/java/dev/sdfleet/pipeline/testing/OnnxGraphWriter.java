package dev.sdfleet.pipeline.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models (a {@code ModelProto} in protobuf's wire format) from Java, so that tests can build
 * fixtures at test time without Python: float and int64 tensors, graph inputs and outputs with fixed or named
 * dimensions, nodes with int, ints and float attributes. Opset 17, IR version 8, as the shipped models.
 *
 * <p>Field numbers are those of {@code onnx.proto} (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).
 */
public final class OnnxGraphWriter {
    /** TensorProto.DataType. */
    public static final int FLOAT = 1;

    public static final int INT64 = 7;

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();

    /** A graph input: {@code dims} are Integer sizes or String names of dynamic axes. */
    public OnnxGraphWriter input(String name, int elementType, Object... dims) {
        inputs.add(valueInfo(name, elementType, dims));
        return this;
    }

    public OnnxGraphWriter output(String name, int elementType, Object... dims) {
        outputs.add(valueInfo(name, elementType, dims));
        return this;
    }

    /** A float initializer, row-major. */
    public OnnxGraphWriter floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        initializers.add(tensor(name, FLOAT, raw.array(), dims));
        return this;
    }

    /** An int64 initializer, row-major. */
    public OnnxGraphWriter longs(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        initializers.add(tensor(name, INT64, raw.array(), dims));
        return this;
    }

    /** A node of the default domain. Attributes: {@link #intAttr}, {@link #intsAttr}, {@link #floatAttr}. */
    public OnnxGraphWriter node(String opType, List<String> in, List<String> out, byte[]... attributes) {
        Proto node = new Proto();
        in.forEach(i -> node.string(1, i));
        out.forEach(o -> node.string(2, o));
        node.string(3, opType + "_" + nodes.size());
        node.string(4, opType);
        for (byte[] a : attributes) {
            node.bytes(5, a);
        }
        nodes.add(node.toBytes());
        return this;
    }

    public static byte[] intAttr(String name, long value) {
        return new Proto()
                .string(1, name)
                .varintField(3, value)
                .varintField(20, 2)
                .toBytes();
    }

    public static byte[] intsAttr(String name, long... values) {
        Proto a = new Proto().string(1, name);
        for (long v : values) {
            a.varintField(8, v);
        }
        return a.varintField(20, 7).toBytes();
    }

    public static byte[] floatAttr(String name, float value) {
        return new Proto()
                .string(1, name)
                .fixed32(2, Float.floatToRawIntBits(value))
                .varintField(20, 1)
                .toBytes();
    }

    /** The model's bytes. */
    public byte[] toBytes() {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytes(1, n));
        graph.string(2, "fixture");
        initializers.forEach(t -> graph.bytes(5, t));
        inputs.forEach(v -> graph.bytes(11, v));
        outputs.forEach(v -> graph.bytes(12, v));
        Proto opset = new Proto().string(1, "").varintField(2, 17);
        return new Proto()
                .varintField(1, 8)
                .string(2, "sdfleet-tests")
                .bytes(7, graph.toBytes())
                .bytes(8, opset.toBytes())
                .toBytes();
    }

    private static byte[] tensor(String name, int type, byte[] raw, long... dims) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varintField(1, d);
        }
        return t.varintField(2, type).string(8, name).bytes(9, raw).toBytes();
    }

    private static byte[] valueInfo(String name, int elementType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim =
                    d instanceof Integer size ? new Proto().varintField(1, size) : new Proto().string(2, (String) d);
            shape.bytes(1, dim.toBytes());
        }
        Proto tensorType = new Proto().varintField(1, elementType).bytes(2, shape.toBytes());
        Proto type = new Proto().bytes(1, tensorType.toBytes());
        return new Proto().string(1, name).bytes(2, type.toBytes()).toBytes();
    }

    /** One protobuf message being written. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varintField(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        Proto fixed32(int field, int bits) {
            varint((long) field << 3 | 5);
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(bits)
                    .array());
            return this;
        }

        Proto bytes(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        private void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
