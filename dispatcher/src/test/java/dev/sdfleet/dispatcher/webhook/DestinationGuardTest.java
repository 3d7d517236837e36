package dev.sdfleet.dispatcher.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.WebhookSettings;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only address literals are used: nothing here resolves a name or opens a connection. */
class DestinationGuardTest {
    private final DestinationGuard strict = new DestinationGuard(WebhookSettings.defaults());
    private final DestinationGuard local =
            new DestinationGuard(WebhookSettings.defaults().withLoopbackAllowed(true));

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1/h",
                "http://localhost:8080/h",
                "http://[::1]/h",
                "http://10.1.2.3/h",
                "http://172.16.0.1/h",
                "http://192.168.1.1/h",
                "http://169.254.169.254/latest/meta-data",
                "http://[fe80::1]/h",
                "http://[fd00::1]/h",
                "http://100.64.0.1/h",
                "http://0.0.0.0/h",
                "http://255.255.255.255/h",
                "http://224.0.0.1/h",
                "http://[::ffff:127.0.0.1]/h",
                "ftp://example.com/h",
                "http://app.localhost/h"
            })
    void refusesWhatIsNotPublicUnicastHttp(String url) {
        assertTrue(strict.refuseAtAdmission(url).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"https://hooks.example.com/sdfleet", "http://93.184.215.14:8080/h", "https://[2606:4700::1]/h"})
    void acceptsPublicDestinations(String url) {
        assertEquals(Optional.empty(), strict.refuseAtAdmission(url), url);
    }

    @Test
    void theLocalFleetMayCallLoopbackButStillNotPrivateOrMetadata() {
        assertEquals(Optional.empty(), local.refuseAtAdmission("http://127.0.0.1:9999/h"));
        assertEquals(Optional.empty(), local.refuseAtAdmission("http://localhost/h"));
        assertTrue(local.refuseAtAdmission("http://10.0.0.1/h").isPresent());
        assertTrue(local.refuseAtAdmission("http://169.254.169.254/h").isPresent());
    }

    @Test
    void resolvingChecksTheAddressActuallyCalled() {
        assertThrows(DestinationGuard.Refused.class, () -> strict.resolve(URI.create("http://127.0.0.2/h")));
        assertEquals(
                "127.0.0.1", local.resolve(URI.create("http://127.0.0.1:1/h")).getHostAddress());
    }
}
