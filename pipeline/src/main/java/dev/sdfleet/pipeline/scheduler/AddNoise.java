package dev.sdfleet.pipeline.scheduler;

/** The two forward-noising formulas of diffusers' {@code add_noise}, in float32. */
final class AddNoise {

    private AddNoise() {}

    /** DDPM/DDIM/PNDM: {@code sqrt(ᾱ) x0 + sqrt(1 - ᾱ) noise}. */
    static void variancePreserving(float alphaCumprod, float[] original, float[] noise, float[] out) {
        checkLengths(original, noise, out);
        float sqrtAlpha = (float) Math.sqrt(alphaCumprod);
        float sqrtOneMinusAlpha = (float) Math.sqrt(1f - alphaCumprod);
        for (int i = 0; i < original.length; i++) {
            out[i] = sqrtAlpha * original[i] + sqrtOneMinusAlpha * noise[i];
        }
    }

    /** Euler/LMS (variance exploding): {@code x0 + noise * σ}. */
    static void varianceExploding(float sigma, float[] original, float[] noise, float[] out) {
        checkLengths(original, noise, out);
        for (int i = 0; i < original.length; i++) {
            out[i] = original[i] + noise[i] * sigma;
        }
    }

    static void checkLengths(float[] original, float[] noise, float[] out) {
        if (noise.length != original.length || out.length != original.length) {
            throw new IllegalArgumentException("addNoise needs arrays of one length, got " + original.length + ", "
                    + noise.length + " and " + out.length);
        }
    }
}
