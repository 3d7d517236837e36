package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.view.GenerationDocuments;
import dev.sdfleet.protocol.Codec;

/** The JSON a GET answers (and a POST's 202 carries): the request's {@code Generation} document, links signed now. */
final class RequestView {
    private RequestView() {}

    static String location(String id) {
        return "/v1/generations/" + id;
    }

    static String json(RequestState state, ImageLinks links) {
        return Codec.encodeToString(GenerationDocuments.forGet(state, links));
    }
}
