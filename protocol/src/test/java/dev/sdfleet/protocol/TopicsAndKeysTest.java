package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsAndKeysTest {

    @Test
    void defaultTopicNames() {
        assertEquals(
                List.of(
                        "sdfleet.requests",
                        "sdfleet.jobs",
                        "sdfleet.results",
                        "sdfleet.events",
                        "sdfleet.cancels",
                        "sdfleet.dlq"),
                Topics.defaults().all());
    }

    @Test
    void thePrefixIsConfigurable() {
        Topics acme = Topics.withPrefix("acme.");
        assertEquals("acme.requests", acme.requests());
        assertEquals("acme.jobs", acme.jobs());
        assertEquals("acme.results", acme.results());
        assertEquals("acme.events", acme.events());
        assertEquals("acme.cancels", acme.cancels());
        assertEquals("acme.dlq", acme.dlq());
        assertEquals("jobs", Topics.withPrefix("").jobs());
    }

    @Test
    void eachModelHasItsOwnJobsTopic() {
        Topics fleet = Topics.defaults();
        assertEquals("sdfleet.jobs.tiny-sd", fleet.jobsFor("tiny-sd"));
        assertEquals("sdfleet.jobs.sd-1.5", fleet.jobsFor("sd-1.5"));
        Topics worker = fleet.forModel("sdxl");
        assertEquals("sdfleet.jobs.sdxl", worker.jobs(), "a worker's view: its model's jobs");
        assertEquals(fleet.results(), worker.results());
        assertThrows(ValidationException.class, () -> fleet.jobsFor("no spaces"));
        assertThrows(ValidationException.class, () -> fleet.jobsFor(null));
    }

    @Test
    void illegalPrefixesAreRefused() {
        assertFieldError("prefix", () -> Topics.withPrefix("a b."));
        assertFieldError("prefix", () -> Topics.withPrefix("x".repeat(245)));
        assertFieldError("prefix", () -> Topics.withPrefix(null));
        assertFieldError("", "own name", () -> new Topics("a", "a", "b", "c", "d", "e"));
    }

    @Test
    void everyMessageTypeHasItsTopic() {
        Topics topics = Topics.withPrefix("t.");
        assertEquals("t.requests", MessageType.GENERATION_REQUEST.topic(topics));
        assertEquals("t.jobs", MessageType.JOB.topic(topics));
        assertEquals("t.results", MessageType.JOB_RESULT.topic(topics));
        assertEquals("t.results", MessageType.JOB_PROGRESS.topic(topics));
        assertEquals("t.events", MessageType.GENERATION.topic(topics));
        assertEquals("t.cancels", MessageType.CANCEL_REQUEST.topic(topics));
        assertEquals("t.dlq", MessageType.DEAD_LETTER.topic(topics));
    }

    @Test
    void everythingOfOneRequestIsKeyedByItsRequestId() {
        byte[] key = "req-42".getBytes(StandardCharsets.UTF_8);
        for (ProtocolMessage message : List.of(
                Samples.fullRequest(),
                Samples.job(),
                Samples.succeeded(),
                Samples.failed(),
                Samples.progress(),
                Samples.cancelRequest(),
                Samples.cancelJob(),
                Samples.completed())) {
            assertArrayEquals(key, RecordKeys.keyOf(message), message.getClass().getSimpleName());
        }
    }

    @Test
    void allJobsOfARequestShareOneKey() {
        List<byte[]> keys = Jobs.split(Samples.fullRequest(), 0, Samples.T0).stream()
                .map(RecordKeys::keyOf)
                .toList();
        keys.forEach(k -> assertArrayEquals(keys.get(0), k));
    }

    @Test
    void aRequestOnTheTopicNeedsItsId() {
        assertFieldError("request_id", "idempotency", () -> RecordKeys.keyOf(Samples.minimalRequest()));
    }

    @Test
    void deadLettersKeepTheOriginalKey() {
        assertArrayEquals("req-42".getBytes(StandardCharsets.UTF_8), RecordKeys.keyOf(Samples.deadLetter()));
        DeadLetter keyless = DeadLetter.of(
                "sdfleet.jobs", 0, 0, null, new byte[] {1}, null, new RuntimeException("x"), null, Samples.T0);
        assertNull(RecordKeys.keyOf(keyless));
        assertThrows(IllegalArgumentException.class, () -> RecordKeys.requestIdOf(keyless));
    }
}
