package dev.sdfleet.pipeline.stage;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.runtime.FloatTensorBuffer;
import dev.sdfleet.pipeline.runtime.IncompatibleModelException;
import dev.sdfleet.pipeline.runtime.LoadedSession;
import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import dev.sdfleet.pipeline.runtime.TimestepTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The denoising UNet: predicts noise (or v) for a batch of latents at one timestep, conditioned on text embeddings
 * (and, for SDXL, pooled text embeddings and size/crop time ids).
 *
 * <p>The input contract is checked once, at load: names, element types, the timestep's rank. Per-shape buffers live
 * in {@link Buffers}, allocated once per generation shape and reused on every step.
 */
public final class UNet implements AutoCloseable {
    private final LoadedSession session;
    private final TensorSpec sample;
    private final TensorSpec timestep;
    private final TensorSpec context;
    private final TensorSpec textEmbeds; // SDXL only
    private final TensorSpec timeIds; // SDXL only
    private final int latentChannels;
    private final int inputChannels;
    private final int contextDim;
    private static final Set<String> NO_OUTPUTS = Set.of();
    private Buffers cached;

    public UNet(LoadedSession session) {
        this.session = session;
        this.sample = session.requireInput("sample");
        this.timestep = session.requireInput("timestep");
        this.context = session.requireInput("encoder_hidden_states");
        this.textEmbeds = session.inputs().get("text_embeds");
        this.timeIds = session.inputs().get("time_ids");
        TensorSpec out = session.requireOutput("out_sample");
        if (sample.rank() != 4 || context.rank() != 3) {
            throw new IncompatibleModelException(
                    "unet expects sample [B,C,H,W] and encoder_hidden_states [B,S,D], the graph declares " + sample
                            + " and " + context);
        }
        if ((textEmbeds == null) != (timeIds == null)) {
            throw new IncompatibleModelException("unet declares only one of text_embeds / time_ids: "
                    + session.inputs().keySet());
        }
        // Channels the graph declares; a dynamic axis means SD's 4 (an inpainting export declares its 9).
        this.inputChannels = sample.dim(1) > 0 ? (int) sample.dim(1) : DEFAULT_LATENT_CHANNELS;
        this.latentChannels = out.rank() == 4 && out.dim(1) > 0 ? (int) out.dim(1) : DEFAULT_LATENT_CHANNELS;
        if (inputChannels != latentChannels && inputChannels != inpaintingInputChannels(latentChannels)) {
            throw new IncompatibleModelException("unet takes " + inputChannels + " sample channels and predicts "
                    + latentChannels + ": neither an ordinary (equal) nor an inpainting UNet (2 x "
                    + latentChannels + " + 1)");
        }
        this.contextDim = (int) context.dim(2);
    }

    /** SD's latent channels, for a graph that leaves the channel axis dynamic. */
    public static final int DEFAULT_LATENT_CHANNELS = 4;

    /** An inpainting UNet's sample channels: latents, the mask, the masked image's latents. */
    static int inpaintingInputChannels(int latentChannels) {
        return 2 * latentChannels + 1;
    }

    /**
     * True for an inpainting UNet (diffusers' {@code StableDiffusionInpaintPipeline}): its sample is
     * {@code cat([latents, mask, masked_image_latents], dim=1)}, 4 + 1 + 4 = 9 channels for SD.
     */
    public boolean takesInpaintingChannels() {
        return inputChannels != latentChannels;
    }

    /** Channels of the sample input: {@link #latentChannels()}, or 9 for an inpainting UNet. */
    public int inputChannels() {
        return inputChannels;
    }

    /** True for an SDXL UNet (it takes text_embeds and time_ids). */
    public boolean takesAddedConditions() {
        return textEmbeds != null;
    }

    public int latentChannels() {
        return latentChannels;
    }

    /** The cross-attention width the graph declares, or -1 when dynamic. */
    public int contextDim() {
        return contextDim;
    }

    /** The width of {@code time_ids} (6 for SDXL base, 5 for a refiner), or 0 when absent. */
    public int timeIdsWidth() {
        return timeIds == null ? 0 : (int) timeIds.dim(1);
    }

    /**
     * The loop's tensors for one generation shape: allocated on first use of a shape and kept for the next
     * generation of the same shape (a worker serves the same size over and over). Owned by this stage: do not close.
     *
     * @param batch UNet batch (twice the image count under classifier-free guidance)
     * @param textEmbedsDim SDXL pooled embedding width (ignored otherwise)
     * @param runs ORT runs per prediction, each over an equal share of the batch's rows (2 under guidance: the
     *     unconditional and the conditional half separately, which halves the activations' memory)
     */
    public Buffers buffersFor(
            int batch,
            int latentHeight,
            int latentWidth,
            int contextLength,
            int contextWidth,
            int textEmbedsDim,
            int runs) {
        if (runs < 1 || batch % runs != 0) {
            throw new IllegalArgumentException("a batch of " + batch + " does not split into " + runs + " runs");
        }
        if (contextDim > 0 && contextWidth != contextDim) {
            throw new IncompatibleModelException("the text encoders give " + contextWidth
                    + "-wide embeddings but the unet's encoder_hidden_states is " + context);
        }
        long[] shape = {batch, latentHeight, latentWidth, contextLength, contextWidth, textEmbedsDim, runs};
        if (cached == null || !java.util.Arrays.equals(cached.shapeKey, shape)) {
            if (cached != null) {
                cached.close();
            }
            cached = new Buffers(shape);
        }
        return cached;
    }

