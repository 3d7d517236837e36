package dev.sdfleet.pipeline.noise;

/**
 * MT19937, the 32-bit Mersenne Twister of Matsumoto and Nishimura, seeded with {@code init_genrand}. Both numpy's
 * legacy {@code RandomState(seed)} and torch's CPU generator ({@code at::mt19937}) use exactly this state and
 * tempering; only what they build on top of the 32-bit words differs.
 */
final class MersenneTwister {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int position;

    /** Seeds with {@code init_genrand(seed)}: {@code mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >>> 30)) + i}. */
    MersenneTwister(int seed) {
        state[0] = seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        position = N;
    }

    /** The next tempered 32-bit output (as a Java int; use {@code & 0xffffffffL} for the unsigned value). */
    int nextInt() {
        if (position >= N) {
            twist();
        }
        int y = state[position++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        position = 0;
    }
}
