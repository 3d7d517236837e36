package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import dev.sdfleet.dispatcher.view.GenerationDocuments;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationStatus;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/generations?status=&limit=&cursor=}: the caller's own requests, newest first (by acceptance, then
 * id), one page of GET documents and a cursor to the next. Requests are partitioned across the instances, so the
 * instance that takes the call asks every other for its own first page after the cursor and merges them: a page
 * is right whichever instance serves it. A cursor is the last item's position, so requests that arrive while a
 * caller pages do not shift the pages it has not read yet.
 */
final class GenerationList {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    private static final Logger LOG = LoggerFactory.getLogger(GenerationList.class);
    /** Newest first: later acceptance first, then the larger id, so every request has one place. */
    private static final Comparator<Position> NEWEST_FIRST = Comparator.comparing(Position::acceptedAt)
            .thenComparing(Position::id)
            .reversed();

    private final ImageLinks links;
    private final Supplier<StreamsRunner> streams;
    private final Forwarder forwarder;

    GenerationList(ImageLinks links, Supplier<StreamsRunner> streams, Forwarder forwarder) {
        this.links = links;
        this.streams = streams;
        this.forwarder = forwarder;
    }

    /** Where a request stands in the list; the cursor is one of these, opaque to callers. */
    record Position(Instant acceptedAt, String id) {
        String cursor() {
            String text = acceptedAt.toEpochMilli() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Position ofCursor(String cursor) {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            return new Position(
                    Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))), text.substring(colon + 1));
        }

        /** Whether this comes after {@code cursor} in the list (a null cursor: the list's start). */
        boolean after(Position cursor) {
            return cursor == null || NEWEST_FIRST.compare(this, cursor) > 0;
        }
    }

    /** The query, checked. */
    record Query(GenerationStatus status, int limit, Position cursor) {}

    void handle(RoutingContext ctx) {
        List<FieldError> problems = new ArrayList<>();
        Query query = query(ctx, problems);
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid query", "see errors", problems);
            return;
        }
        StreamsRunner runner = streams.get();
        if (runner == null) {
            Problems.send(ctx, 503, "starting", "the dispatcher is starting; retry");
            return;
        }
        String tenant = Auth.tenant(ctx);
        List<JsonNode> items = new ArrayList<>();
        boolean more;
        try {
            List<RequestState> mine =
                    runner.localRequests(state -> state.tenant().equals(tenant)
                            && (query.status() == null || state.visibleStatus() == query.status())
                            && position(state).after(query.cursor()));
            mine.sort(Comparator.comparing(GenerationList::position, NEWEST_FIRST));
            more = mine.size() > query.limit();
            mine.stream().limit(query.limit()).forEach(state -> items.add(document(state)));
            if (!Forwarder.forwarded(ctx)) {
                for (HostInfo other : runner.otherInstances()) {
                    JsonNode page = StateJson.MAPPER.readTree(
                            forwarder.fetch(ctx, other).getBytes());
                    page.path("data").forEach(items::add);
                    more |= page.hasNonNull("next_cursor");
                }
            }
        } catch (InvalidStateStoreException e) {
            Problems.send(ctx, 503, "rebalancing", "the request stores are being restored or moved; retry");
            return;
        } catch (Exception e) {
            LOG.warn("Listing for {} failed: {}", tenant, e.toString());
            Problems.send(ctx, 503, "unavailable", "another dispatcher instance did not answer; retry");
            return;
        }
        items.sort(Comparator.comparing(GenerationList::position, NEWEST_FIRST));
        more |= items.size() > query.limit();
        List<JsonNode> page = items.subList(0, Math.min(items.size(), query.limit()));
        ObjectNode body = StateJson.MAPPER.createObjectNode();
        ArrayNode data = body.putArray("data");
        page.forEach(data::add);
        if (more && !page.isEmpty()) {
            body.put("next_cursor", position(page.getLast()).cursor());
        }
        ctx.response().putHeader("content-type", "application/json").end(body.toString());
    }

    private static Query query(RoutingContext ctx, List<FieldError> problems) {
        GenerationStatus status = null;
        String statusText = ctx.request().getParam("status");
        if (statusText != null) {
            try {
                status = GenerationStatus.valueOf(statusText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new FieldError(
                        "status",
                        "must be one of queued, in_progress, completed, partially_failed, failed, cancelled"));
            }
        }
        int limit = DEFAULT_LIMIT;
        String limitText = ctx.request().getParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                problems.add(new FieldError("limit", "must be an integer in 1.." + MAX_LIMIT));
            }
        }
        Position cursor = null;
        String cursorText = ctx.request().getParam("cursor");
        if (cursorText != null) {
            try {
                cursor = Position.ofCursor(cursorText);
            } catch (RuntimeException e) {
                problems.add(new FieldError("cursor", "is not a cursor this API gave out (next_cursor)"));
            }
        }
        return new Query(status, limit, cursor);
    }

    private JsonNode document(RequestState state) {
        try {
            return StateJson.MAPPER.readTree(Codec.encode(GenerationDocuments.forGet(state, links)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Position position(RequestState state) {
        return new Position(state.acceptedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), state.requestId());
    }

    private static Position position(JsonNode document) {
        return new Position(
                Instant.parse(document.get("accepted_at").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                document.get("id").asText());
    }
}
