package dev.sdfleet.dispatcher.webhook;

import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;

/**
 * One webhook try in its request's trace: a new child span of the request's {@code traceparent} (a new trace for a
 * request stored without one), sent as the call's {@code traceparent} header and logged with every line of the try.
 */
record WebhookTrace(String requestId, String tenant, String deliveryId, TraceParent trace) {
    static WebhookTrace of(String requestId, String tenant, String requestTrace, Delivery delivery) {
        TraceParent trace =
                TraceParent.parse(requestTrace).map(TraceParent::child).orElseGet(TraceParent::generate);
        return new WebhookTrace(requestId, tenant, delivery.id(), trace);
    }

    LogContext logContext() {
        return LogContext.create()
                .request(requestId)
                .tenant(tenant)
                .trace(trace.traceId(), trace.parentId())
                .with("webhook_id", deliveryId);
    }
}
