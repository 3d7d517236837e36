package dev.sdfleet.cli;

import dev.sdfleet.cli.bench.FleetBenchmarks;
import java.io.PrintStream;
import java.util.List;

/** {@code sdfleet bench-fleet WHAT}: fleet benchmarks on a throw-away local stack (see {@link FleetBenchmarks}). */
final class BenchFleetCommand implements Main.Command {

    @Override
    public String help() {
        return """
                usage: sdfleet bench-fleet WHAT [options]     (a benchmark, not a test: it prints figures)
                  latency       Kafka + S3 overhead over the bare pipeline, one job at a time: p50, p99
                  throughput    images/s with 1 and 2 worker processes, worker RSS
                  batching      images/s at batch size 4 over batch size 1, one worker process
                  killtrials    SIGKILL a worker mid-job, start another, check every job is done once
                  all           latency, throughput and batching
                options:
                  --jobs N          latency: jobs (default 200); throughput and batching: jobs per run (default 40);
                                    killtrials: jobs per trial (default 2)
                  --trials N        killtrials (default 20)
                  --workers LIST    throughput (default 1,2)
                  --threads N       ONNX Runtime intra-op threads per worker (default 1)
                  --size N          image side (default 64; killtrials 128, so that a job runs for a while)
                  --steps N         (default 20; killtrials 30)
                  --model DIR       (default: the bundled tiny model)""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(
                argv, PipelineOptions.valued("jobs", "trials", "workers", "size", "steps"), PipelineOptions.flags());
        if (args.positional().size() != 1) {
            throw new Args.UsageException("say what to run: latency, throughput, batching, killtrials or all");
        }
        String what = args.positional().getFirst();
        boolean kill = what.equals("killtrials");
        FleetBenchmarks.Options options = new FleetBenchmarks.Options(
                PipelineOptions.model(args),
                args.getInt("jobs", what.equals("latency") ? 200 : kill ? 2 : 40),
                args.getInt("trials", 20),
                List.of(args.get("workers", "1,2").split(",")).stream()
                        .map(String::trim)
                        .map(Integer::parseInt)
                        .toList(),
                args.getInt("threads", 1),
                args.getInt("size", kill ? 128 : 64),
                args.getInt("steps", kill ? 30 : 20));
        try {
            return FleetBenchmarks.run(what, options, out) ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
