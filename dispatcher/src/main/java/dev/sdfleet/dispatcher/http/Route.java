package dev.sdfleet.dispatcher.http;

import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a call about one request id is served, as {@link OwnerRouting#route} decides it from what Kafka Streams
 * knows. {@link OwnerRouting#serveHere} turns every route but {@link OwnedHere} into the caller's answer.
 */
sealed interface Route {
    /** This instance owns the id's partition: the handler serves the call from the local store. */
    record OwnedHere() implements Route {}

    /** Another instance owns it: the call is relayed there, and its answer back. */
    record Forward(HostInfo owner) implements Route {}

    /**
     * Nobody can serve the call right now (the dispatcher is starting, ownership is moving, the store is being
     * restored): 503 with {@code Retry-After}, and the client retries. Also what a {@link Lookup} gives then.
     *
     * @param reason the problem's title ({@code starting}, {@code rebalancing})
     */
    record Unavailable(String reason, String detail) implements Route, Lookup {}
}
