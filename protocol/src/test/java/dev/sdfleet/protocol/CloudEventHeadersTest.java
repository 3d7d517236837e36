package dev.sdfleet.protocol;

import static dev.sdfleet.protocol.Errors.assertFieldError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventHeadersTest {

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Test
    void buildsTheKafkaBindingHeaders() {
        Map<String, byte[]> headers = CloudEventHeaders.forMessage(
                        Samples.job(), "/sdfleet/dispatcher/d-1", "evt-1", Samples.T0)
                .toMap();
        assertEquals(
                List.of(
                        "ce_specversion",
                        "ce_id",
                        "ce_source",
                        "ce_type",
                        "ce_time",
                        "ce_subject",
                        "ce_dataschema",
                        "content-type"),
                List.copyOf(headers.keySet()));
        assertEquals("1.0", text(headers.get("ce_specversion")));
        assertEquals("evt-1", text(headers.get("ce_id")));
        assertEquals("/sdfleet/dispatcher/d-1", text(headers.get("ce_source")));
        assertEquals("dev.sdfleet.job.v1", text(headers.get("ce_type")));
        assertEquals("2026-03-01T12:00:00Z", text(headers.get("ce_time")));
        assertEquals("req-42/1", text(headers.get("ce_subject")));
        assertEquals("https://sdfleet.dev/schemas/v1/job.schema.json", text(headers.get("ce_dataschema")));
        assertEquals("application/json", text(headers.get("content-type")));
    }

    @Test
    void roundTripsEveryMessageType() {
        for (ProtocolMessage message : Samples.all()) {
            CloudEventHeaders headers = CloudEventHeaders.forMessage(message, "urn:sdfleet:test", Samples.T0);
            CloudEventHeaders back = CloudEventHeaders.parse(headers.toMap());
            assertEquals(headers, back);
            assertEquals(MessageType.of(message), back.messageType());
        }
    }

    @Test
    void eventIdsAreRandomUnlessGiven() {
        ProtocolMessage job = Samples.job();
        assertNotEquals(
                CloudEventHeaders.forMessage(job, "/s", null).id(),
                CloudEventHeaders.forMessage(job, "/s", null).id());
    }

    @Test
    void parsingNamesEveryBadHeader() {
        Map<String, byte[]> headers = new LinkedHashMap<>(
                CloudEventHeaders.forMessage(Samples.job(), "/s", Samples.T0).toMap());
        headers.put("ce_specversion", "0.3".getBytes());
        headers.put("content-type", "text/plain".getBytes());
        headers.put("ce_time", "yesterday".getBytes());
        headers.remove("ce_id");
        headers.put("ce_source", new byte[] {(byte) 0xC3, (byte) 0x28});
        ValidationException e = Errors.assertFieldError("ce_specversion", () -> CloudEventHeaders.parse(headers));
        for (String field : List.of("content-type", "ce_time", "ce_id", "ce_source")) {
            assertTrue(e.hasErrorOn(field), field + " in " + e.errors());
        }
    }

    @Test
    void requiresTheCoreAttributes() {
        assertFieldError(
                "ce_specversion",
                "required",
                () -> CloudEventHeaders.parse(Map.of(
                        "ce_id",
                        "1".getBytes(),
                        "ce_type",
                        "dev.sdfleet.job.v1".getBytes(),
                        "ce_source",
                        "/s".getBytes(),
                        "content-type",
                        "application/json".getBytes())));
        assertFieldError(
                "content-type",
                "required",
                () -> CloudEventHeaders.parse(Map.of(
                        "ce_id",
                        "1".getBytes(),
                        "ce_type",
                        "dev.sdfleet.job.v1".getBytes(),
                        "ce_source",
                        "/s".getBytes(),
                        "ce_specversion",
                        "1.0".getBytes())));
        assertFieldError("ce_source", "URI", () -> new CloudEventHeaders("1", "t", "not a uri", null, null, null));
    }

    @Test
    void acceptsJsonWithACharset() {
        CloudEventHeaders headers = CloudEventHeaders.parse(Map.of(
                "ce_specversion",
                "1.0".getBytes(),
                "ce_id",
                "1".getBytes(),
                "ce_type",
                "dev.sdfleet.cancel.v1".getBytes(),
                "ce_source",
                "/s".getBytes(),
                "content-type",
                "application/json; charset=utf-8".getBytes(),
                "traceparent",
                new byte[] {0}));
        assertEquals(MessageType.CANCEL_REQUEST, headers.messageType());
    }

    @Test
    void anUnknownTypeIsAFieldError() {
        CloudEventHeaders headers = new CloudEventHeaders("1", "dev.sdfleet.job.v2", "/s", null, null, null);
        assertFieldError("ce_type", "dev.sdfleet.job.v1", headers::messageType);
    }

    @Test
    void aBarePublishHasNoHeaders() {
        assertTrue(
                CloudEventHeaders.parseIfPresent(Map.of("other", new byte[0])).isEmpty());
        assertTrue(CloudEventHeaders.parseIfPresent(
                        CloudEventHeaders.forMessage(Samples.job(), "/s", null).toMap())
                .isPresent());
    }
}
