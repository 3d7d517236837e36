package dev.sdfleet.dispatcher.webhook;

import dev.sdfleet.dispatcher.state.Delivery;

/**
 * Where the stream task hands a due webhook try ({@link WebhookSender} in the dispatcher, a list in the processor
 * test). Must not block: it is called from a punctuator on the stream thread. The outcome comes back on the control
 * topic.
 */
@FunctionalInterface
public interface WebhookOrders {
    void submit(String requestId, String tenant, Delivery delivery);

    /**
     * As {@link #submit(String, String, Delivery)}, in the request's trace: {@code traceParent} is the one stored with
     * the request (null for a request stored before traces were kept).
     */
    default void submit(String requestId, String tenant, String traceParent, Delivery delivery) {
        submit(requestId, tenant, delivery);
    }
}
