package dev.sdfleet.pipeline.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Reference values printed by numpy 1.24 ({@code /usr/bin/python3}):
 * {@code np.random.RandomState(seed).randn(n)} and {@code .random_sample()}.
 */
class NumpyRandomTest {

    @Test
    void seedZeroTestVectors() {
        NumpyRandom random = new NumpyRandom(0);
        double[] expected = {
            1.764052345967664,
            0.4001572083672233,
            0.9787379841057392,
            2.240893199201458,
            1.8675579901499675,
            -0.977277879876411
        };
        for (double value : expected) {
            assertEquals(value, random.nextGaussian()); // exact double equality
        }
    }

    @Test
    void seed42TestVectors() {
        NumpyRandom random = new NumpyRandom(42);
        double[] expected = {
            0.4967141530112327,
            -0.13826430117118466,
            0.6476885381006925,
            1.5230298564080254,
            -0.23415337472333597,
            -0.23413695694918055
        };
        for (double value : expected) {
            assertEquals(value, random.nextGaussian());
        }
    }

    @Test
    void laterDrawsOfSeedZero() {
        // RandomState(0).randn(1000)[995:]
        NumpyRandom random = new NumpyRandom(0);
        for (int i = 0; i < 995; i++) {
            random.nextGaussian();
        }
        double[] expected = {
            0.4128708204461747, -0.19839889682004574, 0.09419230031014657, -1.1476109448431353, -0.35811407547985674
        };
        for (double value : expected) {
            assertEquals(value, random.nextGaussian());
        }
    }

    @Test
    void uniformDoubles() {
        // RandomState(0).random_sample() three times
        NumpyRandom random = new NumpyRandom(0);
        assertEquals(0.5488135039273248, random.nextDouble());
        assertEquals(0.7151893663724195, random.nextDouble());
        assertEquals(0.6027633760716439, random.nextDouble());
    }

    @Test
    void fillCastsLikeAstypeFloat32() {
        // RandomState(42).randn(1, 4, 64, 64).astype(np.float32).ravel()[-3:]
        float[] latents = new float[4 * 64 * 64 + 2];
        new NumpyRandom(42).fill(latents, 1, 4 * 64 * 64);
        assertEquals(0f, latents[0]);
        assertArrayEquals(
                new float[] {0.35716259479522705f, -0.8959469795227051f, 0.27103424072265625f, 0f},
                java.util.Arrays.copyOfRange(latents, latents.length - 4, latents.length));
        assertEquals((float) 0.4967141530112327, latents[1]);
    }

    @Test
    void largestSeed() {
        // RandomState(2**32 - 1).randn(2)
        NumpyRandom random = new NumpyRandom(4294967295L);
        assertEquals(0.6484086742306527, random.nextGaussian());
        assertEquals(0.6693235306338161, random.nextGaussian());
    }

    @Test
    void seedsOutsideNumpysRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(-1));
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(1L << 32));
    }

    @Test
    void fillChecksBounds() {
        assertThrows(IndexOutOfBoundsException.class, () -> new NumpyRandom(0).fill(new float[4], 2, 3));
    }
}
