package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.devstack.DevStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdfleet up}: the local fleet until Ctrl-C. Kafka, S3 and the dispatcher keep their data under
 * {@code .sdfleet/}, so what was published, stored or accepted is still there at the next start, and so is the API
 * key in {@code .sdfleet/tenants.json}.
 */
@Command(
        name = "up",
        sortOptions = false,
        description = "The local fleet (Kafka, S3, dispatcher, workers) until Ctrl-C.",
        footer = "Runs until Ctrl-C, then stops the workers gracefully and the servers.")
final class UpCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--workers", paramLabel = "N", description = "workers on the model (default 1)")
    int workers = 1;

    @Option(names = "--batch-size", paramLabel = "N", description = "jobs per pipeline call in each worker (default 1)")
    int batchSize = 1;

    @Option(
            names = "--http-port",
            paramLabel = "N",
            description = "the first worker's metrics/health port; the next ones follow (default 8081)")
    int httpPort = 8081;

    @Option(names = "--dispatcher-port", paramLabel = "N", description = "the dispatcher's HTTP API (default 8080)")
    int dispatcherPort = 8080;

    @Option(names = "--kafka-port", paramLabel = "N", description = "(default 9092)")
    int kafkaPort = DevStack.DEFAULT_KAFKA_PORT;

    @Option(names = "--s3-port", paramLabel = "N", description = "(default 9000)")
    int s3Port = DevStack.DEFAULT_S3_PORT;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "where .sdfleet/ keeps Kafka's, S3's and the dispatcher's data and the tenants file"
                    + " (default: the current folder)")
    Path root = Path.of(".");

    @Option(
            names = "--also-model",
            paramLabel = "DIR[,DIR]",
            split = ",",
            description = "more models, with --workers workers each: the dispatcher serves them all, each model's"
                    + " jobs go to its own topic and reach only its workers")
    List<Path> alsoModels = List.of();

    @Mixin
    PipelineOptions pipelineOptions;

    @Mixin
    KafkaOptions kafkaOptions;

    private List<Path> models() {
        List<Path> models = new ArrayList<>();
        models.add(pipelineOptions.model());
        alsoModels.forEach(more -> models.add(more.toAbsolutePath().normalize()));
        return models;
    }

    @Override
    public Integer call() {
        PrintStream out = main.out;
        LocalFleet.Settings settings = new LocalFleet.Settings(
                root.toAbsolutePath().normalize(),
                kafkaPort,
                s3Port,
                workers,
                httpPort,
                dispatcherPort,
                models(),
                batchSize,
                pipelineOptions.threads());
        out.println("Starting the local fleet (Kafka, S3, dispatcher, "
                + settings.workers() * settings.models().size() + " worker(s)) ...");
        LocalFleet fleet = LocalFleet.start(settings, kafkaOptions.outsideKafka(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C runs the hooks: the workers drain and leave the group, the dispatcher commits, then Kafka and S3 stop.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            out.println("Stopping the local fleet ...");
                            fleet.close();
                            out.println("Stopped.");
                            stopped.countDown();
                        },
                        "sdfleet-up-shutdown"));
        out.println(fleet.describe());
        out.println("Running until Ctrl-C.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
