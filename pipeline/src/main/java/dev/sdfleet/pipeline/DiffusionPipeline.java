package dev.sdfleet.pipeline;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.image.DecodedPixels;
import dev.sdfleet.pipeline.image.GenerationParameters;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.model.ModelFamily;
import dev.sdfleet.pipeline.model.ModelFolder;
import dev.sdfleet.pipeline.noise.NoiseSource;
import dev.sdfleet.pipeline.noise.NumpyRandom;
import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.IncompatibleModelException;
import dev.sdfleet.pipeline.runtime.LoadedSession;
import dev.sdfleet.pipeline.runtime.OrtClock;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.runtime.SessionFactory;
import dev.sdfleet.pipeline.runtime.SessionLoader;
import dev.sdfleet.pipeline.runtime.TensorRtProfiles;
import dev.sdfleet.pipeline.scheduler.Scheduler;
import dev.sdfleet.pipeline.scheduler.SchedulerConfig;
import dev.sdfleet.pipeline.scheduler.SchedulerKind;
import dev.sdfleet.pipeline.scheduler.Schedulers;
import dev.sdfleet.pipeline.stage.OrtRunException;
import dev.sdfleet.pipeline.stage.TextEmbedder;
import dev.sdfleet.pipeline.stage.UNet;
import dev.sdfleet.pipeline.stage.VAEDecoder;
import dev.sdfleet.pipeline.stage.VAEEncoder;
import dev.sdfleet.pipeline.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text (and optionally an image) in, PNG images out: tokenizer, text encoder(s), scheduler-driven UNet loop with
 * classifier-free guidance, VAE decoder. Mirrors diffusers' ONNX Stable Diffusion pipelines, seed for seed.
 *
 * <p>An init image turns it into img2img, an init image with a mask into inpainting, done the way the model allows
 * (see {@link Inpainting}): an inpainting UNet (9 input channels, detected from the graph) gets the mask and the
 * masked image every step; an ordinary UNet has its kept latents replaced by the re-noised init latents after
 * every step. Nothing is pasted back after decoding, so kept pixels differ from the init image by what the VAE
 * changes (its reconstruction error, and the decoder's reach across the mask's edge).
 *
 * <p>One generation runs at a time per instance (calls are serialised); the sessions are loaded once and shared.
 * Loop tensors are allocated once per generation shape, and the step loop itself allocates nothing.
 */
public final class DiffusionPipeline implements AutoCloseable {
    private final ModelFolder folder;
    private final SchedulerConfig schedulerConfig;
    private final List<TextEmbedder> encoders;
    private final UNet unet;
    private final VAEDecoder decoder;
    private final VAEEncoder encoder; // null when the export has none
    private final List<LoadedSession> sessions;
    /** Images per UNet call at most ({@link RuntimeSettings#maxImagesPerCall}): more run as several calls. */
    private final int maxImagesPerCall;
    /** Guidance's two halves as two ORT runs ({@link RuntimeSettings#splitGuidance}). */
    private final boolean splitGuidance;

    private DiffusionPipeline(
            ModelFolder folder,
            SchedulerConfig schedulerConfig,
            List<TextEmbedder> encoders,
            UNet unet,
            VAEDecoder decoder,
            VAEEncoder encoder,
            List<LoadedSession> sessions,
            int maxImagesPerCall,
            boolean splitGuidance) {
        this.maxImagesPerCall = maxImagesPerCall;
        this.splitGuidance = splitGuidance;
        this.folder = folder;
        this.schedulerConfig = schedulerConfig;
        this.encoders = encoders;
        this.unet = unet;
        this.decoder = decoder;
        this.encoder = encoder;
        this.sessions = sessions;
    }

