package dev.sdfleet.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;

/**
 * Where the dispatcher calls back when a request's events happen.
 *
 * <p>Only the shape is checked here: an absolute http or https URL with a host and no user info (credentials in a
 * URL end up in logs; the dispatcher signs its calls instead). Whether the host may be called (the SSRF guard
 * against private and loopback addresses) depends on the dispatcher's configuration and is checked there.
 *
 * @param url the absolute http(s) URL, at most {@value #MAX_URL_LENGTH} characters
 * @param events the events to send, without repeats; absent or null means generation.completed and
 *     generation.failed
 */
public record Webhook(String url, List<WebhookEvent> events) {

    public static final int MAX_URL_LENGTH = 2048;
    /** What a webhook without {@code events} gets: the two terminal events. */
    public static final List<WebhookEvent> DEFAULT_EVENTS =
            List.of(WebhookEvent.GENERATION_COMPLETED, WebhookEvent.GENERATION_FAILED);

    public Webhook {
        Checks checks = new Checks();
        checks.text("url", url, MAX_URL_LENGTH, true);
        if (url != null && !url.isBlank()) {
            checkUrl(checks, url);
        }
        if (events == null) {
            events = DEFAULT_EVENTS;
        } else if (checks.noNullElements("events", events)) {
            checks.check(!events.isEmpty(), "events", "must name at least one event (omit it for the default)");
            checks.check(new HashSet<>(events).size() == events.size(), "events", "must not repeat an event");
            events = List.copyOf(events);
        }
        checks.throwIfAny();
    }

    /** A webhook for the default events. */
    public static Webhook to(String url) {
        return new Webhook(url, null);
    }

    /** Whether this webhook wants {@code event}. */
    public boolean wants(WebhookEvent event) {
        return events.contains(event);
    }

    private static void checkUrl(Checks checks, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            checks.add("url", "is not a valid URL: " + e.getReason());
            return;
        }
        // Lower case only, as the JSON Schema's pattern says: one spelling for both validators.
        if (checks.check(
                "http".equals(uri.getScheme()) || "https".equals(uri.getScheme()),
                "url",
                "must be an http:// or https:// URL")) {
            checks.check(uri.getHost() != null, "url", "must name a host");
            checks.check(uri.getRawUserInfo() == null, "url", "must not carry user info (credentials)");
        }
    }
}
