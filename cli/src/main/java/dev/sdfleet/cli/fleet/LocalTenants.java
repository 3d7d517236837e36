package dev.sdfleet.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The local fleet's one tenant, {@code local}, in {@code <root>/.sdfleet/tenants.json}: an API key and a webhook
 * signing secret, drawn at random on the first {@code sdfleet up} and kept, so that scripts and webhook receivers
 * set up against one run keep working at the next. {@code sdfleet submit} reads the key from the same file.
 */
public final class LocalTenants {
    public static final String TENANT = "local";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalTenants() {}

    /** Where a fleet rooted at {@code root} keeps its tenants. */
    public static Path file(Path root) {
        return root.resolve(".sdfleet/tenants.json");
    }

    /** The tenants file under {@code root}, written first if there is none. */
    public static Path ensure(Path root) {
        Path file = file(root);
        if (Files.exists(file)) {
            return file;
        }
        ObjectNode tenant = JSON.createObjectNode();
        tenant.putArray("api_keys").add("sk-local-" + randomBase64Url(18));
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        tenant.putArray("webhook_secrets").add("whsec_" + Base64.getEncoder().encodeToString(secret));
        ObjectNode tenants = JSON.createObjectNode();
        tenants.set(TENANT, tenant);
        try {
            Files.createDirectories(file.getParent());
            // Created owner-only before anything is written: the key and the secret are credentials.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(
                    file,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tenants) + "\n",
                    StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        } catch (FileAlreadyExistsException e) {
            return file; // another start wrote it meanwhile: theirs stands
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("cannot create " + file + " owner-only on this file system", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The first API key of the {@code local} tenant (else of any tenant) in the file under {@code root}, if any. */
    public static Optional<String> apiKey(Path root) {
        Path file = file(root);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode tenants = JSON.readTree(file.toFile());
            JsonNode tenant = tenants.has(TENANT)
                    ? tenants.get(TENANT)
                    : tenants.elements().hasNext() ? tenants.elements().next() : null;
            JsonNode keys = tenant == null ? null : tenant.get("api_keys");
            return keys != null && keys.isArray() && !keys.isEmpty()
                    ? Optional.of(keys.get(0).asText())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String randomBase64Url(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
