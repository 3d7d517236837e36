package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.WorkerProcess;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Poison records on every topic the workers consume (the model's three priority lanes), from {@link PoisonFeed}: every kind the worker tests
 * know (65 headers, an empty header name, a null header value, wrong types, another schema version, garbage
 * CloudEvents headers, a tombstone, a value near the record limit), then fuzzed bytes and truncated JSON, keyed like
 * the valid job published after them on each lane. Passes when every poison record has a dead letter at its position
 * and each valid job behind them succeeds.
 */
final class PoisonScenario implements FaultScenario {
    /**
     * On 2 cores a worker dead-letters a backlog at about 350–700 records/s on its high lane and about 800–1,200/s on
     * the lower lanes (BENCHMARKS.md, "Fault campaign"; 30,000 records took 31 s). The wait grows with the size, with
     * a wide margin for a busy machine: 2 minutes plus 10 ms per poison record.
     */
    private static Duration timeout(int size) {
        return Duration.ofMinutes(2).plusMillis(10L * 3 * size);
    }

    private static final String KEY = "poison";
    /** A job as JSON, cut at random for the fuzzed records that look almost right. */
    private static final String TRUNCATED =
            "{\"schema_version\":1,\"job_id\":\"x/1\",\"request_id\":\"x\",\"prompt\":\"a red circle\"}";

    @Override
    public String name() {
        return "poison records";
    }

    @Override
    public String describe(int size) {
        return size + " per jobs lane (3 lanes)";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        BenchStack.Scope scope = bench.scope("poison", 1);
        List<String> lanes = Topics.withPrefix(scope.prefix()).jobLanesFor(bench.modelId());
        JobFactory factory = new JobFactory(bench.modelId(), 64, 4, 7.5);
        try (TopicWatcher<DeadLetter> dlq =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().dlq(), DeadLetter.class);
                ScenarioTopics io = ScenarioTopics.open(bench, scope);
                PoisonFeed feed = new PoisonFeed(bench.kafkaClient());
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, "poison-worker").threads(1).build())) {
            TopicWatcher<JobResult> results = io.results();
            TopicWatcher<JobProgress> progress = io.progress();
            JobPublisher publisher = io.publisher();
            for (String lane : lanes) {
                feed.send(lane, KEY, List.of(), TRUNCATED, size);
            }
            Set<String> positions = feed.positions();
            long published = System.nanoTime();
            List<String> jobIds = new ArrayList<>();
            Priority[] priorities = {Priority.HIGH, Priority.NORMAL, Priority.LOW};
            for (int i = 0; i < lanes.size(); i++) {
                Job job = factory.job(KEY, i, lanes.size(), "a red circle on a blue background", i, priorities[i]);
                publisher.publish(job, lanes.get(i));
                jobIds.add(job.jobId());
            }
            log.printf("poison: %d poison records on %s, then one valid job per lane%n", positions.size(), lanes);
            JobOutcomes outcomes = JobOutcomes.await(jobIds, results, progress, timeout(size), Duration.ofSeconds(1));
            double recovery = (System.nanoTime() - published) / 1e9;
            Set<String> missing = PoisonFeed.notDeadLettered(positions, dlq, timeout(size));
            return Row.of(
                    name(),
                    describe(size),
                    jobIds.size(),
                    outcomes,
                    0,
                    0,
                    worker.isAlive() ? 0 : 1,
                    positions.size(),
                    missing.size(),
                    recovery);
        }
    }
}
