package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.submit.Submission;
import dev.sdfleet.client.NewGeneration;
import dev.sdfleet.client.SdfleetApiException;
import dev.sdfleet.client.SdfleetClient;
import dev.sdfleet.devstack.DevStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdfleet demo PROMPT}: the whole path once. Starts the local fleet in this JVM (Kafka, S3, the dispatcher, one
 * worker), submits the prompt through the dispatcher's HTTP API exactly as {@code sdfleet submit} does, waits for the
 * request to finish, downloads the image from S3 into {@code ./out/}, prints both places, and stops the fleet. The
 * image and the request stay in the fleet's data, where {@code sdfleet up} and {@code aws s3 ls} find them later.
 */
@Command(
        name = "demo",
        sortOptions = false,
        description = "The local fleet started, one prompt through its HTTP API, a PNG in ./out, the fleet stopped.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(5);

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PROMPT", arity = "1..*", description = "the prompt (its words are joined)")
    List<String> prompt;

    @Option(names = "--guidance", paramLabel = "G", description = "classifier-free guidance (default: the API's, 7.5)")
    Double guidance;

    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default 20)")
    int steps = 20;

    @Option(names = "--seed", paramLabel = "N", description = "(default 42)")
    long seed = 42;

    @Option(names = "--size", paramLabel = "N", description = "image side (default: the model's native size)")
    Integer size;

    @Option(names = "--out", paramLabel = "DIR", description = "where the PNG goes (default ./out)")
    Path outDir = Path.of("out");

    @Option(names = "--kafka-port", paramLabel = "N", description = "(default 9092)")
    int kafkaPort = DevStack.DEFAULT_KAFKA_PORT;

    @Option(names = "--s3-port", paramLabel = "N", description = "(default 9000)")
    int s3Port = DevStack.DEFAULT_S3_PORT;

    @Option(names = "--dispatcher-port", paramLabel = "N", description = "(default: a free port)")
    int dispatcherPort;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "where .sdfleet/ keeps the fleet's data (default: the current folder)")
    Path root = Path.of(".");

    @Option(names = "--verbose", description = "the servers', the dispatcher's and the worker's log lines too")
    boolean verbose;

    @Mixin
    PipelineOptions pipelineOptions;

    @Override
    public Integer call() {
        PrintStream out = main.out;
        PrintStream err = main.err;
        if (!verbose) {
            // The servers', dispatcher's and worker's start/stop lines would bury the few lines the demo is about.
            System.setProperty("org.slf4j.simpleLogger.log.dev.sdfleet", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        }
        String text = String.join(" ", prompt).trim();
        if (text.isEmpty()) {
            throw new Args.UsageException(
                    "a prompt is needed, e.g. sdfleet demo \"a red circle on a blue background\"");
        }
        // The workers' HTTP ports and the dispatcher's default to free ones: nothing outside the demo calls them.
        LocalFleet.Settings settings = new LocalFleet.Settings(
                root.toAbsolutePath().normalize(),
                kafkaPort,
                s3Port,
                1,
                0,
                dispatcherPort,
                pipelineOptions.model(),
                1,
                pipelineOptions.threads());
        long started = System.nanoTime();
        out.println("Starting the local fleet (Kafka, S3, dispatcher, one worker) ...");
        Submission.Outcome outcome;
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            out.printf(
                    Locale.ROOT,
                    "Fleet ready in %.1f s; dispatcher at %s%n",
                    seconds(started),
                    fleet.dispatcher().baseUrl());
            int side = size != null ? size : fleet.nativeSide();
            NewGeneration request = NewGeneration.of(text, fleet.modelId())
                    .n(1)
                    .seed(seed)
                    .guidance(guidance)
                    .steps(steps)
                    .width(side)
                    .height(side);
            long submitted = System.nanoTime();
            try (SdfleetClient client = SdfleetClient.builder(fleet.dispatcher().baseUrl())
                    .bearerToken(fleet.apiKey())
                    .build()) {
                Submission submission = new Submission(client, out);
                outcome = submission.finish(submission.submit(request), outDir, RESULT_TIMEOUT);
            } catch (SdfleetApiException e) {
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
