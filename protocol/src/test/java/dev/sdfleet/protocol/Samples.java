package dev.sdfleet.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Valid messages built through the Java API, one or more per type, with every optional field used somewhere. */
final class Samples {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private Samples() {}

    static GenerationRequest fullRequest() {
        return GenerationRequest.builder("a red circle on a blue background", "tiny-sd")
                .requestId("req-42")
                .tenant("acme")
                .negativePrompt("blurry")
                .n(3)
                .size(768, 512)
                .steps(25)
                .guidance(6.5)
                .scheduler(SchedulerName.EULER_ANCESTRAL)
                .seed(4_294_967_294L)
                .webhook(new Webhook(
                        "https://hooks.example.com/sd?x=1",
                        List.of(WebhookEvent.GENERATION_COMPLETED, WebhookEvent.IMAGE_COMPLETED)))
                .priority(Priority.HIGH)
                .deadline(T0.plusSeconds(600))
                .metadata(Map.of("order", "o-17", "team", "ads"))
                .build();
    }

    static GenerationRequest minimalRequest() {
        return GenerationRequest.builder("a cat", "org/model-v1.5").build();
    }

    static Job job() {
        return Jobs.split(fullRequest(), 0, T0).get(1);
    }

    static Job minimalJob() {
        return Jobs.split(minimalRequest().withRequestId("r1").withTenant("t1"), 7, T0)
                .get(0);
    }

    static StoredImage storedImage(int index) {
        return new StoredImage(
                "sdfleet-images",
                "out/req-42/" + index + ".png",
                "s3://sdfleet-images/out/req-42/" + index + ".png",
                SHA,
                123_456,
                "image/png");
    }

    static JobResult succeeded() {
        Map<String, Long> stages = new LinkedHashMap<>();
        stages.put("text_encoder", 12L);
        stages.put("denoise", 840L);
        stages.put("vae_decode", 95L);
        stages.put("upload", 30L);
        return JobResult.succeeded(job(), "worker-1", 250, stages, storedImage(1), T0.plusMillis(1500));
    }

    static JobResult failed() {
        return JobResult.failed(
                job(),
                "worker-2",
                0,
                null,
                Failure.of(FailureReason.STORAGE_UNAVAILABLE, "S3 answered 503 five times", true),
                T0.plusSeconds(9));
    }

    static JobProgress progress() {
        return JobProgress.of(job(), 10, T0.plusMillis(400));
    }

    static CancelRequest cancelRequest() {
        return CancelRequest.ofRequest("req-42", "user pressed stop", T0.plusSeconds(2));
    }

    static CancelRequest cancelJob() {
        return CancelRequest.ofJob("req-42/2", null, T0.plusSeconds(2));
    }

    static RequestEvent completed() {
        return RequestEvent.of(
                "req-42",
                "acme",
                List.of(
                        new ImageOutcome(0, JobStatus.SUCCEEDED, 4_294_967_294L, storedImage(0), null),
                        new ImageOutcome(1, JobStatus.SUCCEEDED, 4_294_967_295L, storedImage(1), null)),
                new RequestTimings(T0, T0.plusSeconds(3)),
                Map.of("order", "o-17"));
    }

    static RequestEvent partiallyFailed() {
        return RequestEvent.of(
                "req-42",
                "acme",
                List.of(
                        new ImageOutcome(0, JobStatus.SUCCEEDED, 5L, storedImage(0), null),
                        new ImageOutcome(
                                1,
                                JobStatus.FAILED,
                                6L,
                                null,
                                new Failure(FailureReason.INFERENCE_ERROR, "out of memory", true))),
                new RequestTimings(T0, T0.plusSeconds(3)),
                null);
    }

    static RequestEvent cancelled() {
        return RequestEvent.of(
                "req-42",
                "acme",
                List.of(
                        new ImageOutcome(0, JobStatus.SUCCEEDED, null, storedImage(0), null),
                        new ImageOutcome(
                                1,
                                JobStatus.FAILED,
                                null,
                                null,
                                new Failure(FailureReason.CANCELLED, "cancelled by the caller", false))),
                new RequestTimings(T0, T0),
                null);
    }

    static DeadLetter deadLetter() {
        byte[] poison = {'{', '"', 'n', (byte) 0xC3, (byte) 0x28};
        return DeadLetter.of(
                "sdfleet.jobs",
                3,
                1_234_567L,
                "req-42".getBytes(StandardCharsets.UTF_8),
                poison,
                Map.of("ce_type", "dev.sdfleet.job.v1".getBytes(StandardCharsets.UTF_8)),
                new ValidationException(List.of(new FieldError("", "malformed JSON"), new FieldError("n", "bad"))),
                "worker-1",
                T0);
    }

    /** One of each, and the variants. */
    static List<ProtocolMessage> all() {
        return List.of(
                fullRequest(),
                minimalRequest(),
                job(),
                minimalJob(),
                succeeded(),
                failed(),
                progress(),
                cancelRequest(),
                cancelJob(),
                completed(),
                partiallyFailed(),
                cancelled(),
                deadLetter());
    }
}
