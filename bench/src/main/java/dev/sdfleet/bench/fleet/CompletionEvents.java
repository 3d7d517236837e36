package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.ImageOutcome;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.RequestEvent;
import dev.sdfleet.protocol.RequestStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts the dispatcher's request-level completion events ({@link RequestEvent} on the events topic, one per request
 * when all is well) for a set of requests, read from outside: completed, failed by reason, lost (no event), and
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
            TopicWatcher<RequestEvent> events,
            TopicWatcher<JobProgress> progress,
            Duration timeout,
            Duration settle) {
        Set<String> wanted = Set.copyOf(requestIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && finished(events.all(Duration.ofMillis(200)), wanted) < wanted.size()) {
            // keep reading: the watcher polls inside all()
        }
        List<RequestEvent> all = events.all(settle).stream()
                .map(TopicWatcher.Seen::message)
                .filter(e -> wanted.contains(e.requestId()))
                .toList();
        Map<String, RequestEvent> first = new HashMap<>();
        all.forEach(e -> first.putIfAbsent(e.requestId(), e));
        int completed = (int) first.values().stream()
                .filter(e -> e.status() == RequestStatus.COMPLETED)
                .count();
        Map<String, Integer> failed = new TreeMap<>();
        first.values().stream()
                .filter(e -> e.status() != RequestStatus.COMPLETED)
                .forEach(e -> failed.merge(reason(e), 1, Integer::sum));
        int extraRuns = JobOutcomes.extraRuns(progress, p -> wanted.contains(p.requestId()));
        return new JobOutcomes(completed, failed, wanted.size() - first.size(), all.size() - first.size(), extraRuns);
    }

    /** The first failed image's reason, else the request's status. */
    private static String reason(RequestEvent event) {
        return event.images().stream()
                .filter(i -> i.error() != null)
                .map(ImageOutcome::error)
                .map(f -> f.reason().toString())
                .findFirst()
                .orElse(event.status().toString());
    }

    private static long finished(List<TopicWatcher.Seen<RequestEvent>> seen, Set<String> wanted) {
        return seen.stream()
                .map(s -> s.message().requestId())
                .filter(wanted::contains)
                .distinct()
                .count();
    }
}
