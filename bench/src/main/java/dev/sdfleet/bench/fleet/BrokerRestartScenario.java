package dev.sdfleet.bench.fleet;

import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.dispatcher.support.TestTenants;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The broker stops and starts again (same port, same data) while requests flow in over both ingresses and real
 * workers make their images. Publishers behave as careful services do: HTTP callers retry with the same
 * Idempotency-Key on a 5xx or a failed connection, Kafka producers keep their records while the broker is away. Every
 * request must then end exactly once: one completion event, one validly signed completion webhook (one webhook-id,
 * one body), and one image in S3.
 */
final class BrokerRestartScenario implements FaultScenario {
    /** How long the broker stays down: long enough that every client notices, short of the producers' timeouts. */
    private static final Duration DOWN = Duration.ofSeconds(10);

    private static final int SUBMITTERS = 8;
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @Override
    public String name() {
        return "broker restart";
    }

    @Override
    public String describe(int size) {
        return size + " requests (HTTP and Kafka ingress mixed), broker down " + DOWN.toSeconds() + " s after a third";
    }

    @Override
    public Row run(BenchStack bench, int size, PrintStream log) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(TestTenants.ACME_SECRET);
                DispatcherRig rig = DispatcherRig.start(bench, "restart", 2, 2, DispatcherRig.QUICK_WEBHOOKS)) {
            Submitted submitted = submit(bench, rig, receiver, size, log);
            long back = submitted.brokerBackNanos();
            Duration timeout = Duration.ofMinutes(5).plusMillis(300L * size);
            JobOutcomes outcomes = rig.awaitCompletions(submitted.ids(), timeout);
            double recovery = (System.nanoTime() - back) / 1e9;
            WebhookReceiver.Tally webhooks = receiver.await(submitted.ids(), Duration.ofMinutes(2));
            Set<String> withEvent = rig.completionEventsSeen().keySet();
            Set<String> imagesWrong = imagesMissingOrTwice(bench, submitted.ids(), log);
            imagesWrong.retainAll(withEvent); // one without its event is lost already
            log.printf(
                    "broker restart: %d requests accepted (%d refused), outcomes %s, webhooks %s, %d requests with"
                            + " their event but not one image in S3%n",
                    submitted.ids().size(), submitted.refused(), outcomes, webhooks, imagesWrong.size());
            return Row.of(
                            name(),
                            describe(size),
                            size,
                            outcomes,
                            // Lost too: a request a careful publisher could not get accepted, and one that ended but
                            // has not exactly one image in S3.
                            submitted.refused() + imagesWrong.size(),
                            0,
                            rig.workersDownOrUnready() + (rig.dispatcherHealthy() ? 0 : 1),
                            0,
                            0,
                            recovery)
                    // A repeat is no miss here: a call whose success the dispatcher could not record while the broker
                    // was away goes out again, same webhook-id and body, which receivers deduplicate by that id.
                    .withChecks(
                            webhooks.describe() + " (repeats: same id and body, retried over the restart)",
                            webhooks.missing() + webhooks.invalidSignatures() + webhooks.changedBodies());
        }
    }

    /** The accepted requests' ids, how many never were accepted, and when the broker answered again. */
    private record Submitted(List<String> ids, int refused, long brokerBackNanos) {}

    /**
     * Submits {@code size} requests from {@link #SUBMITTERS} callers (even ones over HTTP, odd ones over Kafka) and
     * restarts the broker once a third are in.
     */
    private static Submitted submit(
            BenchStack bench, DispatcherRig rig, WebhookReceiver receiver, int size, PrintStream log) throws Exception {
        GenerationSubmitter submitter = rig.submitter();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(Math.max(1, size / 3));
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<GenerationSubmitter.Published> pending = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        long back;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < SUBMITTERS; c++) {
                callers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < size; i = next.getAndIncrement()) {
                        String prompt = "a red circle on a blue background " + i;
                        try {
                            if (i % 2 == 0) {
                                ids.add(submitter.overHttpUntilAccepted(
                                        "restart-" + i, prompt, receiver.url(), PATIENCE));
                            } else {
                                pending.add(submitter.overKafkaLater(prompt, receiver.url()));
                            }
                        } catch (RuntimeException e) {
                            log.println("broker restart: request " + i + " not accepted: " + e.getMessage());
                            refused.incrementAndGet();
                        }
                        third.countDown();
                    }
                    return null;
                });
            }
            third.await();
            long stopping = System.nanoTime();
            bench.stack().restartKafka(DOWN);
            back = System.nanoTime();
            log.printf(
                    "broker restart: broker stopped after %d submissions, back after %.1f s%n",
                    next.get(), (back - stopping) / 1e9);
        }
        for (GenerationSubmitter.Published p : pending) {
            try {
                p.acknowledged().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                ids.add(p.requestId());
            } catch (ExecutionException e) {
                log.println("broker restart: request " + p.requestId() + " not published: " + e.getCause());
                refused.incrementAndGet();
            }
        }
        return new Submitted(List.copyOf(ids), refused.get(), back);
    }

    /** The requests of {@code ids} whose image is not in S3 exactly once (one request, one image). */
    private static Set<String> imagesMissingOrTwice(BenchStack bench, List<String> ids, PrintStream log) {
        Set<String> wanted = Set.copyOf(ids);
        Map<String, Integer> objects = new HashMap<>();
        try (S3Client s3 =
                S3Clients.client(bench.stack().s3Endpoint(), bench.stack().credentials())) {
            s3.listObjectsV2Paginator(b -> b.bucket(bench.stack().bucket()).prefix("images/")).contents().stream()
                    .map(S3Object::key)
                    .map(key -> key.split("/"))
                    .filter(parts -> parts.length > 2 && wanted.contains(parts[1]))
                    .forEach(parts -> objects.merge(parts[1], 1, Integer::sum));
        }
        Set<String> wrong = new HashSet<>();
        for (String id : ids) {
            int count = objects.getOrDefault(id, 0);
            if (count != 1) {
                wrong.add(id);
                log.println("broker restart: request " + id + " has " + count + " images in S3");
            }
        }
        return wrong;
    }
}
