package dev.sdfleet.dispatcher.support;

import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.config.Tenants;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Two tenants with one API key and one webhook secret each, a third, {@code initech}, with tight limits: one request
 * at once and then one per 1000 s, and requests of at most two 64x64 images of 20 steps; and a fourth, {@code hooli},
 * with at most {@link #HOOLI_IN_FLIGHT} images in flight per partition.
 */
public final class TestTenants {
    public static final String ACME_KEY = "acme-key-0123456789abcdef";
    public static final String GLOBEX_KEY = "globex-key-0123456789abcdef";
    public static final String INITECH_KEY = "initech-key-0123456789abcdef";
    public static final TenantLimits INITECH_LIMITS = new TenantLimits(0.001, 1, 64L * 64 * 20 * 2);
    public static final String HOOLI_KEY = "hooli-key-0123456789abcdef";
    public static final int HOOLI_IN_FLIGHT = 2;
    public static final byte[] ACME_SECRET = "acme-webhook-secret-32-bytes-ok!".getBytes();
    public static final byte[] GLOBEX_SECRET = "globex-webhook-secret-32-bytes-!".getBytes();

    private TestTenants() {}

    public static Tenants tenants() {
        return Tenants.of(Map.of(
                "acme",
                new Tenants.Entry(List.of(ACME_KEY), List.of(whsec(ACME_SECRET))),
                "globex",
                new Tenants.Entry(List.of(GLOBEX_KEY), List.of(whsec(GLOBEX_SECRET))),
                "initech",
                new Tenants.Entry(List.of(INITECH_KEY), List.of(), INITECH_LIMITS),
                "hooli",
                new Tenants.Entry(List.of(HOOLI_KEY), List.of(), new TenantLimits(0, 0, 0, HOOLI_IN_FLIGHT))));
    }

    public static String whsec(byte[] key) {
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
