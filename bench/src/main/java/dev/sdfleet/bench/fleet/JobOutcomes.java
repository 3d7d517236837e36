package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the results and progress topics say about a set of jobs: the counting every scenario shares. The scenarios
 * that go through the dispatcher count requests instead (one completion event each, {@link CompletionEvents}) with
 * the same fields.
 */
record JobOutcomes(int completed, Map<String, Integer> failed, int lost, int duplicates, int extraRuns) {

    /** Waits up to {@code timeout} until every job has a result, then counts (after {@code settle} more reading). */
    static JobOutcomes await(
            Collection<String> jobIds,
            TopicWatcher<JobResult> results,
            TopicWatcher<JobProgress> progress,
            Duration timeout,
            Duration settle) {
        Set<String> wanted = Set.copyOf(jobIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && resulted(results.all(Duration.ofMillis(200)), wanted) < wanted.size()) {
            // keep reading: the watcher polls inside all()
        }
        List<JobResult> all = results.all(settle).stream()
                .map(TopicWatcher.Seen::message)
                .filter(r -> wanted.contains(r.jobId()))
                .toList();
        Map<String, JobResult> first = new HashMap<>();
        all.forEach(r -> first.putIfAbsent(r.jobId(), r));
        int completed = (int) first.values().stream()
                .filter(r -> r.status() == JobStatus.SUCCEEDED)
                .count();
        Map<String, Integer> failed = new TreeMap<>();
        first.values().stream()
                .filter(r -> r.status() != JobStatus.SUCCEEDED)
                .forEach(r -> failed.merge(
                        r.error() == null
                                ? r.status().toString()
                                : r.error().reason().toString(),
                        1,
                        Integer::sum));
        int extraRuns = extraRuns(progress, p -> wanted.contains(p.jobId()));
        return new JobOutcomes(completed, failed, wanted.size() - first.size(), all.size() - first.size(), extraRuns);
    }

    /** Denoising runs of the {@code counted} jobs that reached their last step, beyond the first per job. */
    static int extraRuns(TopicWatcher<JobProgress> progress, Predicate<JobProgress> counted) {
        Map<String, Integer> lastSteps = new HashMap<>();
        progress.all(Duration.ZERO).stream()
                .map(TopicWatcher.Seen::message)
                .filter(p -> counted.test(p) && p.step() == p.totalSteps())
                .forEach(p -> lastSteps.merge(p.jobId(), 1, Integer::sum));
        return lastSteps.values().stream().mapToInt(n -> n - 1).sum();
    }

    private static int resulted(List<TopicWatcher.Seen<JobResult>> seen, Set<String> wanted) {
        Set<String> ids = new HashSet<>();
        seen.forEach(s -> {
            if (wanted.contains(s.message().jobId())) {
                ids.add(s.message().jobId());
            }
        });
        return ids.size();
    }
}
