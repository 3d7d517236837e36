package dev.sdfleet.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void upAndDownInTheSameShape() {
        assertEquals("{\"status\":\"UP\"}", Health.UP.toJson());
        assertEquals(200, Health.UP.httpStatus());
        Health down =
                Health.of(false).with("streams", "ERROR").with("ready", false).with("n", 3);
        assertEquals("{\"status\":\"DOWN\",\"streams\":\"ERROR\",\"ready\":false,\"n\":3}", down.toJson());
        assertEquals(503, down.httpStatus());
        assertEquals(
                "{\"status\":\"UP\",\"model\":\"a\\\"b\"}",
                Health.UP.with("model", "a\"b").toJson());
    }
}
