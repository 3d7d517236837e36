package dev.sdfleet.dispatcher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.config.Tenants;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A token bucket per tenant: the burst at once, then the rate; other tenants never feel it. */
class TenantGateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aTenantGetsItsBurstThenItsRateAndNoOneElseIsSlowed() {
        Tenants tenants = Tenants.of(Map.of(
                "busy", new Tenants.Entry(List.of("busy-key-0123456789"), List.of(), new TenantLimits(2, 3, 0)),
                "free", new Tenants.Entry(List.of("free-key-0123456789"), List.of())));
        AtomicLong now = new AtomicLong(5 * SECOND);
        TenantGate gate = new TenantGate(tenants, now::get);

        for (int i = 0; i < 3; i++) {
            assertTrue(gate.take("busy").isEmpty(), "burst request " + i);
        }
        TenantGate.RateRefusal refused = gate.take("busy").orElseThrow();
        assertEquals("requests_per_second", refused.limit());
        assertEquals(1, refused.retryAfterSeconds(), "half a second to the next token, rounded up");
        for (int i = 0; i < 100; i++) {
            assertTrue(gate.take("free").isEmpty(), "a tenant without limits is never refused");
        }

        now.addAndGet(SECOND / 2);
        assertTrue(gate.take("busy").isEmpty(), "one token after half a second at 2/s");
        assertTrue(gate.take("busy").isPresent());
        now.addAndGet(60 * SECOND);
        for (int i = 0; i < 3; i++) {
            assertTrue(gate.take("busy").isEmpty(), "refilled to the burst, not beyond");
        }
        assertTrue(gate.take("busy").isPresent());
    }
}
