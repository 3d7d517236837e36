package dev.sdfleet.dispatcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TenantsTest {
    private static final String JSON = """
            {"acme": {"api_keys": ["sk-acme-0123456789abcdef"],
                      "webhook_secrets": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]},
             "globex": {"api_keys": ["sk-globex-0123456789abcdef", "sk-globex-second-key-000"]}}""";

    @Test
    void mapsKeysToTenants() {
        Tenants tenants = Tenants.parse(JSON);
        assertEquals(Optional.of("acme"), tenants.tenantOf("sk-acme-0123456789abcdef"));
        assertEquals(Optional.of("globex"), tenants.tenantOf("sk-globex-second-key-000"));
        assertEquals(Optional.empty(), tenants.tenantOf("sk-acme-0123456789abcdeF"));
        assertEquals(Optional.empty(), tenants.tenantOf(null));
        assertEquals(1, tenants.webhookKeys("acme").size());
        assertTrue(tenants.webhookKeys("globex").isEmpty());
    }

    @Test
    void neverPrintsAKeyOrSecret() {
        String text = Tenants.parse(JSON).toString()
                + DispatcherConfig.builder("k:1").tenants(Tenants.parse(JSON)).build();
        assertFalse(text.contains("sk-"), text);
        assertFalse(text.contains("whsec_"), text);
        assertTrue(text.contains("acme(keys=1, secrets=1)"), text);
    }

    @Test
    void readsLimitsWithTheCapOnImagesInFlight() {
        Tenants tenants = Tenants.parse("""
                {"a": {"limits": {"requests_per_second": 5, "max_request_cost": 100, "max_images_in_flight": 8}},
                 "b": {"limits": {"requests_per_second": 5}},
                 "c": {}}""");
        assertEquals(new TenantLimits(5, 5, 100, 8), tenants.limits("a"));
        assertTrue(tenants.limits("a").capsImagesInFlight());
        assertEquals(0, tenants.limits("b").maxImagesInFlight(), "absent: no cap");
        assertFalse(tenants.limits("b").capsImagesInFlight());
        assertFalse(tenants.limits("c").capsImagesInFlight());
        assertEquals(Set.of("a", "b", "c"), tenants.names());
        assertThrows(
                IllegalArgumentException.class,
                () -> Tenants.parse("{\"a\": {\"limits\": {\"max_images_in_flight\": -1}}}"));
    }

    @Test
    void rejectsWeakOrMalformedEntries() {
        assertThrows(IllegalArgumentException.class, () -> Tenants.parse("{\"a\": {\"api_keys\": [\"short\"]}}"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Tenants.parse(
                        "{\"a\": {\"api_keys\": [], \"webhook_secrets\": [\"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"]}}"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Tenants.parse(
                        "{\"a\": {\"api_keys\": [\"dup-key-0123456789\"]}, \"b\": {\"api_keys\": [\"dup-key-0123456789\"]}}"));
        assertThrows(IllegalArgumentException.class, () -> Tenants.parse("{\"bad tenant\": {}}"));
        assertThrows(IllegalArgumentException.class, () -> Tenants.parse("not json"));
    }
}
