package dev.sdfleet.pipeline.noise;

import java.util.Objects;

/**
 * Port of torch's CPU generator for {@code torch.manual_seed(seed); torch.randn(n, dtype=torch.float32)} (torch
 * 1.13 algorithm), the generator of diffusers' PyTorch pipelines and scheduler unit tests.
 *
 * <ul>
 *   <li>Seeding: {@code at::mt19937} with {@code init_genrand} of the low 32 bits of the seed (a negative Java long
 *   is the two's complement 64-bit seed, as torch 1.13 treats a negative Python seed).</li>
 *   <li>Uniform float: {@code (random32 & 0xffffff) * 2^-24}.</li>
 *   <li>{@code n >= 16} ({@code normal_fill}): all {@code n} uniforms are drawn first, then Box–Muller in blocks of
 *   16 with {@code u1 = 1 - data[j]}, {@code u2 = data[j+8]}, {@code r = sqrt(-2 ln u1)}, {@code theta = 2 pi u2},
 *   {@code data[j] = r cos theta}, {@code data[j+8] = r sin theta}, j = 0..7; if {@code n % 16 != 0} the last 16
 *   values are recomputed from 16 fresh uniforms.</li>
 *   <li>{@code n < 16}: one {@code at::normal_distribution<double>} per value: two 53-bit doubles from
 *   {@code random64} give {@code r cos theta}, and {@code r sin theta} is cached in the generator for the next such
 *   value (the cache survives between calls, as in torch).</li>
 * </ul>
 *
 * <p>The block transform exists in two builds of torch. {@link Kernel#AVX2} (the default) is the one torch 1.13 runs
 * on x86-64 CPUs with AVX2, using Cephes polynomial {@code log}/{@code sincos} ({@link AvxMathFun}); it reproduces
 * torch bit for bit (2<sup>20</sup> values compared). {@link Kernel#SCALAR} is the portable loop
 * ({@code ATEN_CPU_CAPABILITY=default}, non-x86 builds) with the C library's {@code logf}/{@code cosf}/{@code sinf},
 * which are not correctly rounded; Java's functions are, so about 1.5% of the values differ, by at most 3 float ulps.
 * The two kernels differ from each other by a few ulps (more, relatively, for values near zero). The {@code n < 16}
 * path uses double-precision functions and matched torch in every value tested.
 *
 * <p>Test code: the pipeline draws its noise from {@link NumpyRandom}; this generator only replays the PyTorch
 * reference runs of the scheduler tests.
 *
 * <p>Not thread-safe: one instance per job.
 */
public final class TorchCpuRandom implements NoiseSource {

    /** Which of torch's Box–Muller block kernels to reproduce (see the class description). */
    public enum Kernel {
        /** torch's {@code normal_fill_16_AVX2}: the x86-64 build with AVX2 (bit-exact). */
        AVX2,
        /** torch's portable {@code normal_fill_16} with libm functions (equal up to libm rounding, at most 3 ulps). */
        SCALAR
    }

    private static final int BLOCK = 16;
    private static final int HALF_BLOCK = 8;
    private static final float TWO_PI_FLOAT = (float) (2.0 * Math.PI);
    private static final float UNIFORM_FLOAT_SCALE = 0x1.0p-24f;
    private static final double UNIFORM_DOUBLE_SCALE = 0x1.0p-53;
    private static final long MASK_53 = (1L << 53) - 1;

    private final MersenneTwister twister;
    private final Kernel kernel;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** {@code torch.manual_seed(seed)} with the AVX2 kernel. */
    public TorchCpuRandom(long seed) {
        this(seed, Kernel.AVX2);
    }

    /** {@code torch.manual_seed(seed)} reproducing the given block kernel. */
    public TorchCpuRandom(long seed, Kernel kernel) {
        this.twister = new MersenneTwister((int) seed);
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    /** A uniform float in [0, 1) with 24 random bits ({@code at::uniform_real_distribution<float>}). */
    public float nextFloat() {
        return (twister.nextInt() & 0xffffff) * UNIFORM_FLOAT_SCALE;
    }

    /** A uniform double in [0, 1): 53 bits of {@code random64} ({@code uniform_real_distribution<double>}). */
    public double nextDouble() {
        long hi = twister.nextInt() & 0xffff_ffffL;
        long lo = twister.nextInt() & 0xffff_ffffL;
        return ((hi << 32 | lo) & MASK_53) * UNIFORM_DOUBLE_SCALE;
    }

    /**
     * One draw of {@code at::normal_distribution<double>} (mean 0, std 1), the path of {@code torch.randn(n)} for
     * {@code n < 16}; uses and refills the generator's cached second value.
     */
    public double nextGaussian() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /** Generates exactly what one {@code torch.randn(length)} call returns, in place. */
    @Override
    public void fill(float[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (length < BLOCK) {
            for (int i = 0; i < length; i++) {
                target[offset + i] = (float) nextGaussian();
            }
            return;
        }
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            target[i] = nextFloat();
        }
        for (int i = offset; i + BLOCK <= end; i += BLOCK) {
            transformBlock(target, i);
        }
        if (length % BLOCK != 0) {
            // torch recomputes the last 16 values from 16 fresh uniforms, overwriting some finished ones
            int start = end - BLOCK;
            for (int i = start; i < end; i++) {
                target[i] = nextFloat();
            }
            transformBlock(target, start);
        }
    }

    private void transformBlock(float[] data, int start) {
        for (int j = start; j < start + HALF_BLOCK; j++) {
            float u1 = 1f - data[j]; // [0, 1) -> (0, 1] for the log
            float u2 = data[j + HALF_BLOCK];
            if (kernel == Kernel.AVX2) {
                float radius = (float) Math.sqrt(-2f * AvxMathFun.log(u1));
                long sinCos = AvxMathFun.sinCos(TWO_PI_FLOAT * u2);
                data[j] = radius * AvxMathFun.cos(sinCos);
                data[j + HALF_BLOCK] = radius * AvxMathFun.sin(sinCos);
            } else {
                float radius = (float) Math.sqrt(-2f * (float) Math.log(u1));
                float theta = (float) (2.0 * Math.PI * u2); // torch: 2.0f * c10::pi<double> * u2, stored as float
                data[j] = radius * (float) Math.cos(theta);
                data[j + HALF_BLOCK] = radius * (float) Math.sin(theta);
            }
        }
    }
}
