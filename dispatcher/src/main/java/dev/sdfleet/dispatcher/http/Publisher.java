package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.streams.Outputs;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.TraceParent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sends as Vert.x futures completed on the caller's context, so an API handler waits for the broker's ack
 * with {@code await()} (the producer's callback thread never runs handler code).
 */
final class Publisher {
    private final Producer<String, byte[]> producer;
    private final Vertx vertx;
    private final String source;

    Publisher(Producer<String, byte[]> producer, Vertx vertx, String source) {
        this.producer = producer;
        this.vertx = vertx;
        this.source = source;
    }

    /** Sends {@code message} keyed by {@code key} with its CloudEvents headers. */
    Future<Void> publish(String topic, String key, ProtocolMessage message, Instant now) {
        return send(record(topic, key, message, now));
    }

    /**
     * As {@link #publish}, in a child span of {@code requestTrace} (the request's stored {@code traceparent}; null or
     * invalid: no header), so the workers that act on the record log it under the request's trace id.
     */
    Future<Void> publishInTrace(String topic, String key, ProtocolMessage message, String requestTrace, Instant now) {
        ProducerRecord<String, byte[]> record = record(topic, key, message, now);
        TraceParent.parse(requestTrace)
                .ifPresent(trace ->
                        record.headers().add(TraceParent.HEADER, trace.child().headerBytes()));
        return send(record);
    }

    /**
     * Sends a request admitted over HTTP, keyed by its id: as {@link #publish}, plus the ingress header, so the
     * stream task counts it under {@code ingress="http"}, and the admission's {@code traceparent}.
     */
    Future<Void> publishAdmitted(String topic, GenerationRequest request, TraceParent trace, Instant now) {
        ProducerRecord<String, byte[]> record = record(topic, request.requestId(), request, now);
        record.headers().add(Outputs.INGRESS_HEADER, "http".getBytes(StandardCharsets.UTF_8));
        record.headers().add(TraceParent.HEADER, trace.headerBytes());
        return send(record);
    }

    Future<Void> send(ProducerRecord<String, byte[]> record) {
        Promise<Void> promise = Promise.promise();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                promise.fail(error);
            } else {
                promise.complete();
            }
        });
        return Future.fromCompletionStage(promise.future().toCompletionStage(), vertx.getOrCreateContext());
    }

    private ProducerRecord<String, byte[]> record(String topic, String key, ProtocolMessage message, Instant now) {
        return new ProducerRecord<>(
                topic,
                null,
                key,
                Codec.encode(message),
                Outputs.headers(CloudEventHeaders.forMessage(message, source, now)));
    }
}
