package dev.sdfleet.protocol;

/**
 * A top-level sdfleet message: something that is the whole value of a Kafka record on one of the fleet's topics.
 * {@link MessageType} says, for each, which topic it goes to and which CloudEvents type and JSON Schema describe it.
 */
public sealed interface ProtocolMessage
        permits GenerationRequest, Job, JobResult, JobProgress, CancelRequest, Generation, DeadLetter {

    /**
     * The schema version this build writes and reads. A message with another version is rejected with a field error
     * on {@code schema_version}, rather than half-understood: a new version means new code on the consumer side.
     */
    int CURRENT_SCHEMA_VERSION = 1;

    /** The {@code schema_version} this message carries. */
    int schemaVersion();
}
