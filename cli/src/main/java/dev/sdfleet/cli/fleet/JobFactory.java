package dev.sdfleet.cli.fleet;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobId;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.ProtocolMessage;
import java.time.Instant;

/**
 * Jobs as the dispatcher would publish them, for the commands that feed the fleet without a dispatcher (demo,
 * benchmarks, the kcat example).
 *
 * @param model the model id the workers serve
 * @param side image width and height
 * @param steps denoising steps
 * @param guidance classifier-free guidance scale
 */
public record JobFactory(String model, int side, int steps, double guidance) {

    /** Image {@code index} of a request of {@code count} images. */
    public Job job(String requestId, int index, int count, String prompt, long seed) {
        return job(requestId, index, count, prompt, seed, Priority.NORMAL);
    }

    /** Image {@code index} of a request of {@code count} images, at {@code priority}. */
    public Job job(String requestId, int index, int count, String prompt, long seed, Priority priority) {
        return new Job(
                ProtocolMessage.CURRENT_SCHEMA_VERSION,
                JobId.of(requestId, index),
                requestId,
                "cli",
                index,
                count,
                prompt,
                "",
                side,
                side,
                steps,
                guidance,
                null,
                seed,
                model,
                priority,
                null,
                Instant.now(),
                1);
    }

    /** A one-image request. */
    public Job job(String requestId, String prompt, long seed) {
        return job(requestId, 0, 1, prompt, seed);
    }
}
