package dev.sdfleet.dispatcher.streams;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Keys of the timer store: {@code <due epoch ms, 15 digits> <kind> <request id>[ <delivery id>]}. Zero-padded, so the
 * store's byte order is time order and "everything due" is one range scan from the start to now. Fifteen digits hold
 * every instant the protocol accepts (up to 9999-12-31, 253402300799999 ms); with 13, any deadline after 2286 sorted
 * before "now" and fired at once. A timer is only a hint to look at a request again: the request's state decides
 * what, if anything, happens, so a stale timer is harmless.
 */
final class Timers {
    /** The request's deadline: queued images fail with DEADLINE_EXCEEDED. */
    static final char DEADLINE = 'D';
    /** A webhook message is due for a try. */
    static final char WEBHOOK = 'W';
    /** An unfinished request may have had no result for the maximum age: it is failed as stalled. */
    static final char STALL = 'S';
    /** A finished request's retention is over: it is removed. */
    static final char EXPIRY = 'X';

    private Timers() {}

    static String key(Instant due, char kind, String requestId) {
        return String.format(Locale.ROOT, "%015d %c %s", Math.max(0, due.toEpochMilli()), kind, requestId);
    }

    static String key(Instant due, char kind, String requestId, String deliveryId) {
        return key(due, kind, requestId) + " " + deliveryId;
    }

    /** A key range [from, to] of the store, both ends included. */
    record Range(String from, String to) {}

    /**
     * The ranges that hold every timer due at {@code now}: the 15-digit keys, and the 13-digit keys that stores
     * written before the widening still hold ({@code 1...} to {@code <now, 13 digits> ~}: they start with a non-zero
     * digit for any time after 2001, and 15-digit keys start with "00" until 2286, so the two never overlap). '~'
     * sorts after every kind letter.
     */
    static List<Range> due(Instant now) {
        long millis = Math.max(0, now.toEpochMilli());
        return List.of(
                new Range("0".repeat(15), String.format(Locale.ROOT, "%015d ~", millis)),
                new Range("1", String.format(Locale.ROOT, "%013d ~", millis)));
    }

    /** A parsed key. */
    record Timer(char kind, String requestId, String deliveryId) {
        static Timer parse(String key) {
            String[] parts = key.split(" ", 4);
            return new Timer(parts[1].charAt(0), parts[2], parts.length > 3 ? parts[3] : null);
        }
    }
}
