package dev.sdfleet.service.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.service.SettingSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check every service runs on its README: the settings table there is the one its declarations generate. With
 * {@code -Dsdfleet.writeReadme=true} it rewrites the table instead of failing.
 */
public final class ReadmeTables {
    private ReadmeTables() {}

    /** {@code readme}'s table must be {@code settings}' ({@code owner} names them in the failure message). */
    public static void assertCurrent(SettingSet settings, Path readme, String owner) throws IOException {
        String text = Files.readString(readme);
        String expected = settings.withTableIn(text);
        if (Boolean.getBoolean("sdfleet.writeReadme")) {
            Files.writeString(readme, expected);
            text = expected;
        }
        assertEquals(
                expected,
                text,
                readme.toAbsolutePath().normalize() + "'s settings table differs from " + owner
                        + "'s declarations (rewrite it with -Dsdfleet.writeReadme=true)");
    }
}
