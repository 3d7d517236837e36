package dev.sdfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.cli.submit.Submission;
import dev.sdfleet.client.NewGeneration;
import dev.sdfleet.client.SdfleetApiException;
import dev.sdfleet.client.SdfleetClient;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.SchedulerName;
import dev.sdfleet.protocol.ValidationException;
import dev.sdfleet.protocol.Webhook;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdfleet submit PROMPT}: one generation through any dispatcher's HTTP API (the local fleet's by default), on
 * the Java client ({@code client/}): its progress, and its images downloaded into {@code ./out/} through their
 * presigned URLs (no S3 keys needed).
 */
@Command(
        name = "submit",
        sortOptions = false,
        description = "One prompt through a dispatcher's HTTP API (the local fleet's by default), its images"
                + " downloaded into ./out.",
        footer = {
            "Images are downloaded through the presigned download_url the dispatcher gives (no S3 keys needed).",
            "Exit code 0 when every image was made (or, with --no-wait, the request was accepted), 1 otherwise, 2 when"
                    + " the request was refused (400, or a field the protocol refuses before sending)."
        })
final class SubmitCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final String DEFAULT_MODEL = "tiny-sd";
    /** The bundled tiny model's native side; the API's own default (512) is for real models. */
    private static final int TINY_SD_SIDE = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    @Option(names = "--negative", paramLabel = "TEXT", description = "negative prompt")
    String negative;

    @Option(
            names = "--size",
            paramLabel = "N",
            description = "image side, for --width and --height both (default " + TINY_SD_SIDE + " with "
                    + DEFAULT_MODEL + ", else the model's)")
    Integer size;

    @Option(names = "--width", paramLabel = "W", description = "pixels, a multiple of 8 (default: --size)")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "pixels, a multiple of 8 (default: --size)")
    Integer height;

    @Option(names = "--n", paramLabel = "N", description = "images (default 1)")
    Integer n;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "the first image's seed; image i gets S+i (default: drawn)")
    Long seed;

    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default: the model's)")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", description = "classifier-free guidance (default: the API's, 7.5)")
    Double guidance;

    @Option(
            names = "--scheduler",
            paramLabel = "NAME",
            converter = SchedulerConverter.class,
            completionCandidates = SchedulerConverter.Names.class,
            description = "${COMPLETION-CANDIDATES} (default: the model's)")
    SchedulerName scheduler;

    @Option(
            names = "--priority",
            paramLabel = "LEVEL",
            converter = PriorityConverter.class,
            completionCandidates = PriorityConverter.Names.class,
            description = "${COMPLETION-CANDIDATES} (default normal)")
    Priority priority;

    @Option(
            names = "--metadata",
            paramLabel = "KEY=VALUE",
            description = "your own strings, echoed in the request's events and documents (repeatable)")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(
            names = "--webhook",
            paramLabel = "URL",
            description = "where the dispatcher calls back when the request ends (signed; Standard Webhooks)")
    String webhook;

    @Option(names = "--out", paramLabel = "DIR", description = "where the images go (default ./out)")
    Path outDir = Path.of("out");

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            description = "how long to wait for the request, ISO-8601 (default PT15M)")
    Duration timeout = Duration.ofMinutes(15);

    @Option(
            names = "--json",
            description = "print the request's final document (GET /v1/generations/{id}) as JSON on stdout; the"
                    + " progress goes to stderr")
    boolean json;

    @Option(names = "--no-wait", description = "print the request id (with --json, the accepted document) and exit")
    boolean noWait;

    @Override
    public Integer call() {
        PrintStream out = main.out;
        PrintStream err = main.err;
        String text = String.join(" ", prompt).trim();
        if (text.isEmpty()) {
            throw new Args.UsageException(
                    "a prompt is needed, e.g. sdfleet submit \"a red circle on a blue background\"");
        }
        NewGeneration request = request(text);
        // With --json, stdout is the document alone: everything for the person goes to stderr.
        PrintStream talk = json ? err : out;
        try (SdfleetClient client =
                SdfleetClient.builder(url).bearerToken(apiKey()).build()) {
            Submission submission = new Submission(client, noWait && !json ? err : talk);
            Generation accepted = submission.submit(request);
            if (noWait) {
                out.println(json ? pretty(accepted) : accepted.id());
                return 0;
            }
            Submission.Outcome outcome = submission.finish(accepted, outDir, timeout);
            talk.println("Request " + outcome.requestId() + " " + outcome.status() + ": "
                    + outcome.saved().size() + " image(s) saved");
            if (json) {
                out.println(pretty(outcome.generation()));
            }
            return outcome.completed() ? 0 : 1;
        } catch (SdfleetApiException e) {
            return report(e, "submit", err);
        } catch (ValidationException e) {
            err.println("sdfleet submit: invalid request (nothing sent)");
            e.errors().forEach(f -> err.println("  " + f.field() + ": " + f.message()));
            return 2;
        }
    }

    /** The document as the API gives it, indented for people. */
    private static String pretty(Generation generation) {
        try {
            return MAPPER.readTree(Codec.encode(generation)).toPrettyString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private NewGeneration request(String text) {
        Integer side = size != null ? size : model.equals(DEFAULT_MODEL) ? Integer.valueOf(TINY_SD_SIDE) : null;
        NewGeneration request = NewGeneration.of(text, model)
                .negativePrompt(negative)
                .width(width != null ? width : side)
                .height(height != null ? height : side)
                .n(n)
                .seed(seed)
                .steps(steps)
                .guidance(guidance)
                .scheduler(scheduler)
                .priority(priority);
        if (!metadata.isEmpty()) {
            request.metadata(metadata);
        }
        if (webhook != null) {
            request.webhook(Webhook.to(webhook));
        }
        return request;
    }

    private String apiKey() {
        if (apiKey != null) {
            return apiKey;
        }
        if (System.getenv().containsKey("SDFLEET_API_KEY")) {
            return System.getenv("SDFLEET_API_KEY");
        }
        Path fleetRoot = root.toAbsolutePath().normalize();
        return LocalTenants.apiKey(fleetRoot)
                .orElseThrow(() -> new Args.UsageException("no API key: pass --api-key, or run `./sdfleet up` here"
                        + " first (it writes " + LocalTenants.file(fleetRoot) + ")"));
    }

    /**
     * Prints a refused or failed call for the terminal, with a hint where one helps; the exit code: 2 for a refused
     * request (400), else 1.
     */
    static int report(SdfleetApiException e, String command, PrintStream err) {
        err.println("sdfleet " + command + ": " + e.describe());
        if (e.status() == 0) {
            err.println("  is `./sdfleet up` running, or is --url right?");
        } else if (e.status() == 401) {
            err.println("  the dispatcher refused the API key (401): pass the right one with --api-key (the local"
                    + " fleet's is in .sdfleet/tenants.json; `./sdfleet up` prints it)");
        }
        return e.status() == 400 ? 2 : 1;
    }

    /** The protocol's scheduler names ({@code euler_a}, ...), not the enum's constant names. */
    static final class SchedulerConverter implements CommandLine.ITypeConverter<SchedulerName> {
        @Override
        public SchedulerName convert(String value) {
            for (SchedulerName s : SchedulerName.values()) {
                if (s.id().equals(value)) {
                    return s;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not one of " + String.join(", ", new Names()));
        }

        static final class Names extends java.util.ArrayList<String> {
            Names() {
                for (SchedulerName s : SchedulerName.values()) {
                    add(s.id());
                }
            }
        }
    }

    /** The protocol's priority names: low, normal, high. */
    static final class PriorityConverter implements CommandLine.ITypeConverter<Priority> {
        @Override
        public Priority convert(String value) {
            for (Priority p : Priority.values()) {
                if (p.id().equals(value.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of low, normal, high");
        }

        static final class Names extends java.util.ArrayList<String> {
            Names() {
                for (Priority p : Priority.values()) {
                    add(p.id());
                }
            }
        }
    }
}
