package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.submit.ApiException;
import dev.sdfleet.cli.submit.Generation;
import dev.sdfleet.cli.submit.GenerationsApi;
import dev.sdfleet.cli.submit.ImageDownloads;
import dev.sdfleet.cli.submit.Submission;
import dev.sdfleet.devstack.DevStack;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sdfleet demo PROMPT}: the whole path once. Starts the local fleet in this JVM (Kafka, S3, the dispatcher, one
 * worker), submits the prompt through the dispatcher's HTTP API exactly as {@code sdfleet submit} does, waits for the
 * request to finish, downloads the image from S3 into {@code ./out/}, prints both places, and stops the fleet. The
 * image and the request stay in the fleet's data, where {@code sdfleet up} and {@code aws s3 ls} find them later.
 */
final class DemoCommand implements Main.Command {
    private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public String help() {
        return """
                usage: sdfleet demo [options] PROMPT...
                  --guidance G      classifier-free guidance (default: the API's, 7.5)
                  --steps N         denoising steps (default 20)
                  --seed N          (default 42)
                  --size N          image side (default: the model's native size)
                  --out DIR         where the PNG goes (default ./out)
                  --kafka-port N    (default 9092)     --s3-port N   (default 9000)
                  --dispatcher-port N  (default: a free port)
                  --root DIR        where .sdfleet/ keeps the fleet's data (default: the current folder)
                  --model DIR       (default: the bundled tiny model)
                  --verbose         the servers', the dispatcher's and the worker's log lines too""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv,
                PipelineOptions.valued(
                        "guidance", "steps", "seed", "size", "out", "kafka-port", "s3-port", "dispatcher-port", "root"),
                PipelineOptions.flags("verbose"));
        if (!args.has("verbose")) {
            // The servers', dispatcher's and worker's start/stop lines would bury the few lines the demo is about.
            System.setProperty("org.slf4j.simpleLogger.log.dev.sdfleet", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        }
        String prompt = String.join(" ", args.positional()).trim();
        if (prompt.isEmpty()) {
            throw new Args.UsageException(
                    "a prompt is needed, e.g. sdfleet demo \"a red circle on a blue background\"");
        }
        // The workers' HTTP ports and the dispatcher's default to free ones: nothing outside the demo calls them.
        LocalFleet.Settings settings = new LocalFleet.Settings(
                Path.of(args.get("root", ".")).toAbsolutePath().normalize(),
                args.getInt("kafka-port", DevStack.DEFAULT_KAFKA_PORT),
                args.getInt("s3-port", DevStack.DEFAULT_S3_PORT),
                1,
                0,
                args.getInt("dispatcher-port", 0),
                PipelineOptions.model(args),
                1,
                args.getInt("threads", 0));
        long started = System.nanoTime();
        out.println("Starting the local fleet (Kafka, S3, dispatcher, one worker) ...");
        Submission.Outcome outcome;
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            out.printf(
                    Locale.ROOT,
                    "Fleet ready in %.1f s; dispatcher at %s%n",
                    seconds(started),
                    fleet.dispatcher().baseUrl());
            int side = args.getInt("size", fleet.nativeSide());
            Generation generation = new Generation(
                    prompt,
                    fleet.modelId(),
                    1,
                    args.getLong("seed", 42),
                    args.has("guidance") ? args.getDouble("guidance", 0) : null,
                    args.getInt("steps", 20),
                    side,
                    side);
            long submitted = System.nanoTime();
            try (GenerationsApi api =
                            new GenerationsApi(URI.create(fleet.dispatcher().baseUrl()), fleet.apiKey());
                    ImageDownloads downloads = new ImageDownloads(Map.of(
                            "AWS_ACCESS_KEY_ID", fleet.stack().credentials().accessKey(),
                            "AWS_SECRET_ACCESS_KEY", fleet.stack().credentials().secretKey()))) {
                outcome = new Submission(api, downloads, out)
                        .run(generation, Path.of(args.get("out", "out")), RESULT_TIMEOUT);
            } catch (ApiException e) {
                return SubmitCommand.report(e, "demo", err);
            }
            out.printf(
                    Locale.ROOT,
                    "Request %s %s after %.2f s%n",
                    outcome.requestId(),
                    outcome.status(),
                    seconds(submitted));
            out.println("Stopping the local fleet ...");
        }
        out.printf(Locale.ROOT, "Done in %.1f s%n", seconds(started));
        return outcome.completed() ? 0 : 1;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
