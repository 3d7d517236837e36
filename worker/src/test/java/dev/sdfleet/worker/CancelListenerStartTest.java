package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.testing.Fleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cancel listener that cannot start (its topic is not there, and the clients may not create it) keeps trying rather
 * than die, says it is down meanwhile ({@code sdfleet_worker_cancel_listener_up} 0, not ready), and reads once the
 * topic appears (then ready).
 */
class CancelListenerStartTest {

    @Test
    void theListenerWaitsForItsTopicAndThenReads() {
        try (Fleet fleet = new Fleet("latecancels")) {
            // Topics of their own that nobody has created yet; the clients must not create them on first use.
            String prefix = fleet.groupId().replace("workers", "late.");
            Worker worker = fleet.start(fleet.config("w-latecancels")
                    .topicPrefix(prefix)
                    .kafkaProperties(Map.of("allow.auto.create.topics", "false"))
                    .build());

            assertEquals(0.0, listenerUp(worker), "no cancels topic: the listener is down");
            assertFalse(worker.hasFailed());
            assertTrue(readiness(worker).contains("\"cancel_listener\":\"down\""), "readiness says why it waits");

            Fleet.infra().createTopics(Map.of(Topics.withPrefix(prefix).cancels(), Fleet.PARTITIONS));
            Fleet.await("the listener reads the new topic", () -> listenerUp(worker) == 1.0);
            assertFalse(worker.hasFailed());
            Fleet.await(
                    "readiness to see the listener read",
                    () -> readiness(worker).contains("\"cancel_listener\":\"reading\""));
        }
    }

    private static String readiness(Worker worker) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + worker.httpPort() + "/health/ready"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double listenerUp(Worker worker) {
        return worker.metrics()
                .registry()
                .get("sdfleet.worker.cancel.listener.up")
                .gauge()
                .value();
    }
}
