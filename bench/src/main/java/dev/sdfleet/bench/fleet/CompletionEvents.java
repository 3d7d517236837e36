package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.JobProgress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts the dispatcher's request-level completion events (a {@link Generation} with a final status on the events
 * topic, one per request when all is well; progress documents are skipped) for a set of requests, read from outside: completed, failed by reason, lost (no event), and
 * duplicates (events beyond the first per request).
 */
final class CompletionEvents {
    private CompletionEvents() {}

    /**
     * Waits up to {@code timeout} until every request has its event, reads for {@code settle} more (so a late
     * duplicate shows), then counts; extra denoising runs come from {@code progress}.
     */
    static JobOutcomes await(
            Collection<String> requestIds,
            TopicWatcher<Generation> events,
            TopicWatcher<JobProgress> progress,
            Duration timeout,
            Duration settle) {
        Set<String> wanted = Set.copyOf(requestIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && finished(events.all(Duration.ofMillis(200)), wanted) < wanted.size()) {
            // keep reading: the watcher polls inside all()
        }
        List<Generation> all = events.all(settle).stream()
                .map(TopicWatcher.Seen::message)
                .filter(e -> e.status().finished() && wanted.contains(e.id()))
                .toList();
        Map<String, Generation> first = new HashMap<>();
        all.forEach(e -> first.putIfAbsent(e.id(), e));
        int completed = (int) first.values().stream()
                .filter(e -> e.status() == GenerationStatus.COMPLETED)
                .count();
        Map<String, Integer> failed = new TreeMap<>();
        first.values().stream()
                .filter(e -> e.status() != GenerationStatus.COMPLETED)
                .forEach(e -> failed.merge(reason(e), 1, Integer::sum));
        int extraRuns = JobOutcomes.extraRuns(progress, p -> wanted.contains(p.requestId()));
        return new JobOutcomes(completed, failed, wanted.size() - first.size(), all.size() - first.size(), extraRuns);
    }

    /** The first failed image's reason, else the request's status. */
    private static String reason(Generation event) {
        return event.images().stream()
                .filter(i -> i.error() != null)
                .map(i -> i.error().reason().toUpperCase(java.util.Locale.ROOT))
                .findFirst()
                .orElse(event.status().toString());
    }

    private static long finished(List<TopicWatcher.Seen<Generation>> seen, Set<String> wanted) {
        return seen.stream()
                .filter(s -> s.message().status().finished())
                .map(s -> s.message().id())
                .filter(wanted::contains)
                .distinct()
                .count();
    }
}
