package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.Priority;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.RecordKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The records the stream task publishes, keyed by request id and carrying CloudEvents headers. Event ids are
 * deterministic (job id and attempt, request id), so a consumer that drops repeated {@code ce_source + ce_id} pairs
 * also drops what a replay after a crash might publish again outside a transaction's reach.
 */
public final class Outputs {
    /** Header an HTTP-admitted request carries on the requests topic, so metrics can tell the two ingresses apart. */
    public static final String INGRESS_HEADER = "sdfleet-ingress";

    /**
     * Header on every job record: its model, from which the jobs sink picks the model's topic without decoding the
     * job again.
     */
    public static final String MODEL_HEADER = "sdfleet-model";
    /** Header on every job record: its priority, from which the jobs sink picks the model's lane. */
    public static final String PRIORITY_HEADER = "sdfleet-priority";

    private final String source;

    public Outputs(String source) {
        this.source = source;
    }

    Record<String, byte[]> job(Job job, Instant now) {
        Record<String, byte[]> record = record(job, job.jobId() + "#" + job.attempt(), now);
        record.headers().add(MODEL_HEADER, job.model().getBytes(StandardCharsets.UTF_8));
        record.headers().add(PRIORITY_HEADER, job.priority().id().getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** The priority a job record names in its {@link #PRIORITY_HEADER}; normal when it names none. */
    static Priority priorityOf(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(PRIORITY_HEADER);
        String id = header == null || header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
        for (Priority priority : Priority.values()) {
            if (priority.id().equals(id)) {
                return priority;
            }
        }
        return Priority.NORMAL;
    }

    /** The model a job record names in its {@link #MODEL_HEADER}, or null. */
    static String modelOf(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(MODEL_HEADER);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A request's document on the events topic; {@code what} ("finished", "progress<millis>") makes its event id. */
    Record<String, byte[]> generation(Generation generation, String what, Instant now) {
        return record(generation, generation.id() + "#" + what, now);
    }

    Record<String, byte[]> cancel(CancelRequest cancel, Instant now) {
        return record(cancel, cancel.requestId() + "#cancel#" + now.toEpochMilli(), now);
    }

    /** The headers of a message this dispatcher publishes outside a stream task (HTTP admission, cancels). */
    public static Headers headers(CloudEventHeaders ce) {
        RecordHeaders headers = new RecordHeaders();
        ce.toMap().forEach(headers::add);
        return headers;
    }

    /** {@code http} for a request the API admitted, else {@code kafka} (whatever the headers hold, null values too). */
    static String ingressOf(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(INGRESS_HEADER);
        byte[] value = header == null ? null : header.value();
        return value != null && "http".equals(new String(value, StandardCharsets.UTF_8)) ? "http" : "kafka";
    }

    private Record<String, byte[]> record(ProtocolMessage message, String eventId, Instant now) {
        return new Record<>(
                RecordKeys.requestIdOf(message),
                Codec.encode(message),
                now.toEpochMilli(),
                headers(CloudEventHeaders.forMessage(message, source, eventId, now)));
    }
}
