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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdfleet submit PROMPT}: one generation through any dispatcher's HTTP API (the local fleet's by default),
 * its progress, and its images downloaded into {@code ./out/}.
 */
@Command(
        name = "submit",
        sortOptions = false,
        description = "One prompt through a dispatcher's HTTP API (the local fleet's by default), its images"
                + " downloaded into ./out.",
        footer = {
            "Images are read from S3 with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY, else the local fleet's keys.",
            "Exit code 0 when every image was made, 1 otherwise, 2 when the dispatcher refused the request (400)."
        })
final class SubmitCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final String DEFAULT_MODEL = "tiny-sd";
    /** The bundled tiny model's native side; the API's own default (512) is for real models. */
    private static final int TINY_SD_SIDE = 64;

    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "the prompt (its words are joined)")
    List<String> prompt;

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "the dispatcher (default " + DEFAULT_URL + ", the local fleet's)")
    URI url = URI.create(DEFAULT_URL);

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "(default: $SDFLEET_API_KEY, else the key in .sdfleet/tenants.json under --root)")
    String apiKey;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "where the local fleet's .sdfleet/ lies (default: the current folder)")
    Path root = Path.of(".");

    @Option(names = "--model", paramLabel = "ID", description = "(default " + DEFAULT_MODEL + ")")
    String model = DEFAULT_MODEL;

    @Option(
            names = "--size",
            paramLabel = "N",
            description =
                    "image side (default " + TINY_SD_SIDE + " with " + DEFAULT_MODEL + ", else the API's default 512)")
    Integer size;

    @Option(names = "--n", paramLabel = "N", description = "images (default 1)")
    Integer n;

    @Option(names = "--seed", paramLabel = "S", description = "the first image's seed (default: drawn)")
    Long seed;

    @Option(names = "--guidance", paramLabel = "G", description = "(default: the API's, 7.5)")
    Double guidance;

    @Option(names = "--steps", paramLabel = "N", description = "(default: the API's, 30)")
    Integer steps;

    @Option(names = "--out", paramLabel = "DIR", description = "where the images go (default ./out)")
    Path outDir = Path.of("out");

    @Override
    public Integer call() {
        PrintStream out = main.out;
        PrintStream err = main.err;
        String text = String.join(" ", prompt).trim();
        if (text.isEmpty()) {
            throw new Args.UsageException(
                    "a prompt is needed, e.g. sdfleet submit \"a red circle on a blue background\"");
        }
        Path root = this.root.toAbsolutePath().normalize();
        String apiKey = this.apiKey != null
                ? this.apiKey
                : System.getenv().containsKey("SDFLEET_API_KEY")
                        ? System.getenv("SDFLEET_API_KEY")
                        : LocalTenants.apiKey(root)
                                .orElseThrow(() -> new Args.UsageException(
                                        "no API key: pass --api-key, or run `./sdfleet up` here first (it writes "
                                                + LocalTenants.file(root) + ")"));
        Integer side = size != null ? size : model.equals(DEFAULT_MODEL) ? Integer.valueOf(TINY_SD_SIDE) : null;
        Generation generation = new Generation(text, model, n, seed, guidance, steps, side, side);
        try (GenerationsApi api = new GenerationsApi(url, apiKey);
                ImageDownloads downloads = new ImageDownloads(System.getenv())) {
            Submission.Outcome outcome = new Submission(api, downloads, out).run(generation, outDir, TIMEOUT);
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
}
