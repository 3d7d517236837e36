package dev.sdfleet.dispatcher.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sdfleet.protocol.Identifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call the API: API keys mapped to tenants, and each tenant's webhook signing secrets. Read from JSON:
 * <pre>{"acme": {"api_keys": ["sk-..."], "webhook_secrets": ["whsec_..."]}}</pre>
 * Keys are held only as SHA-256 digests, looked up by the digest of what a caller sends: no key is kept in memory in
 * the clear, and a lookup by digest does not leak through string-comparison timing. {@link #toString()} names the
 * tenants and counts, never a key or secret.
 */
public final class Tenants {
    public static final String SECRET_PREFIX = "whsec_";

    /** Lenient about unknown members, as the dispatcher's other JSON. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Tenants NONE = new Tenants(Map.of(), Map.of(), Map.of());

    private final Map<String, String> tenantByKeyDigest;
    private final Map<String, List<byte[]>> secrets;
    private final Map<String, TenantLimits> limits;

    private Tenants(
            Map<String, String> tenantByKeyDigest,
            Map<String, List<byte[]>> secrets,
            Map<String, TenantLimits> limits) {
        this.tenantByKeyDigest = Map.copyOf(tenantByKeyDigest);
        this.secrets = Map.copyOf(secrets);
        this.limits = Map.copyOf(limits);
    }

    /** One tenant in the JSON form. */
    public record Entry(
            @JsonProperty("api_keys") List<String> apiKeys,
            @JsonProperty("webhook_secrets") List<String> webhookSecrets,
            @JsonProperty("limits") TenantLimits limits) {
        /** A tenant without limits. */
        public Entry(List<String> apiKeys, List<String> webhookSecrets) {
            this(apiKeys, webhookSecrets, null);
        }
    }

    public static Tenants parse(String json) {
        Map<String, Entry> entries;
        try {
            entries = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Entry>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException("tenants: not valid JSON ({\"tenant\": {\"api_keys\": [...], "
                    + "\"webhook_secrets\": [...]}}): " + e.getMessage());
        }
        return of(entries);
    }

    public static Tenants of(Map<String, Entry> entries) {
        Map<String, String> byDigest = new HashMap<>();
        Map<String, List<byte[]>> secrets = new HashMap<>();
        Map<String, TenantLimits> limits = new HashMap<>();
        entries.forEach((tenant, entry) -> {
            if (!Identifier.isValid(tenant)) {
                throw new IllegalArgumentException(
                        "tenants: tenant names are " + Identifier.DESCRIPTION + ", got \"" + tenant + "\"");
            }
            for (String key : entry.apiKeys() == null ? List.<String>of() : entry.apiKeys()) {
                if (key == null || key.length() < 16) {
                    throw new IllegalArgumentException(
                            "tenants: API keys of " + tenant + " must have at least 16 characters");
                }
                if (byDigest.putIfAbsent(digest(key), tenant) != null) {
                    throw new IllegalArgumentException("tenants: an API key of " + tenant + " is used twice");
                }
            }
            List<String> tenantSecrets = entry.webhookSecrets() == null ? List.of() : entry.webhookSecrets();
            secrets.put(
                    tenant,
                    tenantSecrets.stream().map(s -> decodeSecret(tenant, s)).toList());
            limits.put(tenant, entry.limits() == null ? TenantLimits.NONE : entry.limits());
        });
        return new Tenants(byDigest, secrets, limits);
    }

    public static Tenants none() {
        return NONE;
    }

    /** The tenant of an API key, if it is one. */
    public Optional<String> tenantOf(String apiKey) {
        return apiKey == null || apiKey.isEmpty()
                ? Optional.empty()
                : Optional.ofNullable(tenantByKeyDigest.get(digest(apiKey)));
    }

    /** The tenant's limits ({@link TenantLimits#NONE} when it has none). */
    public TenantLimits limits(String tenant) {
        return limits.getOrDefault(tenant, TenantLimits.NONE);
    }

    /** The configured tenants: what per-tenant meters may be tagged with (so the file bounds the series). */
    public Set<String> names() {
        return secrets.keySet();
    }

    /** The tenant's signing keys (raw bytes of each {@code whsec_} secret), newest first as configured. */
    public List<byte[]> webhookKeys(String tenant) {
        return secrets.getOrDefault(tenant, List.of());
    }

    private static String digest(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] decodeSecret(String tenant, String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException(
                    "tenants: webhook secrets of " + tenant + " must start with " + SECRET_PREFIX);
        }
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
            if (key.length < 24 || key.length > 64) {
                throw new IllegalArgumentException("tenants: webhook secrets of " + tenant
                        + " must hold 24..64 bytes (Standard Webhooks), got " + key.length);
            }
            return key;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("tenants:")) {
                throw e;
            }
            throw new IllegalArgumentException(
                    "tenants: a webhook secret of " + tenant + " is not whsec_ followed by base64");
        }
    }

    @Override
    public String toString() {
        Map<String, Long> keys = new LinkedHashMap<>();
        tenantByKeyDigest.values().forEach(t -> keys.merge(t, 1L, Long::sum));
        StringBuilder text = new StringBuilder("Tenants[");
        secrets.keySet().stream()
                .sorted()
                .forEach(t -> text.append(t)
                        .append("(keys=")
                        .append(keys.getOrDefault(t, 0L))
                        .append(", secrets=")
                        .append(secrets.get(t).size())
                        .append(") "));
        return text.toString().trim() + "]";
    }

    public static String readFile(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("tenants file " + path, e);
        }
    }
}
