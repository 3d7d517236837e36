package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.devstack.FreePorts;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sdfleet submit} says when it cannot go ahead: no dispatcher listening, a key the dispatcher refuses,
 * a request it refuses (each field error on its own line). Against a real dispatcher on a local fleet without workers
 * (free ports, data in a temporary folder); the way to a stored image is {@link DemoCommandTest}'s, which shares the
 * code.
 */
class SubmitCommandTest {

    @Test
    void explainsAnUnreachableDispatcherARefusedKeyAndARefusedRequest(@TempDir Path root) throws Exception {
        CliTest.Run unreachable = CliTest.run(
                "submit",
                "--url",
                "http://127.0.0.1:" + FreePorts.pick(),
                "--api-key",
                "sk-local-0123456789abcdef",
                "a red circle");
        assertEquals(1, unreachable.exit(), unreachable.out() + unreachable.err());
        assertTrue(unreachable.err().contains("connection refused"), unreachable.err());

        LocalFleet.Settings settings = new LocalFleet.Settings(root, 0, 0, 0, 0, 0, Path.of(CliTest.tinyModel()), 1, 1);
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            JsonNode tenant =
                    CliTest.JSON.readTree(LocalTenants.file(root).toFile()).get(LocalTenants.TENANT);
            String key = tenant.get("api_keys").get(0).asText();
            assertTrue(key.length() >= 16, key);
            String secret = tenant.get("webhook_secrets").get(0).asText();
            assertEquals(32, Base64.getDecoder().decode(secret.substring("whsec_".length())).length, secret);
            LocalTenants.ensure(root);
            assertEquals(key, LocalTenants.apiKey(root).orElseThrow(), "the key is kept, not drawn again");

            String url = fleet.dispatcher().baseUrl();
            CliTest.Run unauthorized =
                    CliTest.run("submit", "--url", url, "--api-key", "sk-not-a-key-0123456789", "a red circle");
            assertEquals(1, unauthorized.exit(), unauthorized.out() + unauthorized.err());
            assertTrue(unauthorized.err().contains("refused the API key (401)"), unauthorized.err());

            // No --api-key: the key comes from the fleet's tenants file under --root. The protocol's own checks
            // refuse these before anything is sent, each field on its own line.
            CliTest.Run invalid = CliTest.run(
                    "submit", "--url", url, "--root", root.toString(), "--size", "65", "--steps", "0", "a red circle");
            assertEquals(2, invalid.exit(), invalid.out() + invalid.err());
            assertTrue(invalid.err().contains("nothing sent"), invalid.err());
            assertTrue(invalid.err().contains("\n  width: "), invalid.err());
            assertTrue(invalid.err().contains("\n  steps: "), invalid.err());

            // What only the dispatcher knows: the models it serves (a 400, its field errors).
            CliTest.Run refused = CliTest.run(
                    "submit", "--url", url, "--root", root.toString(), "--model", "no-such-model", "a red circle");
            assertEquals(2, refused.exit(), refused.out() + refused.err());
            assertTrue(refused.err().contains("answered 400"), refused.err());
            assertTrue(refused.err().contains("\n  model: "), refused.err());
        }
    }
}
