package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;

/**
 * What a fault scenario reads and writes on its scope's topics: the results and progress it counts from outside, and
 * the publisher of its jobs. Closes all three.
 */
record ScenarioTopics(TopicWatcher<JobResult> results, TopicWatcher<JobProgress> progress, JobPublisher publisher)
        implements AutoCloseable {

    static ScenarioTopics open(BenchStack bench, BenchStack.Scope scope) {
        TopicWatcher<JobResult> results =
                new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
        TopicWatcher<JobProgress> progress = null;
        try {
            progress = new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobProgress.class);
            return new ScenarioTopics(results, progress, new JobPublisher(bench.kafkaClient(), scope.topics()));
        } catch (RuntimeException e) {
            if (progress != null) {
                progress.close();
            }
            results.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try (results;
                progress;
                publisher) {
            // closes all three, the publisher first
        }
    }
}
