package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Serves a call about a request id on the instance that owns the id's partition: forwards it there when that is
 * another instance, else reads the local store. Answers 503 itself while the stores are not queryable.
 */
final class OwnerRouting {
    private final Supplier<StreamsRunner> streams;
    private final Forwarder forwarder;

    OwnerRouting(Supplier<StreamsRunner> streams, Forwarder forwarder) {
        this.streams = streams;
        this.forwarder = forwarder;
    }

    /** Forwards to the owning instance when that is another one; true when the call was handled so. */
    boolean routedElsewhere(RoutingContext ctx, String id) {
        StreamsRunner runner = streams.get();
        if (runner == null) {
            Problems.send(ctx, 503, "starting", "the dispatcher is starting; retry");
            return true;
        }
        Optional<HostInfo> owner = runner.remoteOwner(id);
        if (owner.isEmpty()) {
            return false;
        }
        if (Forwarder.forwarded(ctx)) {
            Problems.send(ctx, 503, "rebalancing", "request ownership is moving between instances; retry");
        } else {
            forwarder.forward(ctx, owner.get());
        }
        return true;
    }

    /** The request from the local store; null (after answering 503) while the store is not queryable. */
    Optional<RequestState> lookup(RoutingContext ctx, String id) {
        try {
            return streams.get().local(id);
        } catch (InvalidStateStoreException e) {
            Problems.send(ctx, 503, "rebalancing", "the request store is being restored or moved; retry");
            return null;
        }
    }

    /** The request from the local store, or empty while the store is not queryable. */
    Optional<RequestState> localOrEmpty(String id) {
        try {
            return streams.get().local(id);
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }
}
