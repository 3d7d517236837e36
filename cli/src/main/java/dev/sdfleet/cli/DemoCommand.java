package dev.sdfleet.cli;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.cli.fleet.JobPublisher;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.fleet.TopicWatcher;
import dev.sdfleet.localstack.LocalStack;
import dev.sdfleet.localstack.S3Clients;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code sdfleet demo PROMPT}: the whole path once. Starts the local fleet in this JVM, publishes one job on Kafka as
 * the dispatcher would, waits for the worker's result on the results topic, downloads the image from S3 into
 * {@code ./out/}, prints both places, and stops the fleet. The image stays in the fleet's S3 data, where
 * {@code sdfleet up} and {@code aws s3 ls} find it later.
 */
final class DemoCommand implements Main.Command {
    private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public String help() {
        return """
                usage: sdfleet demo [options] PROMPT...
                  --guidance G      classifier-free guidance (default %s, the job's default; the bundled tiny
                                    model draws its prompts best at 3)
                  --steps N         denoising steps (default 20)
                  --seed N          (default 42)
                  --size N          image side (default: the model's native size)
                  --out DIR         where the PNG goes (default ./out)
                  --kafka-port N    (default 9092)     --s3-port N   (default 9000)
                  --root DIR        where .sdfleet/ keeps Kafka's and S3's data (default: the current folder)
                  --model DIR       (default: the bundled tiny model)
                  --verbose         the servers' and the worker's log lines too""".formatted(
                GenerationRequest.DEFAULT_GUIDANCE);
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(argv, PipelineOptions.valued("guidance", "steps", "seed", "size", "out",
                "kafka-port", "s3-port", "root"), PipelineOptions.flags("verbose"));
        if (!args.has("verbose")) {
            // The servers' and the worker's start/stop lines would bury the few lines the demo is about.
            System.setProperty("org.slf4j.simpleLogger.log.dev.sdfleet", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        }
        String prompt = String.join(" ", args.positional()).trim();
        if (prompt.isEmpty()) {
            throw new Args.UsageException("a prompt is needed, e.g. sdfleet demo \"a red circle on a blue background\"");
        }
        double guidance = args.getDouble("guidance", GenerationRequest.DEFAULT_GUIDANCE);
        LocalFleet.Settings settings = new LocalFleet.Settings(Path.of(args.get("root", ".")).toAbsolutePath().normalize(),
                args.getInt("kafka-port", LocalStack.DEFAULT_KAFKA_PORT),
                args.getInt("s3-port", LocalStack.DEFAULT_S3_PORT), 1, 0, PipelineOptions.model(args), 1,
                args.getInt("threads", 0));
        long started = System.nanoTime();
        out.println("Starting the local fleet (Kafka, S3, one worker) ...");
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            out.printf(Locale.ROOT, "Fleet ready in %.1f s%n", seconds(started));
            int side = args.getInt("size", fleet.nativeSide());
            Job job = new JobFactory(fleet.modelId(), side, args.getInt("steps", 20), guidance)
                    .job("demo-" + UUID.randomUUID().toString().substring(0, 8), prompt, args.getLong("seed", 42));
            String bootstrap = fleet.stack().bootstrapServers();
            JobResult result;
            long published;
            try (TopicWatcher<JobResult> results = new TopicWatcher<>(bootstrap, Topics.defaults().results(),
                    JobResult.class); JobPublisher publisher = new JobPublisher(bootstrap, Topics.defaults())) {
                published = System.nanoTime();
                publisher.publish(job);
                out.println("Published job " + job.jobId() + " on " + Topics.defaults().jobs() + " (" + bootstrap
                        + ")");
                result = results.await(r -> r.jobId().equals(job.jobId()), RESULT_TIMEOUT).message();
            }
            if (result.status() != JobStatus.SUCCEEDED) {
                err.println("sdfleet demo: the job failed: " + result.error());
                return 1;
            }
            out.printf(Locale.ROOT, "Result from %s after %.2f s (stages in ms: %s)%n", result.workerId(),
                    seconds(published), result.stageMs());
            Path file = download(fleet, result, Path.of(args.get("out", "out")));
            out.println("S3:    s3://" + result.output().bucket() + "/" + result.output().key() + "   ("
                    + result.output().url() + ", " + result.output().sizeBytes() + " bytes, sha256 "
                    + result.output().sha256() + ")");
            out.println("Local: " + file.toAbsolutePath());
            out.println("Stopping the local fleet ...");
        }
        out.printf(Locale.ROOT, "Done in %.1f s%n", seconds(started));
        return 0;
    }

    private static Path download(LocalFleet fleet, JobResult result, Path outDir) {
        Path file = outDir.resolve(result.requestId() + "-" + result.output().key()
                .substring(result.output().key().lastIndexOf('/') + 1));
        try (S3Client s3 = S3Clients.client(fleet.stack().s3Endpoint(), fleet.stack().credentials())) {
            Files.createDirectories(outDir);
            Files.write(file, s3.getObjectAsBytes(b -> b.bucket(result.output().bucket())
                    .key(result.output().key())).asByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
