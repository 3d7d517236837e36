package dev.sdfleet.cli;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.pipeline.GenerationResult;
import dev.sdfleet.pipeline.InitImage;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.ProgressListener;
import dev.sdfleet.pipeline.image.PngDecoder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sdfleet generate}: prompts to PNG files on this machine, no fleet involved. */
@Command(name = "generate", sortOptions = false, description = "Text to PNG on the local pipeline (no Kafka, no S3).")
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "one or more prompts")
    List<String> prompts;

    @Option(names = "--out", paramLabel = "DIR", description = "where the PNGs go (default: ./out)")
    Path outDir = Path.of("out");

    @Option(names = "--negative", paramLabel = "TEXT", description = "negative prompt")
    String negative = "";

    @Option(names = "--n", paramLabel = "N", description = "images per prompt (default 1)")
    int n = 1;

    @Option(
            names = "--width",
            paramLabel = "W",
            description = "pixels, a multiple of 8 (default: 64 for the tiny model, else 512)")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "pixels, a multiple of 8 (default as --width)")
    Integer height;

    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default 20)")
    int steps = 20;

    @Option(names = "--guidance", paramLabel = "G", description = "classifier-free guidance scale (default 7.5)")
    double guidance = 7.5;

    @Option(names = "--guidance-rescale", paramLabel = "R", description = "0..1 (default 0)")
    double guidanceRescale;

    @Option(
            names = "--scheduler",
            paramLabel = "NAME",
            description = "pndm, ddim, euler, euler_a, lms, dpmpp_2m, dpmpp_2m_karras (default: the model's)")
    String scheduler;

    @Option(names = "--eta", paramLabel = "E", description = "DDIM eta (default 0)")
    double eta;

    @Option(names = "--seed", paramLabel = "S", description = "first seed; image i gets S+i (default: random)")
    Long seed;

    @Option(names = "--init-image", paramLabel = "PNG", description = "img2img start image (same size as the output)")
    Path initImage;

    @Option(names = "--strength", paramLabel = "S", description = "img2img strength in (0, 1] (default 0.8)")
    double strength = 0.8;

    @Mixin
    PipelineOptions pipelineOptions;

    @Override
    public Integer call() {
        PrintStream out = main.out;
        PrintStream err = main.err;
        Path model = pipelineOptions.model();
        int defaultSide = model.getFileName().toString().startsWith("tiny-") ? 64 : 512;
        var builder = PipelineRequest.builder(prompts.toArray(String[]::new))
                .negativePrompt(negative)
                .imagesPerPrompt(n)
                .size(width != null ? width : defaultSide, height != null ? height : defaultSide)
                .steps(steps)
                .guidance(guidance)
                .guidanceRescale(guidanceRescale)
                .scheduler(scheduler)
                .eta(eta);
        if (seed != null) {
            builder.seed(seed);
        }
        if (initImage != null) {
            builder.initImage(new InitImage(PngDecoder.decode(read(initImage)), strength));
        }
        PipelineRequest request = builder.build();
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(model, pipelineOptions.runtime())) {
            ProgressListener progress = System.console() != null ? new ProgressBar(err) : ProgressListener.NONE;
            GenerationResult result = pipeline.generate(request, progress, dev.sdfleet.pipeline.Cancellation.none());
            result.warnings().forEach(w -> err.println("warning: " + w));
            Files.createDirectories(outDir);
            for (GeneratedImage image : result.images()) {
                Path file = outDir.resolve(slug(image.prompt()) + "-" + image.seed() + ".png");
                Files.write(file, image.png());
                out.println(file);
            }
            var t = result.timings();
            err.printf(
                    Locale.ROOT,
                    "%d image(s) in %.0f ms (text %.0f, denoise %.0f over %d UNet calls, decode %.0f,"
                            + " png %.0f; %.1f%% outside ONNX Runtime), scheduler %s%n",
                    result.images().size(),
                    t.totalNanos() / 1e6,
                    t.textNanos() / 1e6,
                    t.denoiseNanos() / 1e6,
                    t.unetCalls(),
                    t.decodeNanos() / 1e6,
                    t.pngNanos() / 1e6,
                    100 * t.outsideOrtShare(),
                    result.scheduler());
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file-name-safe prefix of the prompt. */
    static String slug(String prompt) {
        String s = prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        s = s.length() > 60 ? s.substring(0, 60) : s;
        return s.isEmpty() ? "image" : s;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
