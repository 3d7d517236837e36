package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.devstack.DevStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sdfleet up}: the local fleet until Ctrl-C. Kafka, S3 and the dispatcher keep their data under
 * {@code .sdfleet/}, so what was published, stored or accepted is still there at the next start, and so is the API
 * key in {@code .sdfleet/tenants.json}.
 */
final class UpCommand implements Main.Command {

    @Override
    public String help() {
        return """
                usage: sdfleet up [options]
                  --workers N       workers on the model (default 1)
                  --batch-size N    jobs per pipeline call in each worker (default 1)
                  --threads N       ONNX Runtime intra-op threads per worker (default: ONNX Runtime's choice)
                  --http-port N     the first worker's metrics/health port; the next ones follow (default 8081)
                  --dispatcher-port N  the dispatcher's HTTP API (default 8080)
                  --kafka-port N    (default 9092)     --s3-port N   (default 9000)
                  --root DIR        where .sdfleet/ keeps Kafka's, S3's and the dispatcher's data and the tenants
                                    file (default: the current folder)
                  --model DIR       (default: the bundled tiny model)
                  --also-model DIR[,DIR]  more models, with --workers workers each: the dispatcher serves them all,
                                    each model's jobs go to its own topic and reach only its workers
                Runs until Ctrl-C, then stops the workers gracefully and the servers.""" + "\n" + KafkaOptions.HELP;
    }

    private static List<Path> models(Args args) {
        List<Path> models = new ArrayList<>();
        models.add(PipelineOptions.model(args));
        for (String more : args.get("also-model", "").split(",")) {
            if (!more.isBlank()) {
                models.add(Path.of(more.strip()).toAbsolutePath().normalize());
            }
        }
        return models;
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv,
                PipelineOptions.valued(
                        "workers",
                        "batch-size",
                        "http-port",
                        "dispatcher-port",
                        "kafka-port",
                        "s3-port",
                        "root",
                        "also-model",
                        "kafka-bootstrap",
                        "kafka-properties"),
                PipelineOptions.flags());
        LocalFleet.Settings settings = new LocalFleet.Settings(
                Path.of(args.get("root", ".")).toAbsolutePath().normalize(),
                args.getInt("kafka-port", DevStack.DEFAULT_KAFKA_PORT),
                args.getInt("s3-port", DevStack.DEFAULT_S3_PORT),
                args.getInt("workers", 1),
                args.getInt("http-port", 8081),
                args.getInt("dispatcher-port", 8080),
                models(args),
                args.getInt("batch-size", 1),
                args.getInt("threads", 0));
        out.println("Starting the local fleet (Kafka, S3, dispatcher, "
                + settings.workers() * settings.models().size() + " worker(s)) ...");
        LocalFleet fleet = LocalFleet.start(settings, KafkaOptions.outsideKafka(args, System.getenv()));
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
