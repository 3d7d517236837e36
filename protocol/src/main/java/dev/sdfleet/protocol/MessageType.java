package dev.sdfleet.protocol;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every top-level message with what goes with it: its record class, the topic it travels on, its CloudEvents type
 * (the {@code ce_type} header, which is how a consumer of a topic carrying several types tells them apart) and its
 * JSON Schema.
 */
public enum MessageType {
    GENERATION_REQUEST(GenerationRequest.class, "dev.sdfleet.request.v1", "generation-request", Topics::requests),
    JOB(Job.class, "dev.sdfleet.job.v1", "job", Topics::jobs),
    JOB_RESULT(JobResult.class, "dev.sdfleet.job.result.v1", "job-result", Topics::results),
    JOB_PROGRESS(JobProgress.class, "dev.sdfleet.job.progress.v1", "job-progress", Topics::results),
    CANCEL_REQUEST(CancelRequest.class, "dev.sdfleet.cancel.v1", "cancel-request", Topics::cancels),
    GENERATION(Generation.class, "dev.sdfleet.generation.v1", "generation", Topics::events),
    DEAD_LETTER(DeadLetter.class, "dev.sdfleet.deadletter.v1", "dead-letter", Topics::dlq);

    /** Where the schemas' {@code $id}s live; they name the schemas, nothing is fetched from there. */
    public static final String SCHEMA_ID_BASE = "https://sdfleet.dev/schemas/v1/";
    /** The class-path folder holding the schemas. */
    public static final String SCHEMA_RESOURCE_FOLDER = "dev/sdfleet/protocol/schema/";

    private final Class<? extends ProtocolMessage> javaType;
    private final String ceType;
    private final String schemaName;
    private final Function<Topics, String> topic;

    MessageType(
            Class<? extends ProtocolMessage> javaType,
            String ceType,
            String schemaName,
            Function<Topics, String> topic) {
        this.javaType = javaType;
        this.ceType = ceType;
        this.schemaName = schemaName;
        this.topic = topic;
    }

    /** The record class. */
    public Class<? extends ProtocolMessage> javaType() {
        return javaType;
    }

    /** The CloudEvents type, e.g. {@code "dev.sdfleet.job.v1"}; its suffix is the schema version. */
    public String ceType() {
        return ceType;
    }

    /** The topic this type is published on, among {@code topics}. */
    public String topic(Topics topics) {
        return topic.apply(topics);
    }

    /** The JSON Schema's {@code $id}, also sent as {@code ce_dataschema}. */
    public String schemaId() {
        return SCHEMA_ID_BASE + schemaFileName();
    }

    /** The JSON Schema's class-path resource, e.g. {@code dev/sdfleet/protocol/schema/job.schema.json}. */
    public String schemaResource() {
        return SCHEMA_RESOURCE_FOLDER + schemaFileName();
    }

    /** The JSON Schema's file name, e.g. {@code job.schema.json}. */
    public String schemaFileName() {
        return schemaName + ".schema.json";
    }

    /** The type of {@code message}. */
    public static MessageType of(ProtocolMessage message) {
        return of(message.getClass());
    }

    /** The type whose record class is {@code javaType}. */
    public static MessageType of(Class<?> javaType) {
        return Arrays.stream(values())
                .filter(t -> t.javaType == javaType)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an sdfleet message: " + javaType.getName()));
    }

    /** The type with CloudEvents type {@code ceType}, if this build knows it. */
    public static Optional<MessageType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }
}
