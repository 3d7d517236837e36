package dev.sdfleet.bench.fleet;

import dev.sdfleet.dispatcher.support.TestTenants;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's webhook receiver that answers slowly or without end ({@link WebhookReceiver.Behaviour}: trickling one
 * byte every 2 s, or flooding an 8 GiB body), next to a healthy one that other requests' webhooks go to. Half the
 * requests (HTTP and Kafka ingress in turn) name the hostile receiver, half the healthy one. Passes when every request
 * has exactly one completion event, every healthy webhook arrives validly signed and once, every hostile webhook-id was
 * tried and each of its answers was cut by the dispatcher (none ran to its end), never two at once for one webhook-id,
 * and the heap after a full collection grew by less than {@value #HEAP_BOUND_MIB} MiB (dispatcher and bench share this
 * JVM, so the figure bounds the dispatcher's).
 */
final class HostileReceiverScenario implements FaultScenario {
    private static final int WORKERS = 1;
    private static final long HEAP_BOUND_MIB = 256;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private final String kind;
    private final WebhookReceiver.Behaviour behaviour;

    private HostileReceiverScenario(String kind, WebhookReceiver.Behaviour behaviour) {
        this.kind = kind;
        this.behaviour = behaviour;
    }

    /** A receiver that sends one byte of its answer every 2 s (its whole answer would take over half an hour). */
    static HostileReceiverScenario trickling() {
        return new HostileReceiverScenario(
                "trickling", new WebhookReceiver.Behaviour.Trickle(Duration.ofSeconds(2), 1000));
    }

    /** A receiver that streams an 8 GiB answer as fast as it is taken. */
    static HostileReceiverScenario flooding() {
        return new HostileReceiverScenario("flooding", new WebhookReceiver.Behaviour.Flood(8L << 30));
    }

    @Override
    public String name() {
        return kind + " webhook receiver";
    }

    @Override
    public String describe(int size) {
        return size + " webhooks each to a " + kind + " and a healthy receiver";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        try (WebhookReceiver healthy = new WebhookReceiver(TestTenants.ACME_SECRET);
                WebhookReceiver hostile = new WebhookReceiver(TestTenants.ACME_SECRET, behaviour);
                DispatcherRig rig = DispatcherRig.start(bench, kind, 2, WORKERS, DispatcherRig.QUICK_WEBHOOKS)) {
            long heapBefore = usedHeapAfterGc();
            List<String> hostileIds = new ArrayList<>();
            List<String> healthyIds = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < size; i++) {
                hostileIds.add(
                        rig.submitter().mixed(i, "a red circle for a " + kind + " receiver " + i, hostile.url()));
                healthyIds.add(rig.submitter().mixed(i + 1, "a red circle for a healthy receiver " + i, healthy.url()));
            }
            List<String> all = new ArrayList<>(hostileIds);
            all.addAll(healthyIds);
            JobOutcomes outcomes = rig.awaitCompletions(all, Duration.ofMinutes(5));
            WebhookReceiver.Tally healthyTally = healthy.await(healthyIds, WAIT);
            Map<String, Long> arrivals = healthy.completionArrivals();
            Map<String, Long> events = rig.completionEventsSeen();
            double slowestHealthy = healthyIds.stream()
                            .filter(id -> arrivals.containsKey(id) && events.containsKey(id))
                            // the webhook can beat the watcher's read of the event: no wait at all, not a negative one
                            .mapToLong(id -> Math.max(0, arrivals.get(id) - events.get(id)))
                            .max()
                            .orElse(0)
                    / 1e9;
            Set<String> uncut = awaitEveryHostileCallCut(hostile, hostileIds);
            double recovery = (System.nanoTime() - started) / 1e9;
            List<WebhookReceiver.Answer> answers = hostile.answers();
            long ranToEnd = answers.stream().filter(a -> !a.cutByCaller()).count();
            long mostTaken = answers.stream()
                    .mapToLong(WebhookReceiver.Answer::bytesWritten)
                    .max()
                    .orElse(0);
            double longest = answers.stream()
                            .mapToLong(WebhookReceiver.Answer::nanos)
                            .max()
                            .orElse(0)
                    / 1e9;
            long heapGrowthMib = (usedHeapAfterGc() - heapBefore) >> 20;
            WebhookReceiver.Tally hostileTally = hostile.tally(hostileIds);
            int missed = healthyTally.missed()
                    + hostileTally.invalidSignatures()
                    + hostileTally.changedBodies()
                    + uncut.size()
                    + (int) ranToEnd
                    + (hostile.mostAtOnceForOneId() > 1 ? 1 : 0)
                    + (heapGrowthMib >= HEAP_BOUND_MIB ? 1 : 0);
            String checks = String.format(
                    "healthy receiver: %s, slowest %.1f s after its completion event was read; %s receiver: %d calls for %d webhook-ids,"
                            + " %d answers cut by the dispatcher, %d ran to their end, %d webhook-ids never cut,"
                            + " longest answer %.1f s, most taken of one answer %d KiB, at most %d at once per"
                            + " webhook-id, %d tries failed; heap after GC grew %d MiB",
                    healthyTally.describe(),
                    slowestHealthy,
                    kind,
                    hostile.deliveries().size(),
                    hostileIds.size(),
                    answers.size() - ranToEnd,
                    ranToEnd,
                    uncut.size(),
                    longest,
                    mostTaken >> 10,
                    hostile.mostAtOnceForOneId(),
                    rig.webhookTries("failed"),
                    heapGrowthMib);
            log.println("  " + checks);
            return Row.of(
                            name(),
                            describe(size),
                            all.size(),
                            outcomes,
                            0,
                            0,
                            rig.workersDownOrUnready() + (rig.dispatcherHealthy() ? 0 : 1),
                            0,
                            0,
                            recovery)
                    .withChecks(checks, missed);
        }
    }

    /**
     * Waits (up to {@link #WAIT}) until each hostile webhook-id has an answer the dispatcher cut; returns those that
     * have none. An attempt without a bound would never be cut: the answers outlast the wait.
     */
    private static Set<String> awaitEveryHostileCallCut(WebhookReceiver hostile, List<String> requestIds)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> uncut = new HashSet<>(requestIds);
        while (!uncut.isEmpty() && System.nanoTime() < deadline) {
            for (WebhookReceiver.Answer a : hostile.answers()) {
                if (a.cutByCaller()) {
                    uncut.remove(WebhookReceiver.completedRequestOf(a.webhookId()));
                }
            }
            Thread.sleep(200);
        }
        return uncut;
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
