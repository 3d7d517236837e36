package dev.sdfleet.worker.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.protocol.ValidationException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What a record on the jobs topic turns into:
 * <ul>
 *   <li>a {@link Job} to run;</li>
 *   <li>a FAILED {@code INVALID_PARAMETERS} {@link JobResult}, for a JSON object that names its job (request_id,
 *   image_index, job_id, attempt) but breaks the contract elsewhere, e.g. a width of 500: whoever waits for that job
 *   hears why it will never run, and its request can finish;</li>
 *   <li>a {@link DeadLetter}, for anything that cannot be tied to a job (not JSON, not an object, no usable ids, a
 *   tombstone, another message type): nobody waits for it, so it is parked with its bytes and coordinates for a
 *   human.</li>
 * </ul>
 * Either way the record is finished quickly and never blocks its partition.
 */
final class JobRecords {
    private static final ObjectMapper LENIENT = new ObjectMapper();

    /** The decoded form of one record. */
    sealed interface Decoded permits Accepted, Rejected, DeadLettered {}

    /** @param trace the worker's span: a child of the record's {@code traceparent}, or a new trace without one */
    record Accepted(Job job, TraceParent trace) implements Decoded {}

    record Rejected(JobResult result, TraceParent trace) implements Decoded {}

    record DeadLettered(DeadLetter letter) implements Decoded {}

    private JobRecords() {}

    /**
     * Never throws, whatever the record holds (any bytes, any headers, null key or value): one record that cannot be
     * decoded must not stop the consumer that reads it, nor every consumer that takes its partition over.
     */
    static Decoded decode(ConsumerRecord<byte[], byte[]> record, String workerId, Instant now) {
        Map<String, byte[]> headers = Map.of();
        try {
            headers = headers(record);
            Optional<MessageType> declared = declaredType(headers);
            if (declared.isPresent() && declared.get() != MessageType.JOB) {
                throw new ValidationException(
                        "ce_type",
                        "the jobs topic carries " + MessageType.JOB.ceType() + ", this record is "
                                + declared.get().ceType());
            }
            return new Accepted(Codec.decode(record.value(), Job.class), traceOf(headers));
        } catch (ValidationException invalid) {
            JobResult rejection = rejection(record.value(), invalid, workerId, now);
            if (rejection != null) {
                return new Rejected(rejection, traceOf(headers));
            }
            return new DeadLettered(deadLetter(record, headers, invalid, DeadLetterReason.of(invalid), workerId, now));
        } catch (RuntimeException unexpected) {
            return new DeadLettered(
                    deadLetter(record, headers, unexpected, DeadLetterReason.PROCESSING_FAILED, workerId, now));
        }
    }

    /** The worker's span of the record's trace; a bad or missing {@code traceparent} starts a new trace (W3C). */
    static TraceParent traceOf(Map<String, byte[]> headers) {
        return TraceParent.fromHeaders(headers).map(TraceParent::child).orElseGet(TraceParent::generate);
    }

    /** The dead letter of {@code record}; never throws. */
    static DeadLetter deadLetter(
            ConsumerRecord<byte[], byte[]> record,
            Map<String, byte[]> headers,
            Throwable cause,
            DeadLetterReason reason,
            String workerId,
            Instant now) {
        return DeadLetter.of(
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                record.value(),
                headers,
                reason,
                cause,
                workerId,
                now);
    }

    /**
     * The type that the record's CloudEvents headers declare, if they are present and readable. Bad headers alone do
     * not condemn a good body (a hand-made kcat publish, say): the body is what the worker runs.
     */
    private static Optional<MessageType> declaredType(Map<String, byte[]> headers) {
        try {
            return CloudEventHeaders.parseIfPresent(headers).map(CloudEventHeaders::messageType);
        } catch (ValidationException e) {
            return Optional.empty();
        }
    }

    /** A FAILED result for a record that names its job, or null when it does not. */
    private static JobResult rejection(byte[] value, ValidationException invalid, String workerId, Instant now) {
        if (value == null || value.length == 0 || value.length > Codec.MAX_MESSAGE_BYTES) {
            return null;
        }
        try {
            JsonNode tree = LENIENT.readTree(value);
            if (tree == null
                    || !tree.isObject()
                    || !tree.path("request_id").isTextual()
                    || !tree.path("job_id").isTextual()
                    || !tree.path("image_index").isInt()) {
                return null;
            }
            int attempt = tree.path("attempt").isInt() ? tree.path("attempt").intValue() : 1;
            Failure failure = Failure.of(
                    FailureReason.INVALID_PARAMETERS, "the job breaks the protocol: " + invalid.getMessage(), false);
            return new JobResult(
                    ProtocolMessage.CURRENT_SCHEMA_VERSION,
                    tree.path("job_id").textValue(),
                    tree.path("request_id").textValue(),
                    tree.path("image_index").intValue(),
                    Math.max(1, attempt),
                    JobStatus.FAILED,
                    workerId,
                    0,
                    Map.of(),
                    null,
                    failure,
                    now);
        } catch (IOException | ValidationException e) {
            return null; // not JSON, or the ids themselves are bad: nothing to answer to
        } catch (RuntimeException e) {
            return null; // a bug in building the answer must not lose the record: it goes to the dead letters
        }
    }

    /**
     * The record's headers, the last value winning for repeated names (as CloudEvents expects); a null header value
     * (Kafka allows it) is read as empty.
     */
    static Map<String, byte[]> headers(ConsumerRecord<?, ?> record) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        if (record.headers() == null) {
            return headers;
        }
        for (Header header : record.headers()) {
            if (header != null && header.key() != null) {
                headers.put(header.key(), header.value() == null ? new byte[0] : header.value());
            }
        }
        return headers;
    }
}
