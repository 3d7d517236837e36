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
}
