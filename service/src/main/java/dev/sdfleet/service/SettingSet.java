package dev.sdfleet.service;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of one service, in the order they are resolved and shown. Everything about configuration follows from
 * the declarations: {@link #fromEnv} reads the environment, {@link #resolve} fills defaults and validates (an error
 * names the variable), {@link #toEnv} writes the environment back (to start a child process with the same settings),
 * {@link #describe} is the start-up log line without secrets, and {@link #markdownTable} is the README's table.
 */
public final class SettingSet {
    /** Where the generated table starts and ends in a README. */
    public static final String TABLE_BEGIN = "<!-- settings table: generated from the declarations; edit those -->";

    public static final String TABLE_END = "<!-- end of settings table -->";

    private final List<Setting<?>> settings;

    private SettingSet(List<Setting<?>> settings) {
        this.settings = List.copyOf(settings);
        Set<String> names = new LinkedHashSet<>();
        for (Setting<?> s : settings) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("declared twice: " + s.name());
            }
        }
    }

    public static SettingSet of(Setting<?>... settings) {
        return new SettingSet(List.of(settings));
    }

    public List<Setting<?>> settings() {
        return settings;
    }

    /** The environment variables the service reads. */
    public Set<String> envNames() {
        Set<String> names = new LinkedHashSet<>();
        settings.stream().filter(Setting::isEnv).forEach(s -> names.add(s.name()));
        return names;
    }

    /**
     * The settings {@code env} sets (unset and blank variables left out, values trimmed), parsed.
     *
     * @throws IllegalArgumentException naming the variable that does not parse
     */
    public Map<Setting<?>, Object> read(Map<String, String> env) {
        Map<Setting<?>, Object> set = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            String text = s.isEnv() ? env.get(s.name()) : null;
            if (text != null && !text.isBlank()) {
                set.put(s, s.parse(text.trim()));
            }
        }
        return set;
    }

    /** {@link #read} and {@link #resolve}: what a service does at start. */
    public SettingValues fromEnv(Map<String, String> env) {
        return resolve(read(env));
    }

    /**
     * Every setting's value: the one in {@code set}, else its default (which may follow from the settings before it);
     * then each is checked, in order.
     *
     * @throws IllegalArgumentException naming the first setting that is missing or out of bounds
     */
    public SettingValues resolve(Map<Setting<?>, ?> set) {
        for (Setting<?> s : set.keySet()) {
            if (!settings.contains(s)) {
                throw new IllegalArgumentException(s.name() + " is not one of these settings");
            }
        }
        Map<Setting<?>, Object> resolved = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            Object value = set.get(s);
            if (value == null) {
                value = s.defaultValue(new SettingValues(resolved));
            }
            if (value != null) {
                resolved.put(s, value);
            }
            validate(s, value, new SettingValues(resolved));
        }
        return new SettingValues(resolved);
    }

    @SuppressWarnings("unchecked")
    private static <T> void validate(Setting<T> s, Object value, SettingValues resolved) {
        s.validate((T) value, resolved);
    }

    /**
     * The values that differ from their defaults: what a builder made from resolved values keeps, so that a setting
     * whose default follows from another one still follows it when that one changes.
     */
    public Map<Setting<?>, Object> explicit(SettingValues values) {
        Map<Setting<?>, Object> explicit = new LinkedHashMap<>();
        Map<Setting<?>, Object> before = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            Object value = values.get(s);
            if (value != null && !value.equals(s.defaultValue(new SettingValues(before)))) {
                explicit.put(s, value);
            }
            if (value != null) {
                before.put(s, value);
            }
        }
        return explicit;
    }

    /**
     * The variables that {@link #fromEnv} reads back as {@code values}. Settings that cannot be written back (a
     * file's content) are left out while they hold their default.
     *
     * @throws IllegalStateException for such a setting that holds another value
     */
    public Map<String, String> toEnv(SettingValues values) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<Setting<?>, Object> explicit = explicit(values);
        for (Setting<?> s : settings) {
            if (!s.isEnv() || values.get(s) == null) {
                continue;
            }
            if (!s.isWritable()) {
                if (explicit.containsKey(s)) {
                    throw new IllegalStateException(s.name() + " cannot be written back as a variable");
                }
                continue;
            }
            String text = format(s, values);
            if (!text.isEmpty()) {
                env.put(s.name(), text);
            }
        }
        return env;
    }

    private static <T> String format(Setting<T> s, SettingValues values) {
        return s.format(values.get(s));
    }

    /** {@code NAME=value, ...} for the start-up log line: secrets masked, unset settings as {@code -}. */
    public String describe(SettingValues values) {
        StringBuilder text = new StringBuilder();
        for (Setting<?> s : settings) {
            text.append(text.isEmpty() ? "" : ", ").append(s.name()).append('=').append(show(s, values));
        }
        return text.toString();
    }

    private static <T> String show(Setting<T> s, SettingValues values) {
        return s.show(values.get(s));
    }

    /** The README table of the environment variables: name, default, bounds, secret or not, meaning. */
    public String markdownTable() {
        StringBuilder table = new StringBuilder("| Variable | Default | Bounds | Secret | Meaning |\n");
        table.append("|---|---|---|---|---|\n");
        for (Setting<?> s : settings) {
            if (!s.isEnv()) {
                continue;
            }
            table.append("| `")
                    .append(s.name())
                    .append("` | ")
                    .append(cell(s.defaultDoc()))
                    .append(" | ")
                    .append(cell(s.rules()))
                    .append(" | ")
                    .append(s.isSecret() ? "yes" : "")
                    .append(" | ")
                    .append(cell(s.doc()))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").trim();
    }

    /**
     * {@code readme} with the text between {@link #TABLE_BEGIN} and {@link #TABLE_END} replaced by
     * {@link #markdownTable()}.
     *
     * @throws IllegalArgumentException when the markers are missing
     */
    public String withTableIn(String readme) {
        int begin = readme.indexOf(TABLE_BEGIN);
        int end = readme.indexOf(TABLE_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no " + TABLE_BEGIN + " ... " + TABLE_END + " in the README");
        }
        return readme.substring(0, begin + TABLE_BEGIN.length()) + "\n" + markdownTable() + readme.substring(end);
    }

    @Override
    public String toString() {
        return "SettingSet" + Objects.toString(settings);
    }
}
