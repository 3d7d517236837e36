package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.webhook.WebhookOrders;
import java.time.Clock;

/**
 * What the stream tasks share with the rest of the dispatcher: configuration, clock, meters, the queue tally, the
 * POST waiters, the webhook sender, and the image links webhook bodies carry.
 */
public record ProcessorHooks(
        DispatcherConfig config,
        Clock clock,
        DispatcherMetrics metrics,
        QueueTally tally,
        Admissions admissions,
        WebhookOrders webhooks,
        ImageLinks imageLinks) {}
