package dev.sdfleet.client;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's Server-Sent Events stream ({@code GET /v1/generations/{id}/events}), read on a virtual thread: each
 * event's data is a Generation document, handed to the caller's thread through a queue. The dispatcher sends the
 * state at once, then each change, and closes the stream after the final one. Anything else (no such endpoint, an
 * error status, a broken connection, an event that does not decode) ends the stream early; the caller then polls.
 */
final class EventStream implements AutoCloseable {
    /** What the reader hands over: a document, or the end of the stream. */
    private sealed interface Item permits Doc, End {}

    private record Doc(Generation state) implements Item {}

    private record End() implements Item {}

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private volatile InputStream body;
    private volatile boolean closed;

    private EventStream() {}

    /** Opens the stream and starts reading it. */
    static EventStream open(HttpClient http, HttpRequest request) {
        EventStream stream = new EventStream();
        Thread.ofVirtual().name("sdfleet-client-events").start(() -> stream.read(http, request));
        return stream;
    }

    /**
     * The next document, empty when the stream has ended (or ends) without one, or when {@code nanos} pass first
     * ({@link #ended()} tells which).
     */
    Optional<Generation> next(long nanos) throws InterruptedException {
        Item item = items.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        if (item instanceof Doc doc) {
            return Optional.of(doc.state());
        }
        if (item instanceof End) {
            items.add(item); // stays ended for the next call
        }
        return Optional.empty();
    }

    /** Whether the stream has ended (the documents before the end are still handed out first). */
    boolean ended() {
        return items.peek() instanceof End;
    }

    private void read(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            if (closed) {
                body.close();
                return;
            }
            if (response.statusCode() != 200) {
                return;
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        items.add(new Doc(Codec.decodeIgnoringUnknown(
                                data.toString().getBytes(StandardCharsets.UTF_8), Generation.class)));
                        data.setLength(0);
                    }
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
                // id:, event: and comments carry nothing the document does not
            }
        } catch (IOException | RuntimeException e) {
            // the caller polls instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            items.add(new End());
        }
    }

    /** Stops reading: the connection is closed, the reader ends. */
    @Override
    public void close() {
        closed = true;
        InputStream open = body;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
