package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What Kafka and S3 add to one image, one job at a time (no queueing). First the bare pipeline in this JVM (text
 * encoder, denoising, VAE, PNG: what the worker runs), then the same jobs through the fleet: publish on Kafka, an
 * in-process worker, the upload to S3, the result back on Kafka. Per fleet job, the overhead is its end-to-end time
 * (publish to result read) minus the pipeline stages the worker reports for it.
 */
final class Latency {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> PIPELINE_STAGES = List.of("text_encoder", "denoise", "vae_decode", "png_encode");

    private final BenchStack bench;

    Latency(BenchStack bench) {
        this.bench = bench;
    }

    void run(Path model, int jobs, int threads, int side, int steps, BenchReport report) throws InterruptedException {
        BenchStack.Scope scope = bench.scope("latency", 1);
        WorkerConfig config =
                bench.config(scope, "latency-worker").threads(threads).build();
        JobFactory factory = new JobFactory(bench.modelId(), side, steps, 7.5);

        List<Double> bare = new ArrayList<>();
        byte[] png = null;
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(model, config.runtimeSettings())) {
            for (int i = -5; i < jobs; i++) { // five unmeasured runs first, as the worker's warm-up
                long start = System.nanoTime();
                png = pipeline.generate(PipelineRequest.builder("a red circle on a blue background")
                                .size(side, side)
                                .steps(steps)
                                .guidance(7.5)
                                .seed(i + 5)
                                .build())
                        .images()
                        .getFirst()
                        .png();
                if (i >= 0) {
                    bare.add((System.nanoTime() - start) / 1e6);
                }
            }
        }

        List<Double> endToEnd = new ArrayList<>();
        List<Double> overhead = new ArrayList<>();
        List<Double> upload = new ArrayList<>();
        try (Worker worker = new Worker(config);
                TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics())) {
            worker.start();
            for (int i = -5; i < jobs; i++) {
                Job job = factory.job("latency-" + (i + 5), "a red circle on a blue background", i + 5);
                long start = System.nanoTime();
                publisher.publish(job);
                TopicWatcher.Seen<JobResult> seen = results.await(r -> r.jobId().equals(job.jobId()), JOB_TIMEOUT);
                JobResult result = seen.message();
                if (result.status() != JobStatus.SUCCEEDED) {
                    throw new IllegalStateException("job " + job.jobId() + " failed: " + result.error());
                }
                if (i >= 0) {
                    double total = (seen.seenAtNanos() - start) / 1e6;
                    endToEnd.add(total);
                    overhead.add(total - pipelineMs(result.stageMs()));
                    upload.add(result.stageMs().getOrDefault("upload", 0L).doubleValue());
                }
            }
        }
        report.row(
                        "setting",
                        "%d jobs one at a time (%dx%d, %d steps, %d intra-op thread(s)), in-process worker",
                        jobs,
                        side,
                        side,
                        steps,
                        threads)
                .figure("jobs", jobs)
                .figure("side", side)
                .figure("steps", steps)
                .figure("threads", threads)
                .percentiles("bare", "bare pipeline (in-process generate)", Percentiles.of(bare))
                .percentiles("end_to_end", "through the fleet (publish -> result read)", Percentiles.of(endToEnd))
                .percentiles("overhead", "added by Kafka + S3 per job", Percentiles.of(overhead))
                .percentiles("upload", "of which the S3 upload", Percentiles.of(upload));

        // The same round trips without the worker between them: what the stack itself costs a job.
        Percentiles barePercentiles = Percentiles.of(bare);
        ServerFloor floor = new ServerFloor();
        floor.run(
                bench,
                bench.scope("floor", 1),
                config,
                factory,
                png,
                jobs,
                Duration.ofMillis(Math.round(barePercentiles.p50())));
        floor.report(report);
        Percentiles overheadPercentiles = Percentiles.of(overhead);
        report.row(
                        "overhead above the servers alone (difference of medians)",
                        "p50 %.1f ms",
                        overheadPercentiles.p50() - floor.chain().p50())
                .figure(
                        "above_floor.p50_ms",
                        overheadPercentiles.p50() - floor.chain().p50());
    }

    private static double pipelineMs(Map<String, Long> stageMs) {
        return PIPELINE_STAGES.stream()
                .mapToLong(stage -> stageMs.getOrDefault(stage, 0L))
                .sum();
    }
}
