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

    static Generation completed() {
        return generation(
                GenerationStatus.COMPLETED,
                List.of(succeeded(0, 4_294_967_294L), succeeded(1, 4_294_967_295L)),
                Map.of("order", "o-17"));
    }

    static Generation running() {
        return generation(
                GenerationStatus.QUEUED,
                List.of(new Generation.Image(
                        0, 5L, ImageStatus.RUNNING, 1, 7, 20, null, null, null, null, null, null, null, null, null)),
                null);
    }

    static Generation cancelled() {
        return generation(
                GenerationStatus.CANCELLED,
                List.of(
                        succeeded(0, 5L),
                        new Generation.Image(
                                1,
                                6L,
                                ImageStatus.FAILED,
                                1,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                new Generation.ImageError("cancelled", "cancelled by the caller", false),
                                T0.plusSeconds(1))),
                null);
    }

    private static Generation generation(
            GenerationStatus status, List<Generation.Image> images, Map<String, String> metadata) {
        return new Generation(
                1,
                "req-42",
                "acme",
                status,
                "sd15",
                "a red circle",
                "",
                images.size(),
                512,
                512,
                20,
                7.5,
                null,
                Priority.NORMAL,
                images.get(0).seed(),
                null,
                T0,
                status.finished() ? T0.plusSeconds(3) : null,
                status == GenerationStatus.CANCELLED ? "cancelled by the caller" : null,
                images,
                new Generation.Webhook("https://example.com/hook", List.of("generation.completed"), null),
                metadata);
    }

    private static Generation.Image succeeded(int index, long seed) {
        StoredImage stored = storedImage(index);
        return new Generation.Image(
                index,
                seed,
                ImageStatus.SUCCEEDED,
                1,
                20,
                20,
                stored.url(),
                stored.bucket(),
                stored.key(),
                stored.sha256(),
                stored.contentType(),
                "https://s3.example.com/" + stored.key() + "?X-Amz-Signature=abc",
                T0.plusSeconds(3603),
                null,
                T0.plusSeconds(3));
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
                running(),
                cancelled(),
                deadLetter());
    }
}
