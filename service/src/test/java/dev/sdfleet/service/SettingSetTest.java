package dev.sdfleet.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingSetTest {
    static final Setting<String> HOST = Setting.text("SDFLEET_HOST", "where to connect")
            .withDefault("localhost")
            .required();
    static final Setting<Integer> SIZE =
            Setting.integer("SDFLEET_SIZE", "how many at once").withDefault(1).between(1, 8);
    static final Setting<Integer> CAPACITY = Setting.integer("SDFLEET_CAPACITY", "how many in flight")
            .withDefault(values -> 2 * values.get(SIZE), "2 × size")
            .check(">= SDFLEET_SIZE", (capacity, values) -> capacity >= values.get(SIZE));
    static final Setting<Duration> WAIT = Setting.millis("SDFLEET_WAIT_MS", "how long")
            .withDefault(Duration.ofMillis(50))
            .atLeast(0);
    static final Setting<String> PASSWORD =
            Setting.text("SDFLEET_PASSWORD", "the password").unsetMeans("none").secret();
    static final Setting<Map<String, String>> PROPERTIES =
            Setting.properties("SDFLEET_PROPERTIES", "k=v for clients").withDefault(values -> Map.of(), "none");
    static final Setting<Boolean> FLAG =
            Setting.flag("SDFLEET_FLAG", "yes or no").withDefault(false);
    static final Setting<Integer> INTERNAL =
            Setting.<Integer>code("internal", "set only in code").withDefault(7).atLeast(1);
    static final SettingSet SETTINGS = SettingSet.of(HOST, SIZE, CAPACITY, WAIT, PASSWORD, PROPERTIES, FLAG, INTERNAL);

    @Test
    void unsetVariablesKeepTheirDefaultsAndDerivedOnesFollow() {
        SettingValues values = SETTINGS.fromEnv(Map.of("SDFLEET_SIZE", " 3 ", "SDFLEET_HOST", "  "));
        assertEquals("localhost", values.get(HOST), "blank is unset");
        assertEquals(3, values.get(SIZE));
        assertEquals(6, values.get(CAPACITY));
        assertEquals(Duration.ofMillis(50), values.get(WAIT));
        assertNull(values.get(PASSWORD));
        assertEquals(7, values.get(INTERNAL));
        assertEquals(
                Set.of(
                        "SDFLEET_HOST",
                        "SDFLEET_SIZE",
                        "SDFLEET_CAPACITY",
                        "SDFLEET_WAIT_MS",
                        "SDFLEET_PASSWORD",
                        "SDFLEET_PROPERTIES",
                        "SDFLEET_FLAG"),
                SETTINGS.envNames());
    }

    @Test
    void errorsNameTheVariableAndTheRule() {
        var e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.fromEnv(Map.of("SDFLEET_SIZE", "four")));
        assertEquals("SDFLEET_SIZE=four: not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.fromEnv(Map.of("SDFLEET_SIZE", "9")));
        assertEquals("SDFLEET_SIZE must be 1..8, got 9", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SETTINGS.fromEnv(Map.of("SDFLEET_SIZE", "4", "SDFLEET_CAPACITY", "3")));
        assertEquals("SDFLEET_CAPACITY must be >= SDFLEET_SIZE, got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.fromEnv(Map.of("SDFLEET_FLAG", "maybe")));
        assertTrue(e.getMessage().startsWith("SDFLEET_FLAG=maybe: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.resolve(Map.of(HOST, " ")));
        assertTrue(e.getMessage().startsWith("SDFLEET_HOST is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.resolve(Map.of(INTERNAL, 0)));
        assertEquals("internal must be >= 1, got 0", e.getMessage());
    }

    @Test
    void toEnvReadsBackAsTheSameValues() {
        SettingValues values = SETTINGS.fromEnv(Map.of(
                "SDFLEET_SIZE", "2",
                "SDFLEET_PASSWORD", "hunter2",
                "SDFLEET_PROPERTIES", "a=1,sasl.jaas.config=x=y",
                "SDFLEET_FLAG", "yes"));
        Map<String, String> env = SETTINGS.toEnv(values);
        assertEquals("true", env.get("SDFLEET_FLAG"));
        assertEquals("4", env.get("SDFLEET_CAPACITY"));
        assertFalse(env.containsKey("internal"), "code-only settings are not variables");
        assertEquals(values, SETTINGS.fromEnv(env));
        assertFalse(SETTINGS.toEnv(SETTINGS.fromEnv(Map.of())).containsKey("SDFLEET_PROPERTIES"), "none is unset");
    }

    @Test
    void explicitLeavesDerivedDefaultsDerived() {
        SettingValues values = SETTINGS.fromEnv(Map.of("SDFLEET_SIZE", "2"));
        Map<Setting<?>, Object> explicit = SETTINGS.explicit(values);
        assertEquals(Map.of(SIZE, 2), explicit);
        Map<Setting<?>, Object> changed = new java.util.HashMap<>(explicit);
        changed.put(SIZE, 4);
        assertEquals(8, SETTINGS.resolve(changed).get(CAPACITY));
    }

    @Test
    void theLogLineMasksSecrets() {
        String shown = SETTINGS.describe(SETTINGS.fromEnv(
                Map.of("SDFLEET_PASSWORD", "hunter2", "SDFLEET_PROPERTIES", "a=1,sasl.jaas.config=hunter3")));
        assertFalse(shown.contains("hunter"), shown);
        assertTrue(shown.contains("SDFLEET_PASSWORD=***"), shown);
        assertTrue(shown.contains("SDFLEET_PROPERTIES={a=1, sasl.jaas.config=***}"), shown);
        assertTrue(shown.contains("internal=7"), shown);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> SettingSet.of(Setting.integer("SDFLEET_PIN", "a pin").secret())
                        .fromEnv(Map.of("SDFLEET_PIN", "12x4")));
        assertFalse(e.getMessage().contains("12x4"), e.getMessage());
    }

    @Test
    void theReadmeTableHasOneRowPerVariable() {
        String table = SETTINGS.markdownTable();
        List<String> lines = table.lines().toList();
        assertEquals(2 + 7, lines.size(), table);
        assertEquals("| `SDFLEET_CAPACITY` | 2 × size | >= SDFLEET_SIZE |  | how many in flight |", lines.get(4));
        assertEquals("| `SDFLEET_PASSWORD` | none |  | yes | the password |", lines.get(6));
        String readme = "# X\n\n" + SettingSet.TABLE_BEGIN + "\nstale\n" + SettingSet.TABLE_END + "\n\nmore\n";
        assertEquals(
                "# X\n\n" + SettingSet.TABLE_BEGIN + "\n" + table + SettingSet.TABLE_END + "\n\nmore\n",
                SETTINGS.withTableIn(readme));
    }
}
