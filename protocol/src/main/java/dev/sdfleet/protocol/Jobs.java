package dev.sdfleet.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Splits a request into its jobs: one per image, with deterministic ids and seeds. */
public final class Jobs {

    private Jobs() {}

    /**
     * The jobs of {@code request}, image 0 first.
     *
     * <p>Image i gets seed {@code (base + i) mod 2^32}, where base is the request's seed or, when the request has
     * none, {@code drawnSeed}: the same request split twice gives the same jobs (ids and seeds), which is what makes
     * a re-split after a dispatcher restart harmless.
     *
     * @param drawnSeed the base seed to use when the request has none, 0..2^32-1 (the dispatcher draws it once
     *     and keeps it with the request)
     * @param enqueuedAt the publication time stamped on every job
     * @throws ValidationException when the request has no request_id or tenant yet, or drawnSeed is out of range
     */
    public static List<Job> split(GenerationRequest request, long drawnSeed, Instant enqueuedAt) {
        Checks checks = new Checks();
        checks.check(request.requestId() != null, "request_id", "is required to split a request into jobs");
        checks.check(request.tenant() != null, "tenant", "is required to split a request into jobs");
        checks.range("seed", drawnSeed, 0, GenerationRequest.MAX_SEED);
        checks.throwIfAny();
        long base = request.seed() != null ? request.seed() : drawnSeed;
        List<Job> jobs = new ArrayList<>(request.n());
        for (int index = 0; index < request.n(); index++) {
            jobs.add(new Job(
                    ProtocolMessage.CURRENT_SCHEMA_VERSION,
                    JobId.of(request.requestId(), index),
                    request.requestId(),
                    request.tenant(),
                    index,
                    request.n(),
                    request.prompt(),
                    request.negativePrompt(),
                    request.width(),
                    request.height(),
                    request.steps(),
                    request.guidance(),
                    request.scheduler(),
                    seedOf(base, index),
                    request.model(),
                    request.priority(),
                    request.deadline(),
                    enqueuedAt,
                    1,
                    request.initImage(),
                    request.maskImage(),
                    request.strength()));
        }
        return List.copyOf(jobs);
    }

    /** The seed of image {@code index} when image 0 has {@code base}: base + index, wrapping at 2^32. */
    public static long seedOf(long base, int index) {
        return (base + index) & GenerationRequest.MAX_SEED;
    }
}
