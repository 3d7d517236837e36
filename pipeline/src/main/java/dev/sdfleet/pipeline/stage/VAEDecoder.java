package dev.sdfleet.pipeline.stage;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.runtime.FloatTensorBuffer;
import dev.sdfleet.pipeline.runtime.LoadedSession;
import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import java.util.Map;
import java.util.Set;

/**
 * The VAE decoder: latents (divided by the scaling factor) to pixels in [-1, 1], NCHW.
 *
 * <p>Decodes one image at a time, as diffusers' ONNX pipeline does (fp16 decoders misbehave with batch > 1). The
 * tensors and the pixel array for the last shape are kept and reused: at 512x512 a fresh 3 MB pixel array per image
 * cost about 9 ms of the inference thread (a humongous G1 allocation; {@code bench pipeline}, 2026-12-06).
 */
public final class VAEDecoder implements AutoCloseable {
    private final LoadedSession session;
    private final TensorSpec input;
    private final int latentChannels;
    private ShapeBuffers buffers;

    public VAEDecoder(LoadedSession session) {
        this.session = session;
        this.input = session.requireInput("latent_sample");
        session.requireOutput("sample");
        this.latentChannels = input.dim(1) > 0 ? (int) input.dim(1) : 4;
    }

    /**
     * Decodes latents {@code [offset, offset + C*h*w)} of {@code latents}.
     *
     * @param scalingFactor the VAE's latent scaling factor (0.18215 for SD 1.x)
     * @return the pixels, 3*8h*8w floats (CHW): this stage's own array, overwritten by the next call
     */
    public float[] decode(
            float[] latents, int offset, int latentHeight, int latentWidth, float scalingFactor, OrtClock clock) {
        ShapeBuffers b = buffersFor(latentHeight, latentWidth);
        int n = b.latent.size();
        float inverse = 1.0f / scalingFactor;
        for (int i = 0; i < n; i++) {
            b.scaled[i] = latents[offset + i] * inverse;
        }
        b.latent.write(b.scaled, 0);
        long start = System.nanoTime();
        try (OrtSession.Result ignored = session.session()
                .run(
                        Map.of("latent_sample", b.latent.tensor()),
                        Set.of(),
                        Map.of("sample", b.pixels.tensor()),
                        session.onceOptions())) {
            clock.add(System.nanoTime() - start);
        } catch (OrtException e) {
            throw new OrtRunException("vae_decoder", e);
        }
        b.pixels.read(b.decoded, 0);
        return b.decoded;
    }

    private ShapeBuffers buffersFor(int h, int w) {
        if (buffers == null || buffers.h != h || buffers.w != w) {
            if (buffers != null) {
                buffers.close();
            }
            buffers = new ShapeBuffers(h, w);
        }
        return buffers;
    }

    @Override
    public void close() {
        if (buffers != null) {
            buffers.close();
        }
        session.close();
    }

    private final class ShapeBuffers implements AutoCloseable {
        final int h;
        final int w;
        final FloatTensorBuffer latent;
        final FloatTensorBuffer pixels;
        final float[] scaled;
        final float[] decoded;

        ShapeBuffers(int h, int w) {
            this.h = h;
            this.w = w;
            latent = new FloatTensorBuffer(input.type(), 1, latentChannels, h, w);
            pixels = new FloatTensorBuffer(input.type(), 1, 3, 8L * h, 8L * w);
            scaled = new float[latent.size()];
            decoded = new float[pixels.size()];
        }

        @Override
        public void close() {
            latent.close();
            pixels.close();
        }
    }
}
