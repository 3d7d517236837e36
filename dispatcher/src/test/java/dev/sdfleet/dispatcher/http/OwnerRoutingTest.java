package dev.sdfleet.dispatcher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The routing decision alone; the answers it leads to are exercised end to end in RestartAndOwnershipTest. */
class OwnerRoutingTest {
    private static final HostInfo OTHER = new HostInfo("10.0.0.2", 8080);

    @Test
    void anIdThisInstanceOwnsIsServedHereForwardedOrNot() {
        assertInstanceOf(Route.OwnedHere.class, OwnerRouting.route(Optional.empty(), false));
        assertInstanceOf(Route.OwnedHere.class, OwnerRouting.route(Optional.empty(), true));
    }

    @Test
    void anIdAnotherInstanceOwnsIsForwardedThere() {
        assertEquals(new Route.Forward(OTHER), OwnerRouting.route(Optional.of(OTHER), false));
    }

    @Test
    void aForwardedCallThatIsNotOwnedHereIsNotBouncedOn() {
        Route route = OwnerRouting.route(Optional.of(OTHER), true);
        assertEquals(
                "rebalancing", assertInstanceOf(Route.Unavailable.class, route).reason());
    }

    @Test
    void beforeTheStreamTasksExistEveryCallIsUnavailable() {
        OwnerRouting routing = new OwnerRouting(() -> null, null);
        Route route = routing.route("any", false);
        assertEquals(
                "starting", assertInstanceOf(Route.Unavailable.class, route).reason());
    }
}
