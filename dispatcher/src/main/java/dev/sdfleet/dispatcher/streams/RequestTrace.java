package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A request's W3C trace context inside the stream task: read from the request record's {@code traceparent} header
 * (the API's admission span, or whatever a Kafka publisher sent), kept in the request's state, and passed on as a new
 * child span on each record the dispatcher writes for the request (jobs, cancels, events), so the workers, the
 * services reading the events and the webhook calls all share the request's trace id.
 */
final class RequestTrace {
    private RequestTrace() {}

    /** The trace of a request record: its valid {@code traceparent}, or a new trace (none, or a bad one, was sent). */
    static String ofRequest(Headers headers) {
        return of(headers).orElseGet(TraceParent::generate).header();
    }

    /**
     * {@code output} (a job, cancel or event record of the request) carrying a child span of {@code requestTrace} (the
     * stored {@code traceparent}; null for a request stored before traces were kept, whose records go without one).
     */
    static Record<String, byte[]> inTrace(Record<String, byte[]> output, String requestTrace) {
        TraceParent.parse(requestTrace)
                .ifPresent(trace ->
                        output.headers().add(TraceParent.HEADER, trace.child().headerBytes()));
        return output;
    }

    /**
     * The log fields of an input record, from its key and headers alone (nothing decoded twice): the request id (the
     * key of every input), the job id of a result or progress report ({@code ce_subject}), and the trace id of its
     * {@code traceparent}.
     */
    static LogContext logContext(Record<String, byte[]> record) {
        LogContext context = LogContext.create().request(record.key());
        String type = text(record.headers(), CloudEventHeaders.TYPE);
        if (MessageType.JOB_RESULT.ceType().equals(type)
                || MessageType.JOB_PROGRESS.ceType().equals(type)) {
            context.job(text(record.headers(), CloudEventHeaders.SUBJECT));
        }
        of(record.headers()).ifPresent(trace -> context.with(LogContext.TRACE_ID, trace.traceId()));
        return context;
    }

    private static Optional<TraceParent> of(Headers headers) {
        return TraceParent.parse(text(headers, TraceParent.HEADER));
    }

    private static String text(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