    /**
     * Loads a model folder: checks that every component is there and fits, and opens its sessions with the configured
     * providers. Whatever was opened is closed again when loading fails.
     */
    public static DiffusionPipeline load(Path modelDir, RuntimeSettings settings) {
        ModelFolder folder = ModelFolder.open(modelDir);
        SchedulerConfig schedulerConfig = SchedulerConfig.fromJson(folder.schedulerConfig());
        SessionFactory factory = new SessionFactory(settings);
        var trt = settings.tensorRt();
        TensorRtProfiles.Geometry geometry = folder.geometry();
        boolean xl = folder.family() == ModelFamily.SDXL;
        int images = settings.maxImagesPerCall();
        try (SessionLoader loader = new SessionLoader(factory, loadThreads(settings))) {
            // Every component starts loading at once; the checks below wait for the ones they need.
            var textEncoder = loader.open("text_encoder", folder.textEncoder(), TensorRtProfiles.textEncoder(images));
            var textEncoder2 = xl
                    ? loader.open("text_encoder_2", folder.textEncoder2(), TensorRtProfiles.textEncoder(images))
                    : null;
            var unetSession = loader.open("unet", folder.unet(), TensorRtProfiles.unet(trt, images, geometry));
            var vaeDecoder =
                    loader.open("vae_decoder", folder.vaeDecoder(), TensorRtProfiles.vaeDecoder(trt, geometry));
            var vaeEncoder = folder.vaeEncoder() == null
                    ? null
                    : loader.open("vae_encoder", folder.vaeEncoder(), TensorRtProfiles.Profile.NONE);

            List<TextEmbedder> encoders = new ArrayList<>();
            encoders.add(
                    new TextEmbedder(SessionLoader.get(textEncoder), ClipTokenizer.load(folder.tokenizer()), xl, null));
            if (xl) {
                encoders.add(new TextEmbedder(
                        SessionLoader.get(textEncoder2), ClipTokenizer.load(folder.tokenizer2()), true, "text_embeds"));
            }
            UNet unet = new UNet(SessionLoader.get(unetSession));
            if (unet.takesInpaintingChannels() && vaeEncoder == null) {
                throw new IncompatibleModelException("the unet is an inpainting UNet (" + unet.inputChannels()
                        + " input channels) but there is" + " no vae_encoder for the masked image");
            }
            if (xl != unet.takesAddedConditions()) {
                throw new IncompatibleModelException(
                        xl
                                ? "SDXL model (text_encoder_2 present) but the unet takes no text_embeds/time_ids"
                                : "the unet takes text_embeds/time_ids (SDXL) but there is no text_encoder_2");
            }
            int textWidth = encoders.stream().mapToInt(TextEmbedder::hiddenDim).sum();
            boolean known = unet.contextDim() > 0 && encoders.stream().allMatch(e -> e.hiddenDim() > 0);
            if (known && textWidth != unet.contextDim()) {
                throw new IncompatibleModelException("the text encoder(s) give " + textWidth
                        + "-wide embeddings but the unet's encoder_hidden_states expects " + unet.contextDim());
            }
            VAEDecoder decoder = new VAEDecoder(SessionLoader.get(vaeDecoder));
            VAEEncoder encoder = vaeEncoder == null ? null : new VAEEncoder(SessionLoader.get(vaeEncoder));
            return new DiffusionPipeline(
                    folder,
                    schedulerConfig,
                    List.copyOf(encoders),
                    unet,
                    decoder,
                    encoder,
                    List.copyOf(loader.keep()),
                    settings.maxImagesPerCall(),
                    settings.splitGuidance());
        }
    }

