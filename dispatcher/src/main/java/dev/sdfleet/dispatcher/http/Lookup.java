package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.state.RequestState;

/** A request read from this instance's store, once {@link OwnerRouting} has routed the call here. */
sealed interface Lookup permits Lookup.Found, Lookup.Missing, Route.Unavailable {
    record Found(RequestState state) implements Lookup {}

    /** The store has no request of that id (this instance owns the id, so nobody has). */
    record Missing() implements Lookup {}
}
