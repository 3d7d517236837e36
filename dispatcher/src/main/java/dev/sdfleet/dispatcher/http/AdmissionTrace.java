package dev.sdfleet.dispatcher.http;

import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;

/**
 * The trace context of an HTTP admission. The dispatcher is a hop of the caller's trace: its admission is a child span
 * of the caller's {@code traceparent}, and the requests record carries that span on. A missing or invalid header starts
 * a new trace, as the W3C spec tells a receiver to (never a 400: tracing must not refuse work).
 */
final class AdmissionTrace {
    private AdmissionTrace() {}

    static TraceParent of(String header) {
        return TraceParent.parse(header).map(TraceParent::child).orElseGet(TraceParent::generate);
    }

    static LogContext logContext(GenerationRequest request, TraceParent trace) {
        return LogContext.create()
                .request(request.requestId())
                .tenant(request.tenant())
                .trace(trace.traceId(), trace.parentId());
    }
}
