package dev.sdfleet.bench.fleet;

import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.worker.WorkerProcess;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole fleet on one scope, for the scenarios that go through the front door: a dispatcher in this JVM, real
 * workers in child JVMs, a submitter for both ingresses, and watchers of the completion events, the job progress and
 * the dead letters (opened before anything is submitted, so they miss nothing). Closes everything it started.
 */
final class DispatcherRig implements AutoCloseable {
    /** Short webhook timings, so a scenario sees retries and bounded attempts in seconds, not hours. */
    static final WebhookSettings QUICK_WEBHOOKS = WebhookSettings.defaults()
            .withTimeout(Duration.ofSeconds(3))
            .withBackoff(Duration.ofMillis(500), Duration.ofSeconds(5));

    private final BenchStack.Scope scope;
    private final Dispatcher dispatcher;
    private final List<WorkerProcess> workers;
    private final GenerationSubmitter submitter;
    private final TopicWatcher<Generation> events;
    private final TopicWatcher<JobProgress> progress;
    private final TopicWatcher<DeadLetter> deadLetters;
    private final List<AutoCloseable> opened;

    private DispatcherRig(
            BenchStack.Scope scope,
            Dispatcher dispatcher,
            List<WorkerProcess> workers,
            GenerationSubmitter submitter,
            TopicWatcher<Generation> events,
            TopicWatcher<JobProgress> progress,
            TopicWatcher<DeadLetter> deadLetters,
            List<AutoCloseable> opened) {
        this.scope = scope;
        this.dispatcher = dispatcher;
        this.workers = workers;
        this.submitter = submitter;
        this.events = events;
        this.progress = progress;
        this.deadLetters = deadLetters;
        this.opened = opened;
    }

    /**
     * A new scope {@code name} with {@code partitions} partitions, its dispatcher (sending webhooks with {@code
     * webhooks}), then the watchers, then {@code workerCount} single-threaded workers, each ready.
     */
    static DispatcherRig start(BenchStack bench, String name, int partitions, int workerCount, WebhookSettings webhooks)
            throws InterruptedException {
        BenchStack.Scope scope = bench.scope(name, partitions);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            // The dispatcher first: it grows the scope's inputs, which the watchers and workers then see whole.
            Dispatcher dispatcher = bench.startDispatcher(bench.dispatcherConfig(scope, name + "-dispatcher", webhooks)
                    .build());
            opened.add(dispatcher);
            TopicWatcher<Generation> events =
                    new TopicWatcher<>(bench.kafkaClient(), scope.topics().events(), Generation.class);
            opened.add(events);
            TopicWatcher<JobProgress> progress =
                    new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobProgress.class);
            opened.add(progress);
            TopicWatcher<DeadLetter> deadLetters =
                    new TopicWatcher<>(bench.kafkaClient(), scope.topics().dlq(), DeadLetter.class);
            opened.add(deadLetters);
            GenerationSubmitter submitter = new GenerationSubmitter(
                    dispatcher.baseUrl(), bench.kafkaClient(), scope.topics().requests());
            opened.add(submitter);
            List<WorkerProcess> workers = new ArrayList<>();
            for (int i = 0; i < workerCount; i++) {
                WorkerProcess worker = bench.startProcess(
                        bench.config(scope, name + "-worker-" + i).threads(1).build());
                opened.add(worker);
                workers.add(worker);
            }
            return new DispatcherRig(
                    scope, dispatcher, List.copyOf(workers), submitter, events, progress, deadLetters, opened);
        } catch (RuntimeException | InterruptedException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    BenchStack.Scope scope() {
        return scope;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    GenerationSubmitter submitter() {
        return submitter;
    }

    TopicWatcher<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** The dispatcher's own topic (webhook outcomes, redeliveries), which it also consumes. */
    String controlTopic() {
        return dispatcher.config().controlTopic();
    }

    /** Waits for each request's completion event and counts them ({@link CompletionEvents}). */
    JobOutcomes awaitCompletions(Collection<String> requestIds, Duration timeout) {
        return CompletionEvents.await(requestIds, events, progress, timeout, Duration.ofSeconds(1));
    }

    /** When this rig first saw each request's completion event (System.nanoTime()), by request id. */
    Map<String, Long> completionEventsSeen() {
        Map<String, Long> seen = new HashMap<>();
        events.all(Duration.ZERO).stream()
                .filter(s -> s.message().status().finished())
                .forEach(s -> seen.putIfAbsent(s.message().id(), s.seenAtNanos()));
        return seen;
    }

    /** Whether the dispatcher's stream tasks run and its liveness and readiness probes answer 200. */
    boolean dispatcherHealthy() throws InterruptedException {
        try {
            return dispatcher.ready()
                    && submitter
                                    .send(submitter
                                            .request("/health/live")
                                            .GET()
                                            .build())
                                    .statusCode()
                            == 200
                    && submitter
                                    .send(submitter
                                            .request("/health/ready")
                                            .GET()
                                            .build())
                                    .statusCode()
                            == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The dispatcher's webhook tries so far with {@code outcome} (delivered, failed, refused), from its metrics. */
    long webhookTries(String outcome) {
        Counter tries = dispatcher
                .metrics()
                .registry()
                .find("sdfleet.dispatcher.webhook.deliveries")
                .tag("outcome", outcome)
                .counter();
        return tries == null ? 0 : (long) tries.count();
    }

    /** Workers of this rig that are no longer running (none is stopped on purpose here). */
    int deadWorkers() {
        return (int) workers.stream().filter(w -> !w.isAlive()).count();
    }

    /**
     * Workers of this rig that died or do not answer ready within 10 s (readiness covers the consumer loop and the
     * cancel listener, which reads the cancels topic the dispatcher scenarios poison). None is stopped on purpose here.
     */
    int workersDownOrUnready() throws InterruptedException {
        int down = 0;
        for (WorkerProcess worker : workers) {
            try {
                worker.awaitReady(Duration.ofSeconds(10));
            } catch (IllegalStateException e) {
                down++;
            }
        }
        return down;
    }

    @Override
    public void close() {
        RuntimeException failure = new RuntimeException("closing the dispatcher rig failed");
        closeAll(opened, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /** Closes {@code resources} last opened first, adding what fails to {@code failure}. */
    private static void closeAll(List<AutoCloseable> resources, Exception failure) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
