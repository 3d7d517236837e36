package dev.sdfleet.pipeline.noise;

import java.util.Objects;

/**
 * Port of numpy's legacy {@code np.random.RandomState(seed)} for {@code random_sample} and {@code randn},
 * the generator of diffusers' ONNX pipelines ({@code latents = generator.randn(*shape).astype(float32)}).
 *
 * <ul>
 *   <li>Seeding: MT19937 {@code init_genrand(seed)} (numpy's {@code mt19937_seed}); seeds are 0 … 2<sup>32</sup>-1
 *   like numpy's.</li>
 *   <li>{@link #nextDouble()}: {@code ((a >>> 5) * 67108864.0 + (b >>> 6)) / 9007199254740992.0} from two 32-bit
 *   words (53 random bits).</li>
 *   <li>{@link #nextGaussian()}: numpy's {@code legacy_gauss}, Marsaglia's polar method that returns {@code f*x2} and
 *   caches {@code f*x1} for the next call.</li>
 * </ul>
 *
 * <p>{@link #nextDouble()} is exact. {@link #nextGaussian()} needs a logarithm, and numpy uses the C library's
 * {@code log}, which is not correctly rounded; Java's {@link Math#log} differs from glibc's in about 3 of 10,000
 * calls, giving a Gaussian one double ulp away (about 60 of 200,000 draws for seeds 0 and 42). After the cast to
 * float32 of {@link #fill} all 400,000 values agreed with numpy.
 *
 * <p>Not thread-safe: one instance per job.
 */
public final class NumpyRandom implements NoiseSource {

    /**
     * The largest seed numpy's RandomState takes (2<sup>32</sup>-1): the pipeline's seed range. The protocol states the
     * same range for the wire on its own (neither module depends on the other); the worker tests that they agree.
     */
    public static final long MAX_SEED = 0xffff_ffffL;

    private final MersenneTwister twister;
    private boolean hasCachedGaussian;
    private double cachedGaussian;

    /**
     * Creates the generator numpy builds for {@code RandomState(seed)}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= seed <= 2^32 - 1} (numpy raises {@code ValueError} too)
     */
    public NumpyRandom(long seed) {
        if (seed < 0 || seed > MAX_SEED) {
            throw new IllegalArgumentException("numpy RandomState seeds must be between 0 and 2**32 - 1, got " + seed);
        }
        this.twister = new MersenneTwister((int) seed);
    }

    /** The next raw 32-bit word as an unsigned value ({@code RandomState.randint(2**32)} draws one such word). */
    public long nextUnsignedInt() {
        return twister.nextInt() & 0xffff_ffffL;
    }

    /** A uniform double in [0, 1) with 53 random bits, like {@code RandomState.random_sample()}. */
    public double nextDouble() {
        int a = twister.nextInt() >>> 5;
        int b = twister.nextInt() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** A standard normal double, like one element of {@code RandomState.randn()} (numpy {@code legacy_gauss}). */
    public double nextGaussian() {
        if (hasCachedGaussian) {
            hasCachedGaussian = false;
            return cachedGaussian;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        cachedGaussian = f * x1;
        hasCachedGaussian = true;
        return f * x2;
    }

    /** Draws {@code length} Gaussians in order and rounds each to float, as {@code randn(n).astype(np.float32)}. */
    @Override
    public void fill(float[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, target.length);
        for (int i = 0; i < length; i++) {
            target[offset + i] = (float) nextGaussian();
        }
    }
}
