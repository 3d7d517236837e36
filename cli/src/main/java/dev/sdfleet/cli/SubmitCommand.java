package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.cli.submit.ApiException;
import dev.sdfleet.cli.submit.Generation;
import dev.sdfleet.cli.submit.GenerationsApi;
import dev.sdfleet.cli.submit.ImageDownloads;
import dev.sdfleet.cli.submit.Submission;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code sdfleet submit PROMPT}: one generation through any dispatcher's HTTP API (the local fleet's by default),
 * its progress, and its images downloaded into {@code ./out/}.
 */
final class SubmitCommand implements Main.Command {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final String DEFAULT_MODEL = "tiny-sd";
    /** The bundled tiny model's native side; the API's own default (512) is for real models. */
    private static final int TINY_SD_SIDE = 64;

    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    @Override
    public String help() {
        return """
                usage: sdfleet submit [options] PROMPT...
                  --url URL         the dispatcher (default %s, the local fleet's)
                  --api-key KEY     (default: $SDFLEET_API_KEY, else the key in .sdfleet/tenants.json under --root)
                  --root DIR        where the local fleet's .sdfleet/ lies (default: the current folder)
                  --model ID        (default %s)
                  --size N          image side (default %d with %s, else the API's default 512)
                  --n N             images (default 1)     --seed S   the first image's seed (default: drawn)
                  --guidance G      (default: the API's, 7.5)     --steps N   (default: the API's, 30)
                  --out DIR         where the images go (default ./out)
                Images are read from S3 with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY, else the local fleet's keys.
                Exit code 0 when every image was made, 1 otherwise, 2 when the dispatcher refused the request (400).""".formatted(DEFAULT_URL, DEFAULT_MODEL, TINY_SD_SIDE, DEFAULT_MODEL);
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv,
                Set.of("url", "api-key", "root", "model", "size", "n", "seed", "guidance", "steps", "out"),
                Set.of());
        String prompt = String.join(" ", args.positional()).trim();
        if (prompt.isEmpty()) {
            throw new Args.UsageException(
                    "a prompt is needed, e.g. sdfleet submit \"a red circle on a blue background\"");
        }
        Path root = Path.of(args.get("root", ".")).toAbsolutePath().normalize();
        String apiKey = args.has("api-key")
                ? args.get("api-key", "")
                : System.getenv().containsKey("SDFLEET_API_KEY")
                        ? System.getenv("SDFLEET_API_KEY")
                        : LocalTenants.apiKey(root)
                                .orElseThrow(() -> new Args.UsageException(
                                        "no API key: pass --api-key, or run `./sdfleet up` here first (it writes "
                                                + LocalTenants.file(root) + ")"));
        String model = args.get("model", DEFAULT_MODEL);
        Integer side = args.has("size")
                ? Integer.valueOf(args.getInt("size", 0))
                : model.equals(DEFAULT_MODEL) ? Integer.valueOf(TINY_SD_SIDE) : null;
        Generation generation = new Generation(
                prompt,
                model,
                optionalInt(args, "n"),
                args.has("seed") ? args.getLong("seed", 0) : null,
                args.has("guidance") ? args.getDouble("guidance", 0) : null,
                optionalInt(args, "steps"),
                side,
                side);
        try (GenerationsApi api = new GenerationsApi(URI.create(args.get("url", DEFAULT_URL)), apiKey);
                ImageDownloads downloads = new ImageDownloads(System.getenv())) {
            Submission.Outcome outcome =
                    new Submission(api, downloads, out).run(generation, Path.of(args.get("out", "out")), TIMEOUT);
            out.println("Request " + outcome.requestId() + " " + outcome.status() + ": "
                    + outcome.saved().size() + " image(s) saved");
            return outcome.completed() ? 0 : 1;
        } catch (ApiException e) {
            return report(e, "submit", err);
        }
    }

    /** Prints a refused or failed call for the terminal; the exit code: 2 for a refused request (400), else 1. */
    static int report(ApiException e, String command, PrintStream err) {
        err.println("sdfleet " + command + ": " + e.describe());
        return e.status() == 400 ? 2 : 1;
    }

    private static Integer optionalInt(Args args, String name) {
        return args.has(name) ? Integer.valueOf(args.getInt(name, 0)) : null;
    }
}
