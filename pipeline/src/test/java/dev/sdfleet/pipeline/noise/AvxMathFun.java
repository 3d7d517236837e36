package dev.sdfleet.pipeline.noise;

/**
 * Scalar, bit-exact emulation of {@code log256_ps} and {@code sincos256_ps} from {@code ATen/cpu/avx_mathfun.h}
 * (Julien Pommier's Cephes-based AVX routines) as compiled into torch 1.13's AVX2 kernels, which
 * {@code torch.randn} uses for float tensors of 16 or more elements.
 *
 * <p>Every operation is a float32 operation in the order of the intrinsics. Where the compiler contracts a multiply
 * and an add into one FMA instruction ({@code -ffp-contract=fast}, the GCC default), {@link Math#fma} is used; the
 * choice of contractions was established by comparing 2<sup>20</sup> draws with torch 1.13 (GCC 12 build, AVX2
 * capability): they agree bit for bit. A torch built by a compiler that contracts differently can differ in the last
 * bit of a few values.
 */
final class AvxMathFun {

    private static final float MIN_NORM_POS = Float.intBitsToFloat(0x00800000);
    private static final int INV_MANT_MASK = ~0x7f800000;
    private static final int HALF_BITS = Float.floatToRawIntBits(0.5f);
    private static final float SQRTHF = 0.707106781186547524f;
    private static final float LOG_P0 = 7.0376836292E-2f;
    private static final float LOG_P1 = -1.1514610310E-1f;
    private static final float LOG_P2 = 1.1676998740E-1f;
    private static final float LOG_P3 = -1.2420140846E-1f;
    private static final float LOG_P4 = +1.4249322787E-1f;
    private static final float LOG_P5 = -1.6668057665E-1f;
    private static final float LOG_P6 = +2.0000714765E-1f;
    private static final float LOG_P7 = -2.4999993993E-1f;
    private static final float LOG_P8 = +3.3333331174E-1f;
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;

    private static final float FOPI = 1.27323954473516f; // 4 / pi
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
    private static final float MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SINCOF_P0 = -1.9515295891E-4f;
    private static final float SINCOF_P1 = 8.3321608736E-3f;
    private static final float SINCOF_P2 = -1.6666654611E-1f;
    private static final float COSCOF_P0 = 2.443315711809948E-005f;
    private static final float COSCOF_P1 = -1.388731625493765E-003f;
    private static final float COSCOF_P2 = 4.166664568298827E-002f;

    private AvxMathFun() {}

    /** {@code log256_ps} for one lane; NaN for x &lt;= 0. */
    static float log(float input) {
        if (!(input > 0f)) {
            return Float.NaN; // the invalid mask ORs all bits in: NaN for zero, negatives and NaN
        }
        float x = Math.max(input, MIN_NORM_POS); // cut off denormals
        int bits = Float.floatToRawIntBits(x);
        int exponent = (bits >>> 23) - 0x7f;
        x = Float.intBitsToFloat((bits & INV_MANT_MASK) | HALF_BITS); // mantissa in [0.5, 1)
        float e = (float) exponent + 1f;
        boolean belowSqrtHalf = x < SQRTHF;
        float tmp = belowSqrtHalf ? x : 0f;
        x = x - 1f;
        e = e - (belowSqrtHalf ? 1f : 0f);
        x = x + tmp;
        float z = x * x;
        float y = LOG_P0;
        y = Math.fma(y, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1); // y*z + e*q1: the compiler fuses the first product
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, LOG_Q2, x);
    }

    /**
     * {@code sincos256_ps} for one lane.
     *
     * @return the sine in the high 32 bits and the cosine in the low 32 bits (raw float bits), so that the caller
     *     allocates nothing; see {@link #sin(long)} and {@link #cos(long)}
     */
    static long sinCos(float input) {
        int signBitSin = Float.floatToRawIntBits(input) & 0x80000000;
        float x = Math.abs(input);
        int j = (int) (x * FOPI); // cvttps: truncation
        j = (j + 1) & ~1;
        float y = (float) j;
        int swapSignBitSin = (j & 4) << 29;
        boolean polyMask = (j & 2) == 0;
        // "Extended precision modular arithmetic": x = ((x - y*DP1) - y*DP2) - y*DP3, fused
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        int signBitCos = (~(j - 2) & 4) << 29;
        signBitSin ^= swapSignBitSin;

        float z = x * x;
        float cosPoly = COSCOF_P0;
        cosPoly = Math.fma(cosPoly, z, COSCOF_P1);
        cosPoly = Math.fma(cosPoly, z, COSCOF_P2);
        cosPoly = cosPoly * z;
        cosPoly = Math.fma(cosPoly, z, -(z * 0.5f));
        cosPoly = cosPoly + 1f;

        float sinPoly = SINCOF_P0;
        sinPoly = Math.fma(sinPoly, z, SINCOF_P1);
        sinPoly = Math.fma(sinPoly, z, SINCOF_P2);
        sinPoly = sinPoly * z;
        sinPoly = Math.fma(sinPoly, x, x);

        float sin = polyMask ? sinPoly : cosPoly;
        float cos = polyMask ? cosPoly : sinPoly;
        int sinBits = Float.floatToRawIntBits(sin) ^ signBitSin;
        int cosBits = Float.floatToRawIntBits(cos) ^ signBitCos;
        return ((long) sinBits << 32) | (cosBits & 0xffff_ffffL);
    }

    static float sin(long sinCos) {
        return Float.intBitsToFloat((int) (sinCos >>> 32));
    }

    static float cos(long sinCos) {
        return Float.intBitsToFloat((int) sinCos);
    }
}
