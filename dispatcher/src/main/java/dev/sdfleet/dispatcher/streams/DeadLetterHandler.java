package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.protocol.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' processing and deserialization exception handler (KIP-1033/KIP-1034) for the dispatcher: a record
 * whose processing throws is parked on {@code sdfleet.dlq} as the protocol's {@link DeadLetter} (source position,
 * reason code, field errors, the original bytes within bounds) and the task moves on to the next record. Streams sends
 * the dead letter through the task's record collector, so it commits in the same exactly-once transaction as the
 * input offset: the record is either processed, or parked, never both, never neither.
 *
 * <p>The processor throws a {@code ValidationException} for a record that breaks the contract and lets anything
 * unexpected (a bug: a null where none should be) escape; both end here, so no single record can stop the stream
 * thread. A failing punctuation (a timer) has no record to park: it is logged and counted, and the tick goes on at
 * the next interval. Only a broken state store fails the task (that is no record's fault, and skipping records would
 * lose them): the thread is replaced, and {@link ThreadFailures} turns liveness DOWN when that repeats.
 */
public final class DeadLetterHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    /** The Streams config entry that carries the {@link Sink} (an object: Streams hands configs on unchanged). */
    static final String SINK_CONFIG = "sdfleet.dead.letter.sink";

    /**
     * What the handler needs from the dispatcher.
     *
     * @param inputs the input topics by the short name the metrics use (requests, results, cancels, control)
     * @param failedBy this instance's id, the dead letters' {@code failed_by}
     * @param source the CloudEvents source of the dead letters
     */
    public record Sink(
            Map<String, String> inputs, String failedBy, String source, DispatcherMetrics metrics, Clock clock) {}

    private Sink sink;
    private String dlqTopic;

    /**
     * Adds the handler to {@code props}: both handlers, the dead-letter topic (KIP-1034's
     * {@code errors.dead.letter.queue.topic.name}, read back by {@link #configure}) and the sink.
     */
    public static void install(Properties props, String dlqTopic, Sink sink) {
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, dlqTopic);
        props.put(SINK_CONFIG, sink);
    }

    /** The sink of {@link ProcessorHooks}: the inputs of {@code hooks}' configuration. */
    public static Sink sink(ProcessorHooks hooks) {
        var config = hooks.config();
        var topics = config.topics();
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put(topics.requests(), "requests");
        inputs.put(topics.results(), "results");
        inputs.put(topics.cancels(), "cancels");
        inputs.put(config.controlTopic(), "control");
        return new Sink(Map.copyOf(inputs), config.instanceId(), config.source(), hooks.metrics(), hooks.clock());
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(SINK_CONFIG);
        if (!(configured instanceof Sink s)) {
            throw new IllegalStateException(SINK_CONFIG + " is not set: use DeadLetterHandler.install");
        }
        sink = s;
        dlqTopic = String.valueOf(configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(
            ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof ProcessorStateException) {
            LOG.error("State store failure in task {}: failing the task", context.taskId(), exception);
            return ProcessingExceptionHandler.Response.fail();
        }
        if (KafkaTrouble.in(exception)) {
            // Kafka itself failed under the record (a send that timed out while the broker was away, a fenced
            // producer): no fault of the record. Parking it would commit its offset and the store's half-done state
            // without the jobs or events that failed to go out, and the request would hang; failing the task aborts
            // the transaction instead, and the record is processed again from the restored state.
            LOG.warn(
                    "Kafka failed while processing in task {}: failing the task to redo it",
                    context.taskId(),
                    exception);
            sink.metrics().processingError("kafka");
            return ProcessingExceptionHandler.Response.fail();
        }
        if (record == null || context.topic() == null) {
            // A punctuation (timer scan): its timer is already deleted, the next tick goes on with the rest.
            LOG.error("A timer failed in task {}; going on with the next", context.taskId(), exception);
            sink.metrics().processingError("timer");
            return ProcessingExceptionHandler.Response.resume();
        }
        byte[] key = context.sourceRawKey() != null ? context.sourceRawKey() : keyBytes(record.key());
        byte[] value = context.sourceRawValue() != null
                ? context.sourceRawValue()
                : record.value() instanceof byte[] bytes ? bytes : null;
        return ProcessingExceptionHandler.Response.resume(List.of(park(context, key, value, exception)));
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        return DeserializationExceptionHandler.Response.resume(
                List.of(park(context, record.key(), record.value(), exception)));
    }

    private ProducerRecord<byte[], byte[]> park(
            ErrorHandlerContext context, byte[] key, byte[] value, Exception exception) {
        Instant now = sink.clock().instant();
        String input = sink.inputs().getOrDefault(context.topic(), "other");
        DeadLetter letter = DeadLetter.of(
                context.topic(),
                context.partition(),
                context.offset(),
                key,
                value,
                headers(context.headers()),
                exception,
                sink.failedBy(),
                now);
        boolean unexpected = letter.reason() == DeadLetterReason.PROCESSING_FAILED;
        if (unexpected) {
            LOG.error(
                    "Dead-lettering {}-{}@{}: processing failed",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    exception);
        } else {
            LOG.warn(
                    "Dead-lettering {}-{}@{} ({}): {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    letter.reason(),
                    letter.error());
        }
        sink.metrics().deadLettered(input, letter.reason());
        if ("requests".equals(input)) {
            sink.metrics().request("kafka", "rejected");
        }
        // The original key keeps the letter on the request's partition of the dead-letter topic; an oversized one
        // is left off (it is in the letter, cut to its bound), so the letter itself can always be published.
        byte[] letterKey = key != null && key.length <= DeadLetter.MAX_KEPT_KEY_BYTES ? key : null;
        return new ProducerRecord<>(
                dlqTopic,
                null,
                now.toEpochMilli(),
                letterKey,
                Codec.encode(letter),
                Outputs.headers(CloudEventHeaders.forMessage(letter, sink.source(), now)));
    }

    /** The record's headers, last value per name; null values and odd names are the dead letter's to sort out. */
    private static Map<String, byte[]> headers(Headers headers) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                map.remove(header.key());
                map.put(header.key(), header.value());
            }
        }
        return map;
    }

    private static byte[] keyBytes(Object key) {
        return key == null ? null : String.valueOf(key).getBytes(StandardCharsets.UTF_8);
    }
}
