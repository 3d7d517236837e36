package dev.sdfleet.protocol;

/**
 * The id of one image's job: {@code request_id + "/" + image_index}, e.g. {@code "req-42/3"}.
 *
 * <p>Deterministic on purpose: a redelivered or re-split job has the same id, so results de-duplicate by job id
 * and the worker's S3 key ({@code {prefix}/{request id}/{image index}.png}) is overwritten rather than duplicated.
 * The slash cannot occur in a request id, so the id parses back unambiguously.
 *
 * @param requestId the request's id
 * @param imageIndex the image's index in the request, 0-based
 */
public record JobId(String requestId, int imageIndex) {

    public JobId {
        Checks checks = new Checks();
        checks.identifier("request_id", requestId);
        checks.range("image_index", imageIndex, 0, GenerationRequest.MAX_IMAGES - 1);
        checks.throwIfAny();
    }

    /** The job id string of image {@code imageIndex} of request {@code requestId}. */
    public static String of(String requestId, int imageIndex) {
        return new JobId(requestId, imageIndex).toString();
    }

    /**
     * Parses a job id string.
     *
     * @throws ValidationException on field {@code job_id} when it is not {@code request_id/image_index}
     */
    public static JobId parse(String jobId) {
        if (jobId != null) {
            int slash = jobId.lastIndexOf('/');
            String index = slash < 0 ? "" : jobId.substring(slash + 1);
            // Canonical decimal only ("3", not "03" or "+3"), so one job has one id string.
            if (index.matches("[0-9]|1[0-5]")) {
                try {
                    return new JobId(jobId.substring(0, slash), Integer.parseInt(index));
                } catch (ValidationException e) {
                    throw new ValidationException("job_id", "must be request_id/image_index: " + e.getMessage());
                }
            }
        }
        throw new ValidationException("job_id", "must be request_id/image_index, e.g. \"req-42/3\", got " + jobId);
    }

    @Override
    public String toString() {
        return requestId + "/" + imageIndex;
    }
}
