package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.config.ModelCatalogue;
import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Fingerprints;
import dev.sdfleet.dispatcher.state.ImagePhase;
import dev.sdfleet.dispatcher.state.ImageState;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.view.GenerationDocuments;
import dev.sdfleet.dispatcher.webhook.WebhookPayloads;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobId;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.Jobs;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.ValidationException;
import dev.sdfleet.protocol.WebhookEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request state machine: one instance per stream task, i.e. per partition number of the co-partitioned input
 * topics (requests, results, cancels, control), so it owns every request of its partition outright. Everything it
 * writes (store, changelog, jobs, events, cancels, dead letters) commits in one exactly-once transaction with the
 * input offsets: a crash replays the inputs, and nothing is published twice or lost.
 *
 * <p>Time-driven work (deadlines, webhook tries, retention) runs from a wall-clock punctuator over the timer store.
 *
 * <p>A tenant with a cap on images in flight has at most that many of its images released (published, not ended) on
 * this partition: the rest are held in the state ({@link ImagePhase#HELD}, indexed by {@link HeldImages}) and released
 * best first whenever one of the tenant's images ends, so another tenant's job never queues behind this tenant's
 * backlog on the jobs topics.
 */
final class DispatcherProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherProcessor.class);
    /** Bounds one punctuation, so a backlog of timers cannot stall the stream thread past its poll interval. */
    private static final int MAX_TIMERS_PER_TICK = 500;
    /** A request's progress goes out (events topic, progress webhook) at most this often. */
    static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(1);

    private static final byte[] PROGRESS_TYPE =
            MessageType.JOB_PROGRESS.ceType().getBytes(StandardCharsets.UTF_8);

    private final ProcessorHooks hooks;
    private final Topics topics;
    private final Outputs outputs;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, RequestState> requests;
    private KeyValueStore<String, String> timers;
    private HeldImages held;
    private QueueTally.TaskTally tally;
    private WebhookSchedule webhooks;
    private String taskId;
    /** Whether the first tick has given every unfinished request of the store its stall timer. */
    private boolean stallTimersChecked;

    DispatcherProcessor(ProcessorHooks hooks) {
        this.hooks = hooks;
        this.topics = hooks.config().topics();
        this.outputs = new Outputs(hooks.config().source());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> ctx) {
        context = ctx;
        requests = ctx.getStateStore(DispatcherTopology.REQUESTS_STORE);
        timers = ctx.getStateStore(DispatcherTopology.TIMERS_STORE);
        held = new HeldImages(ctx.getStateStore(DispatcherTopology.HELD_STORE));
        webhooks = new WebhookSchedule(hooks, timers);
        taskId = ctx.taskId().toString();
        tally = hooks.tally().open(taskId);
        // Stores are restored before init: the tally of this partition (queued jobs, each tenant's released and held
        // images) is rebuilt from them.
        try (KeyValueIterator<String, RequestState> all = requests.all()) {
            all.forEachRemaining(kv -> {
                if (!kv.value.finished()) {
                    tally.changed(null, kv.value);
                    tally.started(kv.key, kv.value.acceptedAt());
                }
            });
        }
        ctx.schedule(hooks.config().tick(), PunctuationType.WALL_CLOCK_TIME, ms -> onTick(now()));
    }

    @Override
    public void close() {
        hooks.tally().close(taskId);
    }

    /**
     * Applies one input record. A record that breaks the contract throws a {@code ValidationException}, and anything
     * unexpected escapes too: Kafka Streams hands both to {@link DeadLetterHandler}, which parks the record on the
     * dead-letter topic in this task's transaction and moves on. So the checks come before any store write or
     * output, and a poison record costs itself only.
     */
    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        // A null value (tombstone) has no meaning on these topics: the decoders refuse it like any other non-message.
        if (topic.equals(topics.requests())) {
            onRequest(record);
        } else if (topic.equals(topics.results()) && isProgress(record.headers())) {
            onProgress(Codec.decode(record.value(), JobProgress.class));
        } else if (topic.equals(topics.results())) {
            onResult(Codec.decode(record.value(), JobResult.class));
        } else if (topic.equals(topics.cancels())) {
            onCancel(Codec.decode(record.value(), CancelRequest.class));
        } else {
            onControl(ControlMessage.decode(record.key(), record.value()));
        }
    }

    private void onRequest(Record<String, byte[]> record) {
        ModelCatalogue models = hooks.config().models();
        GenerationRequest request = Codec.decode(models.withDefaults(record.value()), GenerationRequest.class);
        List<dev.sdfleet.protocol.FieldError> problems = new ArrayList<>(models.problems(request));
        if (request.requestId() == null) {
            problems.add(new dev.sdfleet.protocol.FieldError(
                    "request_id", "is required on the requests topic: it is the record key and the idempotency key"));
        } else if (!request.requestId().equals(record.key())) {
            problems.add(new dev.sdfleet.protocol.FieldError(
                    "request_id",
                    "must equal the record key (the request id), so every record of a request shares a partition"));
        }
        if (request.tenant() == null) {
            problems.add(new dev.sdfleet.protocol.FieldError("tenant", "is required on the requests topic"));
        } else {
            hooks.config()
                    .tenants()
                    .limits(request.tenant())
                    .sizeProblem(request)
                    .ifPresent(problems::add);
            // A tenant reads its own inputs only (the tenant of a Kafka request is trusted by ACL, its keys are not).
            problems.addAll(request.foreignInputKeys(request.tenant()));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        String id = request.requestId();
        String fingerprint = Fingerprints.of(request);
        String ingress = Outputs.ingressOf(record.headers());
        RequestState existing = requests.get(id);
        if (existing != null) {
            hooks.admissions().signal(id, existing);
            if (existing.fingerprint().equals(fingerprint)) {
                hooks.metrics().request(ingress, "duplicate");
                return;
            }
            hooks.metrics().request(ingress, "conflict");
            throw new ValidationException(
                    "request_id",
                    "is already taken by a different request (tenant "
                            + (existing.tenant().equals(request.tenant()) ? "the same" : "another") + ")");
        }
        Instant now = now();
        long baseSeed = request.seed() != null
                ? request.seed()
                : ThreadLocalRandom.current().nextLong(GenerationRequest.MAX_SEED + 1);
        List<Job> jobs = Jobs.split(request, baseSeed, now);
        // A capped tenant's images all start held; release() then publishes what the cap allows, best first, so a
        // high request of the tenant overtakes its own held normal ones.
        boolean capped = limits(request.tenant()).capsImagesInFlight();
        RequestState state = RequestState.accepted(
                request,
                fingerprint,
                ingress,
                now,
                baseSeed,
                jobs.stream()
                        .map(j -> capped
                                ? ImageState.held(j.imageIndex(), j.seed())
                                : ImageState.queued(j.imageIndex(), j.seed()))
                        .toList());
        String trace = RequestTrace.ofRequest(record.headers());
        state = state.withTraceParent(trace);
        if (request.deadline() != null && !now.isBefore(request.deadline())) {
            // Dropped before any job reaches a GPU.
            Failure late = new Failure(
                    FailureReason.DEADLINE_EXCEEDED,
                    "the deadline " + request.deadline() + " had passed when the request was admitted",
                    false);
            state = finish(state.withImages(i -> i.failed(late, null, now)), now);
        } else {
            if (!capped) {
                jobs.forEach(job -> publish(job, trace, now));
            }
            tally.started(id, now);
            timers.put(Timers.key(now.plus(hooks.config().maxRequestAge()), Timers.STALL, id), "");
            if (request.deadline() != null) {
                timers.put(Timers.key(request.deadline(), Timers.DEADLINE, id), "");
            }
        }
        save(null, state);
        release(request.tenant(), now);
        // A capped tenant's release() may have stored a newer state of this request (an image released): read it.
        hooks.admissions().signal(id, capped ? requests.get(id) : state);
        if (!"http".equals(ingress)) {
            hooks.metrics().request(ingress, "accepted");
        }
    }

    private void onResult(JobResult result) {
        RequestState state = requests.get(result.requestId());
        if (state == null || state.finished()) {
            LOG.debug("Result {} ignored: request unknown or finished", result.jobId());
            return;
        }
        if (result.imageIndex() >= state.images().size()) {
            throw new ValidationException(
                    "image_index",
                    "request " + result.requestId() + " has " + state.images().size() + " images, got index "
                            + result.imageIndex());
        }
        ImageState image = state.images().get(result.imageIndex());
        if (!image.phase().awaitsResult() || result.attempt() != image.attempt()) {
            return; // a redelivered result, one of an attempt already replaced, or of a job never published
        }
        RequestState before = state;
        Instant now = now();
        GenerationRequest request = state.request();
        state = state.progressed(now);
        if (result.status() == JobStatus.SUCCEEDED) {
            state = state.withImage(image.succeeded(result.output(), result.workerId(), result.finishedAt()));
            if (request.webhook() != null && request.webhook().wants(WebhookEvent.IMAGE_COMPLETED)) {
                Generation document = GenerationDocuments.forEvent(state, hooks.imageLinks());
                state = webhooks.add(
                        state,
                        WebhookPayloads.messageId(state.requestId(), WebhookEvent.IMAGE_COMPLETED, image.index(), now),
                        WebhookEvent.IMAGE_COMPLETED,
                        WebhookPayloads.body(WebhookEvent.IMAGE_COMPLETED, document, now),
                        now);
            }
        } else if (result.error().retryable()
                && image.attempt() < hooks.config().maxAttempts()
                && (request.deadline() == null || now.isBefore(request.deadline()))) {
            // The image stays in flight, so it keeps its tenant's slot.
            ImageState retried = image.retried();
            publish(jobOf(state, retried, now), state.traceParent(), now);
            state = state.withImage(retried);
        } else {
            state = state.withImage(image.failed(result.error(), result.workerId(), result.finishedAt()));
        }
        if (state.allImagesTerminal()) {
            state = finish(state, now);
        }
        save(before, state);
        release(state.tenant(), now);
    }

    /** Whether a results-topic record is a worker's progress report rather than a job's result. */
    private static boolean isProgress(Headers headers) {
        Header type = headers == null ? null : headers.lastHeader(CloudEventHeaders.TYPE);
        return type != null && java.util.Arrays.equals(PROGRESS_TYPE, type.value());
    }

    /**
     * A worker's step count for a running image: stored (GET and the event stream show it) and announced (events
     * topic, progress webhook) at most once per {@link #ANNOUNCE_EVERY} per request. Reports within the second, of
     * another attempt, of an ended image, or that would move the count back are dropped: progress is for people
     * watching, never for accounting.
     */
    private void onProgress(JobProgress progress) {
        RequestState state = requests.get(progress.requestId());
        if (state == null || state.finished()) {
            return;
        }
        int index = JobId.parse(progress.jobId()).imageIndex();
        if (index >= state.images().size()) {
            throw new ValidationException(
                    "job_id",
                    "request " + progress.requestId() + " has " + state.images().size() + " images, got index "
                            + index);
        }
        ImageState image = state.images().get(index);
        boolean sameAttempt = progress.attempt() == null || progress.attempt() == image.attempt();
        boolean forward = image.step() == null || progress.step() > image.step();
        if (!image.phase().awaitsResult() || !sameAttempt || !forward) {
            return;
        }
        Instant now = now();
        if (state.announcedAt() != null && now.isBefore(state.announcedAt().plus(ANNOUNCE_EVERY))) {
            // Within the second: a write of the whole state (its inline images too) per report would cost the
            // changelog more than a progress bar is worth; the next report after the second carries the news.
            return;
        }
        RequestState before = state;
        state = announceProgress(state.withImage(image.running(progress.step(), progress.totalSteps())), now);
        save(before, state);
    }

    private RequestState announceProgress(RequestState state, Instant now) {
        publishDocument(state, "progress" + now.toEpochMilli(), now);
        GenerationRequest request = state.request();
        if (request.webhook() != null && request.webhook().wants(WebhookEvent.GENERATION_PROGRESS)) {
            // The webhook's document has download links (signed now); built only for a request that wants it.
            Generation document = GenerationDocuments.forEvent(state, hooks.imageLinks());
            state = webhooks.replaceProgress(
                    state,
                    WebhookPayloads.messageId(state.requestId(), WebhookEvent.GENERATION_PROGRESS, null, now),
                    WebhookPayloads.body(WebhookEvent.GENERATION_PROGRESS, document, now),
                    now);
        }
        return state.announced(now);
    }

    private void onCancel(CancelRequest cancel) {
        RequestState state = requests.get(cancel.requestId());
        if (state == null || state.finished()) {
            return; // cancelling is idempotent; a finished request stays as it ended
        }
        Instant now = now();
        String reason = cancel.reason() == null ? "cancelled" : cancel.reason();
        Failure cancelled = new Failure(FailureReason.CANCELLED, reason, false);
        RequestState before = state;
        String id = state.requestId();
        // Held images end here without ever being published; released ones end here too (workers skip or stop them).
        state = state.withImages(i -> !i.phase().terminal()
                                && (cancel.jobId() == null || cancel.jobId().equals(id + "/" + i.index()))
                        ? i.failed(cancelled, null, now)
                        : i)
                .cancelled(reason);
        if (state.allImagesTerminal()) {
            state = finish(state, now);
        }
        save(before, state);
        release(state.tenant(), now);
    }

    private void onControl(ControlMessage message) {
        RequestState state = requests.get(message.requestId());
        RequestState updated = state == null ? null : webhooks.apply(state, message, now());
        if (updated != null) {
            save(state, updated);
        }
    }

    private void onTick(Instant now) {
        if (!stallTimersChecked) {
            stallTimersChecked = true;
            addStallTimers();
            // Caps may have been raised or lifted since the images were held (a restart with a new tenants file).
            tally.holding().forEach(tenant -> release(tenant, now));
        }
        List<String> due = new ArrayList<>();
        for (Timers.Range range : Timers.due(now)) {
            try (KeyValueIterator<String, String> it = timers.range(range.from(), range.to())) {
                while (it.hasNext() && due.size() < MAX_TIMERS_PER_TICK) {
                    due.add(it.next().key);
                }
            }
        }
        for (String key : due) {
            timers.delete(key);
            Timers.Timer timer = Timers.Timer.parse(key);
            RequestState state = requests.get(timer.requestId());
            if (state == null) {
                continue;
            }
            switch (timer.kind()) {
                case Timers.DEADLINE -> onDeadline(state, now);
                case Timers.WEBHOOK -> onWebhookDue(state, timer.deliveryId(), now);
                case Timers.EXPIRY -> onExpiry(state, now);
                case Timers.STALL -> onStall(state, now);
                default -> LOG.warn("Unknown timer {}", key);
            }
        }
    }

    private void onDeadline(RequestState state, Instant now) {
        if (state.finished()) {
            return;
        }
        GenerationRequest request = state.request();
        Failure late = new Failure(
                FailureReason.DEADLINE_EXCEEDED,
                "the deadline " + request.deadline() + " passed before the image was made",
                false);
        RequestState expired = finish(state.withImages(i -> i.phase().terminal() ? i : i.failed(late, null, now)), now);
        // Workers skip the dropped jobs still queued and stop a running one.
        CancelRequest cancel = CancelRequest.ofRequest(state.requestId(), "deadline exceeded", now);
        context.forward(
                RequestTrace.inTrace(outputs.cancel(cancel, now), state.traceParent()),
                DispatcherTopology.CANCELS_SINK);
        save(state, expired);
        release(state.tenant(), now);
    }

    /**
     * Ends a request that has had no result for the maximum age (its job lost with a worker, a worker stuck): its
     * unfinished images fail with {@code STALLED}, the event and webhook go out, and workers are told to drop the
     * jobs. A request that moved on since the timer was set gets a timer at its new due time instead.
     */
    private void onStall(RequestState state, Instant now) {
        if (state.finished()) {
            return;
        }
        Duration maxAge = hooks.config().maxRequestAge();
        Instant due = state.lastProgress().plus(maxAge);
        if (now.isBefore(due)) {
            timers.put(Timers.key(due, Timers.STALL, state.requestId()), "");
            return;
        }
        if (state.queuedImages() == 0 && state.heldImages() > 0) {
            // Waiting only for its tenant's released images to end: nothing of it is in a worker's hands, and its
            // tenant's own images stall (and free their slots) if they are lost. Its release counts as progress.
            timers.put(Timers.key(now.plus(maxAge), Timers.STALL, state.requestId()), "");
            return;
        }
        LOG.warn("Request {} had no result since {}: failing it as stalled", state.requestId(), state.lastProgress());
        Failure stalled = new Failure(
                FailureReason.STALLED,
                "no result for " + maxAge + " (since " + state.lastProgress() + "): the dispatcher ended the request",
                false);
        RequestState ended =
                finish(state.withImages(i -> i.phase().terminal() ? i : i.failed(stalled, null, now)), now);
        CancelRequest cancel = CancelRequest.ofRequest(state.requestId(), "stalled", now);
        context.forward(
                RequestTrace.inTrace(outputs.cancel(cancel, now), state.traceParent()),
                DispatcherTopology.CANCELS_SINK);
        save(state, ended);
        release(state.tenant(), now);
    }

    /** Stall timers for the unfinished requests of a store written before they existed (or a timer lost). */
    private void addStallTimers() {
        Duration maxAge = hooks.config().maxRequestAge();
        List<RequestState> unfinished = new ArrayList<>();
        try (KeyValueIterator<String, RequestState> all = requests.all()) {
            all.forEachRemaining(kv -> {
                if (!kv.value.finished()) {
                    unfinished.add(kv.value);
                }
            });
        }
        for (RequestState state : unfinished) {
            timers.put(Timers.key(state.lastProgress().plus(maxAge), Timers.STALL, state.requestId()), "");
        }
    }

    private void onWebhookDue(RequestState state, String deliveryId, Instant now) {
        RequestState updated = webhooks.due(state, deliveryId, now);
        if (updated != null) {
            save(state, updated);
        }
    }

    /**
     * Removes a finished request once its retention has passed since its last activity (the finish, or the last
     * webhook try), so a webhook that failed for a day stays visible, and redeliverable, for the retention after.
     */
    private void onExpiry(RequestState state, Instant now) {
        if (!state.finished() || state.deliveriesPending()) {
            timers.put(Timers.key(now.plus(Duration.ofHours(1)), Timers.EXPIRY, state.requestId()), "");
            return;
        }
        Instant expires = state.lastActivity().plus(hooks.config().retention());
        if (now.isBefore(expires)) {
            timers.put(Timers.key(expires, Timers.EXPIRY, state.requestId()), "");
        } else {
            requests.delete(state.requestId());
        }
    }

    /**
     * Puts the request's document on the events topic, without download links: the topic is read for days by
     * services with their own access to the store, and a link there would expire while still on the topic.
     */
    private void publishDocument(RequestState state, String what, Instant now) {
        Generation document = GenerationDocuments.forEvent(state, ImageLinks.none());
        context.forward(
                RequestTrace.inTrace(outputs.generation(document, what, now), state.traceParent()),
                DispatcherTopology.EVENTS_SINK);
    }

    /** Ends the request: its final document on the events topic, its webhook message, and the retention timer. */
    private RequestState finish(RequestState state, Instant now) {
        RequestState done = state.finishedAt(now);
        GenerationRequest request = done.request();
        tally.finished(done.requestId(), done.acceptedAt());
        // Progress messages not yet delivered are moot now: the final message says more.
        done = webhooks.dropProgress(done);
        publishDocument(done, "finished", now);
        if (request.deadline() != null) {
            timers.delete(Timers.key(request.deadline(), Timers.DEADLINE, done.requestId()));
        }
        WebhookEvent event = WebhookPayloads.terminalEvent(done.status());
        if (request.webhook() != null && request.webhook().wants(event)) {
            Generation document = GenerationDocuments.forEvent(done, hooks.imageLinks());
            done = webhooks.add(
                    done,
                    WebhookPayloads.messageId(done.requestId(), event, null, now),
                    event,
                    WebhookPayloads.body(event, document, now),
                    now);
        }
        timers.put(Timers.key(now.plus(hooks.config().retention()), Timers.EXPIRY, done.requestId()), "");
        hooks.metrics().finished(done.status());
        return done;
    }

    /**
     * Stores a request's new state: the one way the processor writes a request, so the tally (queued jobs, each
     * tenant's released and held images) and the held-images index follow every change of its images.
     *
     * @param before the stored state it replaces; null for a new request
     */
    private void save(RequestState before, RequestState after) {
        requests.put(after.requestId(), after);
        tally.changed(before, after);
        held.changed(before, after);
    }

    /**
     * Publishes the tenant's held images, next first, while fewer than its cap are released on this partition. Called
     * after everything that may end one of its images (a result, a cancel, a deadline, a stall) and after an
     * admission; a retry keeps its slot, the image being still in flight.
     */
    private void release(String tenant, Instant now) {
        if (tally.held(tenant) == 0) {
            return;
        }
        int cap = limits(tenant).maxImagesInFlight();
        // Cap 0: lifted since the images were held; they all go.
        while (cap == 0 || tally.released(tenant) < cap) {
            HeldImages.Held next = held.next(tenant, this::stillHeld);
            if (next == null) {
                return;
            }
            RequestState state = requests.get(next.requestId());
            ImageState image = state.images().get(next.imageIndex()).released();
            publish(jobOf(state, image, now), state.traceParent(), now);
            // Published now: a stall counts from here, not from the admission.
            save(state, state.withImage(image).progressed(now));
        }
    }

    private boolean stillHeld(HeldImages.Held entry) {
        RequestState state = requests.get(entry.requestId());
        return state != null
                && !state.finished()
                && entry.imageIndex() < state.images().size()
                && state.images().get(entry.imageIndex()).phase() == ImagePhase.HELD;
    }

    /** The job of one image, at the image's attempt. */
    private static Job jobOf(RequestState state, ImageState image, Instant now) {
        Job job = Jobs.split(state.request(), state.baseSeed(), now).get(image.index());
        for (int a = 1; a < image.attempt(); a++) {
            job = job.nextAttempt(now);
        }
        return job;
    }

    private void publish(Job job, String trace, Instant now) {
        context.forward(RequestTrace.inTrace(outputs.job(job, now), trace), DispatcherTopology.JOBS_SINK);
    }

    private TenantLimits limits(String tenant) {
        return hooks.config().tenants().limits(tenant);
    }

    private Instant now() {
        return hooks.clock().instant();
    }
}