    /**
     * One UNet evaluation into {@code buffers.output}.
     *
     * @param runOptions carries cancellation (setTerminate)
     * @param lastOfGeneration the generation's last evaluation: its last run hands the arena back when the settings
     *     shrink arenas (the VAE decoder comes next), so {@code runOptions} must not be used for another run after it
     */
    public void predict(
            Buffers buffers, float t, OrtSession.RunOptions runOptions, boolean lastOfGeneration, OrtClock clock) {
        buffers.timestep.set(t);
        long start = System.nanoTime();
        int runs = buffers.runInputs.size();
        for (int run = 0; run < runs; run++) {
            if (lastOfGeneration && run == runs - 1) {
                session.shrinkArenaAfter(runOptions);
            }
            try (OrtSession.Result ignored = session.session()
                    .run(buffers.runInputs.get(run), NO_OUTPUTS, buffers.runOutputs.get(run), runOptions)) {
                // Results land in the pinned output tensors; nothing to read from the Result.
            } catch (OrtException e) {
                throw new OrtRunException("unet", e);
            }
        }
        clock.add(System.nanoTime() - start);
    }

    @Override
    public void close() {
        if (cached != null) {
            cached.close();
        }
        session.close();
    }

    /** The tensors of one generation shape: inputs written in place each step, the output pinned. */
    public final class Buffers {
        final long[] shapeKey;
        public final FloatTensorBuffer sample;
        public final FloatTensorBuffer context;
        public final FloatTensorBuffer textEmbeds;
        public final FloatTensorBuffer timeIds;
        public final FloatTensorBuffer output;
        final TimestepTensor timestep;
        final Map<String, OnnxTensor> inputs = new HashMap<>();
        final Map<String, OnnxTensor> outputs = new HashMap<>();
        /** What each ORT run reads and writes: the whole batch, or views of its rows when it runs in parts. */
        final List<Map<String, OnnxTensor>> runInputs = new ArrayList<>();

        final List<Map<String, OnnxTensor>> runOutputs = new ArrayList<>();
        private final List<OnnxTensor> views = new ArrayList<>();

        Buffers(long[] shapeKey) {
            this.shapeKey = shapeKey;
            int batch = (int) shapeKey[0];
            int h = (int) shapeKey[1];
            int w = (int) shapeKey[2];
            int contextLength = (int) shapeKey[3];
            int contextWidth = (int) shapeKey[4];
            int textEmbedsDim = (int) shapeKey[5];
            sample = new FloatTensorBuffer(UNet.this.sample.type(), batch, inputChannels, h, w);
            context = new FloatTensorBuffer(UNet.this.context.type(), batch, contextLength, contextWidth);
            timestep = new TimestepTensor(UNet.this.timestep);
            output = new FloatTensorBuffer(UNet.this.sample.type(), batch, latentChannels, h, w);
            inputs.put("sample", sample.tensor());
            inputs.put("timestep", timestep.tensor());
            inputs.put("encoder_hidden_states", context.tensor());
            if (UNet.this.textEmbeds != null) {
                textEmbeds = new FloatTensorBuffer(UNet.this.textEmbeds.type(), batch, textEmbedsDim);
                timeIds = new FloatTensorBuffer(UNet.this.timeIds.type(), batch, timeIdsWidth());
                inputs.put("text_embeds", textEmbeds.tensor());
                inputs.put("time_ids", timeIds.tensor());
            } else {
                textEmbeds = null;
                timeIds = null;
            }
            outputs.put("out_sample", output.tensor());
            int runs = (int) shapeKey[6];
            if (runs == 1) {
                runInputs.add(inputs);
                runOutputs.add(outputs);
                return;
            }
            int rows = batch / runs;
            for (int run = 0; run < runs; run++) {
                int first = run * rows;
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("sample", view(sample, first, rows));
                in.put("timestep", timestep.tensor()); // one timestep for every row
                in.put("encoder_hidden_states", view(context, first, rows));
                if (textEmbeds != null) {
                    in.put("text_embeds", view(textEmbeds, first, rows));
                    in.put("time_ids", view(timeIds, first, rows));
                }
                runInputs.add(in);
                runOutputs.add(Map.of("out_sample", view(output, first, rows)));
            }
        }

        private OnnxTensor view(FloatTensorBuffer buffer, int first, int rows) {
            OnnxTensor view = buffer.rows(first, rows);
            views.add(view);
            return view;
        }

        void close() {
            views.forEach(OnnxTensor::close);
            sample.close();
            context.close();
            timestep.close();
            output.close();
            if (textEmbeds != null) {
                textEmbeds.close();
                timeIds.close();
            }
        }
    }
}
