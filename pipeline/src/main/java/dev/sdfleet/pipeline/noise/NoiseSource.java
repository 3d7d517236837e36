package dev.sdfleet.pipeline.noise;

/**
 * A stream of standard normal draws, consumed in order.
 *
 * <p>Implementations are stateful: two calls of {@code fill} continue the same stream. How a call groups its draws
 * can matter (torch generates a block of {@code length} values with a different algorithm than single values), so
 * callers fill a whole tensor with one call, exactly as the reference pipeline draws it.
 */
@FunctionalInterface
public interface NoiseSource {

    /**
     * Writes {@code length} standard normal values into {@code target[offset .. offset+length)}, in C order.
     *
     * @throws IndexOutOfBoundsException if the range does not fit in {@code target}
     */
    void fill(float[] target, int offset, int length);
}
