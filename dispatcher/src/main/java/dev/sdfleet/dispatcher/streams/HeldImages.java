package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.state.ImagePhase;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.protocol.Priority;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The held-images store: one key per image that the dispatcher holds back under its tenant's cap on images in
 * flight, {@code <tenant>|<priority rank>|<accepted ms, 15 digits>|<request id>|<image index, 2 digits>}, empty value.
 * Within a tenant, byte order is release order: high before normal before low, then admission order, then image
 * order, so the tenant's next image is the first key of a prefix scan. Tenant names and request ids cannot hold
 * {@code |} ({@code Identifier}).
 *
 * <p>The store is an index of the request store, written only by {@link #changed} from the difference between a
 * request's old and new state, in the same transaction: an image that ends while held (cancel, deadline, stall)
 * leaves the index with it. {@link #next} still skips, and drops, a key whose image is not held any more, so an index
 * written by an older version cannot wedge a tenant.
 */
final class HeldImages {
    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, String> store;

    HeldImages(KeyValueStore<String, String> store) {
        this.store = store;
    }

    /** A held image: its store key and where to find it in the request store. */
    record Held(String key, String requestId, int imageIndex) {}

    /** Keeps the index in step with a request that went from {@code before} (null: new) to {@code after}. */
    void changed(RequestState before, RequestState after) {
        String prefix = null;
        for (int i = 0; i < after.images().size(); i++) {
            boolean wasHeld = before != null && before.images().get(i).phase() == ImagePhase.HELD;
            boolean isHeld = after.images().get(i).phase() == ImagePhase.HELD;
            if (wasHeld != isHeld) {
                if (prefix == null) {
                    prefix = prefix(after.tenant(), after.request().priority(), after.acceptedAt(), after.requestId());
                }
                String key = prefix + String.format(Locale.ROOT, "%02d", i);
                if (isHeld) {
                    store.put(key, "");
                } else {
                    store.delete(key);
                }
            }
        }
    }

    /**
     * The tenant's next image to release, or null when it has none held. Keys whose image is no longer held (the
     * request gone, finished or the image moved on) are dropped on the way.
     *
     * @param stillHeld whether the image a key names is held in the request store
     */
    Held next(String tenant, Predicate<Held> stillHeld) {
        while (true) {
            Held first;
            try (KeyValueIterator<String, String> it = store.prefixScan(tenant + "|", KEYS)) {
                if (!it.hasNext()) {
                    return null;
                }
                first = parse(it.next().key);
            }
            if (stillHeld.test(first)) {
                return first;
            }
            store.delete(first.key());
        }
    }

    private static String prefix(String tenant, Priority priority, Instant acceptedAt, String requestId) {
        int rank = Priority.values().length - 1 - priority.ordinal(); // high first
        return String.format(
                Locale.ROOT, "%s|%d|%015d|%s|", tenant, rank, Math.max(0, acceptedAt.toEpochMilli()), requestId);
    }

    static Held parse(String key) {
        String[] parts = key.split("\\|", 5);
        return new Held(key, parts[3], Integer.parseInt(parts[4]));
    }
}
