package dev.sdfleet.bench.fleet;

import dev.sdfleet.dispatcher.support.TestTenants;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tenant's webhook receiver down (its port refuses connections) while its requests complete, then back. Requests
 * (HTTP and Kafka ingress in turn) are spread over the first 80% of the outage, so some complete early in it and some
 * late. Passes when every request has exactly one completion event and, once the receiver is back, exactly one
 * validly signed call per webhook-id, with the body its first try carried; the tries that failed while it was down are
 * counted apart (the dispatcher's metric), not as duplicates.
 */
final class WebhookOutageScenario implements FaultScenario {
    private static final int WORKERS = 1;

    /** 4 requests at least, one more per 20 s of outage. */
    private static int requests(int seconds) {
        return 4 + seconds / 20;
    }

    @Override
    public String name() {
        return "webhook receiver down";
    }

    @Override
    public String describe(int size) {
        return size + " s with the webhook receiver down, then back";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(TestTenants.ACME_SECRET);
                DispatcherRig rig = DispatcherRig.start(bench, "hookdown", 2, WORKERS, DispatcherRig.QUICK_WEBHOOKS)) {
            receiver.down();
            long downAt = System.nanoTime();
            long backAt = downAt + Duration.ofSeconds(size).toNanos();
            int count = requests(size);
            long spacing = Duration.ofSeconds(size).toNanos() * 8 / 10 / count;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(rig.submitter().mixed(i, "a red circle while the receiver is down " + i, receiver.url()));
                sleepUntil(downAt + (i + 1) * spacing);
            }
            JobOutcomes outcomes = rig.awaitCompletions(ids, Duration.ofMinutes(5));
            sleepUntil(backAt);
            long failedWhileDown = rig.webhookTries("failed");
            receiver.up();
            long upAt = System.nanoTime();
            log.printf(
                    "webhook outage: %d requests, %d completion events while down; %d webhook tries failed; back%n",
                    ids.size(),
                    outcomes.completed()
                            + outcomes.failed().values().stream()
                                    .mapToInt(Integer::intValue)
                                    .sum(),
                    failedWhileDown);
            WebhookReceiver.Tally tally = receiver.await(ids, Duration.ofMinutes(2));
            Map<String, Long> arrivals = receiver.completionArrivals();
            double recovery = ids.stream()
                            .filter(arrivals::containsKey)
                            .mapToLong(arrivals::get)
                            .max()
                            .orElse(upAt)
                    - upAt;
            // A little longer, so a duplicate call right behind the first shows in the tally.
            Thread.sleep(DispatcherRig.QUICK_WEBHOOKS.timeout().toMillis());
            tally = receiver.tally(ids);
            return Row.of(
                            name(),
                            describe(size),
                            ids.size(),
                            outcomes,
                            0,
                            0,
                            rig.workersDownOrUnready() + (rig.dispatcherHealthy() ? 0 : 1),
                            0,
                            0,
                            Math.max(0, recovery) / 1e9)
                    .withChecks(tally.describe() + "; " + failedWhileDown + " tries failed while down", tally.missed());
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }
}
