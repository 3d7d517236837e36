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

/** {@code sdfleet generate}: prompts to PNG files on this machine, no fleet involved. */
final class GenerateCommand implements Main.Command {

    @Override
    public String help() {
        return """
                usage: sdfleet generate [options] PROMPT...
                  --out DIR             where the PNGs go (default: ./out)
                  --negative TEXT       negative prompt
                  --n N                 images per prompt (default 1)
                  --width W --height H  pixels, multiples of 8 (default: 64x64 for the tiny model, else 512x512)
                  --steps N             denoising steps (default 20)
                  --guidance G          classifier-free guidance scale (default 7.5)
                  --guidance-rescale R  0..1 (default 0)
                  --scheduler NAME      pndm, ddim, euler, euler_a, lms, dpmpp_2m, dpmpp_2m_karras (default: the model's)
                  --eta E               DDIM eta (default 0)
                  --seed S              first seed; image i gets S+i (default: random)
                  --init-image PNG      img2img start image (same size as the output)
                  --strength S          img2img strength in (0, 1] (default 0.8)
                """ + PipelineOptions.HELP;
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv,
                PipelineOptions.valued(
                        "out",
                        "negative",
                        "n",
                        "width",
                        "height",
                        "steps",
                        "guidance",
                        "guidance-rescale",
                        "scheduler",
                        "eta",
                        "seed",
                        "init-image",
                        "strength"),
                PipelineOptions.flags());
        if (args.positional().isEmpty()) {
            throw new Args.UsageException("give at least one prompt");
        }
        Path model = PipelineOptions.model(args);
        int defaultSide = model.getFileName().toString().startsWith("tiny-") ? 64 : 512;
        var builder = PipelineRequest.builder(args.positional().toArray(String[]::new))
                .negativePrompt(args.get("negative", ""))
                .imagesPerPrompt(args.getInt("n", 1))
                .size(args.getInt("width", defaultSide), args.getInt("height", defaultSide))
                .steps(args.getInt("steps", 20))
                .guidance(args.getDouble("guidance", 7.5))
                .guidanceRescale(args.getDouble("guidance-rescale", 0))
                .scheduler(args.get("scheduler", null))
                .eta(args.getDouble("eta", 0));
        if (args.has("seed")) {
            builder.seed(args.getLong("seed", 0));
        }
        if (args.has("init-image")) {
            builder.initImage(new InitImage(
                    PngDecoder.decode(read(Path.of(args.get("init-image", "")))), args.getDouble("strength", 0.8)));
        }
        PipelineRequest request = builder.build();
        Path outDir = Path.of(args.get("out", "out"));
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(model, PipelineOptions.runtime(args))) {
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