    /**
     * Sessions built at once: one per core on the CPU. TensorRT builds its engines one at a time: each build times
     * kernels on the GPU and takes much of its memory, and builds side by side would disturb both.
     */
    private static int loadThreads(RuntimeSettings settings) {
        if (settings.providers().getFirst() == ExecutionProvider.TENSORRT) {
            return 1;
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public ModelFolder folder() {
        return folder;
    }

    /** The model's own scheduler configuration. */
    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** Family, components, providers and signatures. */
    public PipelineInfo info() {
        List<PipelineInfo.Component> components = sessions.stream()
                .map(s -> new PipelineInfo.Component(
                        s.component(),
                        folder.root().relativize(s.file()).toString(),
                        s.provider().id(),
                        List.copyOf(s.inputs().values()),
                        List.copyOf(s.outputs().values())))
                .toList();
        return new PipelineInfo(
                folder.name(),
                folder.family(),
                schedulerConfig.className(),
                schedulerConfig.predictionType().id(),
                folder.vaeScalingFactor(),
                components);
    }

    /** {@link #generate(PipelineRequest, ProgressListener, Cancellation)} without progress or cancellation. */
    public GenerationResult generate(PipelineRequest request) {
        return generate(request, ProgressListener.NONE, Cancellation.none());
    }

    /**
     * Runs one request, its PNGs encoded in the call ({@link PngEncoding#IN_CALL}).
     *
     * @throws InvalidRequestException for a request this model cannot serve (unknown scheduler, img2img without a
     *     VAE encoder, too many steps for the schedule)
     * @throws GenerationCancelledException when cancelled
     * @throws OrtRunException when ORT fails
     */
    public GenerationResult generate(PipelineRequest request, ProgressListener progress, Cancellation cancellation) {
        return generate(request, progress, cancellation, PngEncoding.IN_CALL);
    }

    /**
     * Runs one request, encoding its PNGs in the call or leaving them to the caller ({@link PngEncoding}).
     *
     * @throws InvalidRequestException for a request this model cannot serve (unknown scheduler, img2img without a
     *     VAE encoder, too many steps for the schedule)
     * @throws GenerationCancelledException when cancelled
     * @throws OrtRunException when ORT fails
     */
    public synchronized GenerationResult generate(
            PipelineRequest request, ProgressListener progress, Cancellation cancellation, PngEncoding encoding) {
        int images = request.imageCount();
        if (images <= maxImagesPerCall) {
            return generateTogether(request, progress, cancellation, encoding);
        }
        // More images than one UNet call may take: consecutive slices, each image still made from its own seed, so
        // the images are those of any other split. Progress counts over the whole request.
        int parts = (images + maxImagesPerCall - 1) / maxImagesPerCall;
        List<GeneratedImage> out = new ArrayList<>(images);
        List<String> warnings = new ArrayList<>();
        StageTimings timings = null;
        String scheduler = null;
        for (int part = 0; part < parts; part++) {
            int from = part * maxImagesPerCall;
            int before = part;
            GenerationResult slice = generateTogether(
                    request.slice(from, Math.min(images, from + maxImagesPerCall)),
                    (step, total) -> progress.onStep(before * total + step, parts * total),
                    cancellation,
                    encoding);
            slice.images().forEach(i -> out.add(i.withIndex(from + i.index())));
            slice.warnings().stream().filter(w -> !warnings.contains(w)).forEach(warnings::add);
            timings = timings == null ? slice.timings() : timings.plus(slice.timings());
            scheduler = slice.scheduler();
        }
        return new GenerationResult(out, timings, warnings, scheduler);
    }

    /** One request in one UNet batch (twice its images with guidance). */
    private GenerationResult generateTogether(
            PipelineRequest request, ProgressListener progress, Cancellation cancellation, PngEncoding encoding) {
        long start = System.nanoTime();
        OrtClock clock = new OrtClock();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : modelSchedulerKind();
        Scheduler scheduler = newScheduler(kind, request);
        if (request.initImage() != null && encoder == null) {
            throw new InvalidRequestException(
                    "init_image", "model " + folder.name() + " has no vae_encoder for img2img");
        }

        PromptConditioning conditioning = PromptConditioning.build(
                request, encoders, folder.forceZerosForEmptyPrompt() && folder.family() == ModelFamily.SDXL, clock);
        long textDone = System.nanoTime();

        int images = request.imageCount();
        int latentH = request.height() / 8;
        int latentW = request.width() / 8;
        int perImage = unet.latentChannels() * latentH * latentW;
        float[] latents = new float[images * perImage];
        NumpyRandom[] generators = new NumpyRandom[images];
        for (int i = 0; i < images; i++) {
            generators[i] = new NumpyRandom(request.seeds().get(i));
            generators[i].fill(latents, i * perImage, perImage);
        }
        NoiseSource stepNoise = perImageNoise(generators, perImage);
        InitImage init = request.initImage();
        Inpainting inpainting = null;
        int firstStep;
        if (init == null) {
            firstStep = startFromNoise(scheduler, latents);
            if (unet.takesInpaintingChannels()) {
                // Text-to-image on an inpainting model: everything is the hole, the masked image all mid grey.
                inpainting = forInpaintingUnet(
                        InpaintMask.everything(request.width(), request.height()),
                        new float[3 * request.width() * request.height()],
                        request,
                        clock);
            }
        } else {
            float[] initLatents = initLatents(request, perImage, clock);
            boolean inpaints = init.inpaints() || unet.takesInpaintingChannels();
            float[] noise = init.inpaints() && !unet.takesInpaintingChannels() ? latents.clone() : null;
            // diffusers' inpainting starts from pure noise at full strength; img2img noises the image even then.
            firstStep = inpaints && init.strength() >= 1.0
                    ? startFromNoise(scheduler, latents)
                    : startFromImage(request, scheduler, latents, initLatents);
            if (unet.takesInpaintingChannels()) {
                InpaintMask mask =
                        init.inpaints() ? init.mask() : InpaintMask.everything(request.width(), request.height());
                inpainting = forInpaintingUnet(mask, mask.maskedPixels(init.image()), request, clock);
            } else if (init.inpaints()) {
                inpainting = Inpainting.forBlending(
                        unet.latentChannels(), init.mask().latent(), initLatents, noise);
            }
        }

        denoise(
                new DenoisingPlan(request, scheduler, conditioning, firstStep, stepNoise, inpainting),
                latents,
                new CallHooks(progress, cancellation, clock));
        long denoiseDone = System.nanoTime();

        List<GeneratedImage> out = new ArrayList<>(images);
        long pngNanos = 0;
        for (int i = 0; i < images; i++) {
            float[] pixels = decoder.decode(latents, i * perImage, latentH, latentW, folder.vaeScalingFactor(), clock);
            long pngStart = System.nanoTime();
            RgbImage image = DecodedPixels.toImage(pixels, 0, request.width(), request.height());
            GenerationParameters parameters = new GenerationParameters(
                    request.promptOf(i),
                    request.negativePrompt(),
                    request.seeds().get(i),
                    request.steps(),
                    kind.id(),
                    request.guidanceScale(),
                    request.width(),
                    request.height(),
                    folder.name());
            GeneratedImage generated = GeneratedImage.unencoded(
                    i, request.promptOf(i), request.seeds().get(i), image, parameters.asTextChunks());
            if (encoding == PngEncoding.IN_CALL) {
                generated.png();
                pngNanos += System.nanoTime() - pngStart;
            }
            out.add(generated);
        }
        long end = System.nanoTime();
        StageTimings timings = new StageTimings(
                textDone - start,
                denoiseDone - textDone,
                end - denoiseDone - pngNanos,
                pngNanos,
                end - start,
                clock.ortNanos(),
                scheduler.timesteps().length - firstStep);
        return new GenerationResult(out, timings, conditioning.warnings, kind.id());
    }

    /** The kind of the model's own scheduler, for a request that names none. */
    private SchedulerKind modelSchedulerKind() {
        try {
            return SchedulerKind.parse(schedulerConfig.className());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(
                    "scheduler", "the model's scheduler is not supported; name one: " + e.getMessage());
        }
    }

    /**
     * A fresh scheduler for one generation, configured from the model's scheduler_config.json the way diffusers'
     * {@code from_config} switches classes.
     */
    private Scheduler newScheduler(SchedulerKind kind, PipelineRequest request) {
        try {
            return Schedulers.create(kind, schedulerConfig, request.steps(), request.eta());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("steps", e.getMessage());
        }
    }

    /** Text-to-image: pure noise scaled by the scheduler's initial sigma; the loop starts at step 0. */
    private static int startFromNoise(Scheduler scheduler, float[] latents) {
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < latents.length; i++) {
            latents[i] *= sigma;
        }
        return 0;
    }

    /** The init image's latents, scaled, once per image: {@code images * C*h*w}. */
    private float[] initLatents(PipelineRequest request, int perImage, OrtClock clock) {
        float[] encoded = encoder.encode(request.initImage().image(), unet.latentChannels(), clock);
        float scaling = folder.vaeScalingFactor();
        float[] init = new float[request.imageCount() * perImage];
        for (int i = 0; i < request.imageCount(); i++) {
            for (int j = 0; j < perImage; j++) {
                init[i * perImage + j] = encoded[j] * scaling;
            }
        }
        return init;
    }

    /** An inpainting UNet's extra inputs: the latent mask and the masked image's scaled latents. */
    private Inpainting forInpaintingUnet(
            InpaintMask mask, float[] maskedPixels, PipelineRequest request, OrtClock clock) {
        float[] masked = encoder.encode(maskedPixels, request.height(), request.width(), unet.latentChannels(), clock);
        float scaling = folder.vaeScalingFactor();
        for (int i = 0; i < masked.length; i++) {
            masked[i] *= scaling;
        }
        return Inpainting.forInpaintingUnet(unet.latentChannels(), mask.latent(), masked);
    }

    /**
     * img2img: noise the image's latents to the schedule point that {@code strength} selects and start there
     * (diffusers' PyTorch img2img indexing: {@code init = min(int(N*strength), N)}, start at {@code N - init}).
     * {@code latents} holds the drawn noise and is overwritten with the start.
     */
    private static int startFromImage(
            PipelineRequest request, Scheduler scheduler, float[] latents, float[] initLatents) {
        int n = request.steps();
        int initSteps = Math.min((int) (n * request.initImage().strength()), n);
        int first = Math.max(n - initSteps, 0) * scheduler.order();
        if (first >= scheduler.timesteps().length) {
            throw new InvalidRequestException("strength", "is too small: no denoising step would run");
        }
        float[] noised = new float[latents.length];
        scheduler.addNoise(initLatents, latents, first, noised);
        System.arraycopy(noised, 0, latents, 0, latents.length);
        return first;
    }

    /** Runs the UNet loop of {@code plan} over {@code latents}, in place. */
    private void denoise(DenoisingPlan plan, float[] latents, CallHooks hooks) {
        PipelineRequest request = plan.request();
        Scheduler scheduler = plan.scheduler();
        PromptConditioning conditioning = plan.conditioning();
        int firstStep = plan.firstStep();
        Cancellation cancellation = hooks.cancellation();
        int images = request.imageCount();
        boolean guided = request.usesGuidance();
        int batch = guided ? 2 * images : images;
        int n = latents.length;
        int latentH = request.height() / 8;
        int latentW = request.width() / 8;
        float[] timesteps = scheduler.timesteps();
        UNet.Buffers buffers = unet.buffersFor(
                batch,
                latentH,
                latentW,
                conditioning.context.length / (batch * conditioning.dim),
                conditioning.dim,
                conditioning.pooledDim,
                guided && splitGuidance ? 2 : 1);
        Inpainting inpainting = plan.inpainting();
        boolean conditionedUnet = inpainting != null && inpainting.conditionsTheUnet();
        if (conditionedUnet) {
            inpainting.writeConditioning(buffers.sample, batch);
        }
        // Fresh run options per generation: a terminate flag, once set by a cancel, stays set.
        try (OrtSession.RunOptions runOptions = new OrtSession.RunOptions()) {
            buffers.context.write(conditioning.context, 0);
            if (buffers.textEmbeds != null) {
                buffers.textEmbeds.write(conditioning.pooled, 0);
                float[] ids = timeIds(request, unet.timeIdsWidth());
                for (int row = 0; row < batch; row++) {
                    buffers.timeIds.write(row * ids.length, ids, 0, ids.length);
                }
            }
            float[] modelInput = new float[batch * (n / images)];
            float[] prediction = new float[modelInput.length];
            float[] guidedPrediction = new float[n];
            float scale = (float) request.guidanceScale();
            float rescale = (float) request.guidanceRescale();
            cancellation.attach(runOptions);
            int total = timesteps.length - firstStep;
            for (int step = firstStep; step < timesteps.length; step++) {
                cancellation.throwIfCancelled();
                System.arraycopy(latents, 0, modelInput, 0, n);
                if (guided) {
                    System.arraycopy(latents, 0, modelInput, n, n);
                }
                scheduler.scaleModelInput(modelInput, step);
                if (conditionedUnet) {
                    inpainting.writeSample(buffers.sample, modelInput, batch);
                } else {
                    buffers.sample.write(modelInput, 0);
                }
                unet.predict(buffers, timesteps[step], runOptions, step == timesteps.length - 1, hooks.clock());
                buffers.output.read(prediction, 0);
                Guidance.combine(prediction, guided, scale, rescale, images, n / images, guidedPrediction);
                scheduler.step(guidedPrediction, step, latents, plan.stepNoise());
                if (inpainting != null && !conditionedUnet) {
                    inpainting.blend(latents, scheduler, step, timesteps.length);
                }
                hooks.progress().onStep(step - firstStep + 1, total);
            }
        } catch (OrtRunException e) {
            if (cancellation.isCancelled()) {
                throw new GenerationCancelledException("generation cancelled during a UNet step");
            }
            throw e;
        } catch (OrtException e) {
            throw new IllegalStateException("could not create ORT run options", e);
        } finally {
            cancellation.detach();
        }
    }

    /** SDXL's size conditioning: original size, crop top-left (0, 0), target size (= original). */
    private static float[] timeIds(PipelineRequest request, int width) {
        float h = request.height();
        float w = request.width();
        return width == 5 ? new float[] {h, w, 0, 0, 6.0f} : new float[] {h, w, 0, 0, h, w};
    }

    /** Each image draws its step noise from its own generator, so a seed means the same image in any batch. */
    private static NoiseSource perImageNoise(NumpyRandom[] generators, int perImage) {
        return (target, offset, length) -> {
            for (int done = 0; done < length; done += perImage) {
                int image = (offset + done) / perImage % generators.length;
                generators[image].fill(target, offset + done, Math.min(perImage, length - done));
            }
        };
    }

    /** Closes every stage, and with it every session and buffer, even when one close fails. */
    @Override
    public void close() {
        List<AutoCloseable> stages = new ArrayList<>(encoders);
        stages.add(unet);
        stages.add(decoder);
        if (encoder != null) {
            stages.add(encoder);
        }
        RuntimeException failure = null;
        for (AutoCloseable stage : stages) {
            try {
                stage.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the pipeline failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
