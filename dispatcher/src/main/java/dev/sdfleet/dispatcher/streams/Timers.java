package dev.sdfleet.dispatcher.streams;

import java.time.Instant;
import java.util.Locale;

/**
 * Keys of the timer store: {@code <due epoch ms, 13 digits> <kind> <request id>[ <delivery id>]}. Zero-padded, so the
 * store's byte order is time order and "everything due" is one range scan from the start to now. A timer is only a
 * hint to look at a request again: the request's state decides what, if anything, happens, so a stale timer is
 * harmless.
 */
final class Timers {
    /** The request's deadline: queued images fail with DEADLINE_EXCEEDED. */
    static final char DEADLINE = 'D';
    /** A webhook message is due for a try. */
    static final char WEBHOOK = 'W';
    /** A finished request's retention is over: it is removed. */
    static final char EXPIRY = 'X';

    private Timers() {}

    static String key(Instant due, char kind, String requestId) {
        return String.format(Locale.ROOT, "%013d %c %s", Math.max(0, due.toEpochMilli()), kind, requestId);
    }

    static String key(Instant due, char kind, String requestId, String deliveryId) {
        return key(due, kind, requestId) + " " + deliveryId;
    }

    /** The last possible key due at {@code now}: '~' sorts after every kind letter. */
    static String upTo(Instant now) {
        return String.format(Locale.ROOT, "%013d ~", Math.max(0, now.toEpochMilli()));
    }

    static String first() {
        return "0000000000000";
    }

    /** A parsed key. */
    record Timer(char kind, String requestId, String deliveryId) {
        static Timer parse(String key) {
            String[] parts = key.split(" ", 4);
            return new Timer(parts[1].charAt(0), parts[2], parts.length > 3 ? parts[3] : null);
        }
    }
}
