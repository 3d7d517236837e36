package dev.sdfleet.service;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One setting of a service, declared once: its environment variable, how the variable's text becomes a value and
 * back, its default, its bounds, a one-line description, and whether it is a secret. A {@link SettingSet} of them
 * reads the environment, writes it back, validates, logs without secrets and writes the README table.
 *
 * <p>Immutable: each {@code with...} method returns a changed copy, so a declaration reads as one expression:
 * <pre>{@code
 * static final Setting<Integer> BATCH_SIZE = Setting.integer("SDFLEET_BATCH_SIZE", "jobs per pipeline call")
 *         .withDefault(1)
 *         .atLeast(1);
 * }</pre>
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
    private static final Pattern SECRET_PROPERTY = Pattern.compile("(?i).*(password|secret|jaas|token|credential).*");

    /** A condition on a value; {@code rule} completes "must be ..." and fills the README's bounds column. */
    private record Rule<T>(String rule, BiPredicate<T, SettingValues> ok) {}

    private final String name;
    private final boolean env;
    private final String doc;
    private final Function<String, T> parse;
    private final Function<T, String> format;
    private final Function<T, String> shown;
    private final Function<SettingValues, T> defaultValue;
    private final String defaultDoc;
    private final boolean required;
    private final boolean secret;
    private final List<Rule<T>> rules;

    private Setting(
            String name,
            boolean env,
            String doc,
            Function<String, T> parse,
            Function<T, String> format,
            Function<T, String> shown,
            Function<SettingValues, T> defaultValue,
            String defaultDoc,
            boolean required,
            boolean secret,
            List<Rule<T>> rules) {
        this.name = Objects.requireNonNull(name, "name");
        this.env = env;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.parse = parse;
        this.format = format;
        this.shown = shown;
        this.defaultValue = defaultValue;
        this.defaultDoc = defaultDoc;
        this.required = required;
        this.secret = secret;
        this.rules = List.copyOf(rules);
    }

    /**
     * A variable read with {@code parse} and written back with {@code format} (null: it cannot be written back, as a
     * file's content read at start). The value is logged as {@code format} writes it.
     */
    public static <T> Setting<T> of(String env, String doc, Function<String, T> parse, Function<T, String> format) {
        if (!env.matches("SDFLEET_[A-Z0-9_]+")) {
            throw new IllegalArgumentException("environment variables are SDFLEET_ and capitals, got " + env);
        }
        Function<T, String> shown = format != null ? format : String::valueOf;
        return new Setting<>(env, true, doc, parse, format, shown, null, "", false, false, List.of());
    }

    /** A setting that only code sets (builders, tests): it is never read from or written to the environment. */
    public static <T> Setting<T> code(String name, String doc) {
        return new Setting<>(name, false, doc, null, null, String::valueOf, null, "", false, false, List.of());
    }

    public static Setting<String> text(String env, String doc) {
        return of(env, doc, text -> text, text -> text);
    }

    public static Setting<Integer> integer(String env, String doc) {
        return of(env, doc, Integer::parseInt, String::valueOf);
    }

    public static Setting<Double> decimal(String env, String doc) {
        return of(
                env,
                doc,
                Double::parseDouble,
                value -> value == Math.rint(value) && Math.abs(value) < 1e15
                        ? Long.toString(value.longValue())
                        : Double.toString(value));
    }

    /** {@code true}, {@code yes} or {@code 1}; {@code false}, {@code no} or {@code 0}. */
    public static Setting<Boolean> flag(String env, String doc) {
        return of(env, doc, Setting::parseFlag, String::valueOf);
    }

    /** A duration in whole milliseconds (the variable's name ends with {@code _MS}). */
    public static Setting<Duration> millis(String env, String doc) {
        return of(env, doc, text -> Duration.ofMillis(Long.parseLong(text)), value -> Long.toString(value.toMillis()));
    }

    /** A duration in ISO-8601 ({@code P2D}, {@code PT30M}). */
    public static Setting<Duration> duration(String env, String doc) {
        return of(env, doc, Duration::parse, Duration::toString);
    }

    public static Setting<Path> path(String env, String doc) {
        return of(env, doc, Path::of, Path::toString);
    }

    public static Setting<URI> uri(String env, String doc) {
        return of(env, doc, URI::create, URI::toString);
    }

    /**
     * {@code key=value,...} (values may hold '=' but not ','). Logged with the values of secret-looking keys
     * (password, secret, jaas, token, credential) masked.
     */
    public static Setting<Map<String, String>> properties(String env, String doc) {
        Setting<Map<String, String>> s = of(env, doc, Setting::parseProperties, Setting::formatProperties);
        return s.shownAs(Setting::maskProperties);
    }

    /** A comma-separated list, each item parsed by {@code item} and written back by {@code itemText}. */
    public static <E> Setting<List<E>> list(
            String env, String doc, Function<String, E> item, Function<E, String> itemText) {
        return of(
                env,
                doc,
                text -> splitList(text).stream().map(item).toList(),
                values -> String.join(",", values.stream().map(itemText).toList()));
    }

    /** The environment variable, or the name of a {@link #code} setting. */
    public String name() {
        return name;
    }

    /** Whether the setting is an environment variable (not a {@link #code} one). */
    public boolean isEnv() {
        return env;
    }

    public String doc() {
        return doc;
    }

    public boolean isSecret() {
        return secret;
    }

    /** Whether {@link SettingSet#toEnv} can write the value back. */
    boolean isWritable() {
        return format != null;
    }

    /** A copy with a fixed default. */
    public Setting<T> withDefault(T value) {
        Objects.requireNonNull(value, "value");
        return withDefault(values -> value, "`" + shown.apply(value) + "`");
    }

    /**
     * A copy whose default follows from the settings declared before it ({@code values} holds them, resolved), or is
     * computed at start; {@code doc} says what it is, for the README.
     */
    public Setting<T> withDefault(Function<SettingValues, T> value, String doc) {
        return new Setting<>(name, env, this.doc, parse, format, shown, value, doc, required, secret, rules);
    }

    /** A copy without a default that says what leaving it unset means (null is then the value). */
    public Setting<T> unsetMeans(String doc) {
        return new Setting<>(name, env, this.doc, parse, format, shown, null, doc, required, secret, rules);
    }

    /** A copy that may not end up unset (or blank). */
    public Setting<T> required() {
        return new Setting<>(name, env, doc, parse, format, shown, defaultValue, defaultDoc, true, secret, rules);
    }

    /** A copy that is a secret: logged as {@code ***}, never echoed in an error. */
    public Setting<T> secret() {
        return secret(value -> "***");
    }

    /** A copy that is a secret and logged as {@code shownAs} writes it (a summary that holds no secret). */
    public Setting<T> secret(Function<T, String> shownAs) {
        return new Setting<>(name, env, doc, parse, format, shownAs, defaultValue, defaultDoc, required, true, rules);
    }

    /** A copy that is logged as {@code shownAs} writes it. */
    public Setting<T> shownAs(Function<T, String> shownAs) {
        return new Setting<>(name, env, doc, parse, format, shownAs, defaultValue, defaultDoc, required, secret, rules);
    }

    /** A copy with one more condition; {@code rule} completes "must be ..." (e.g. {@code ">= 1"}). */
    public Setting<T> check(String rule, Predicate<T> ok) {
        return check(rule, (value, all) -> ok.test(value));
    }

    /** A condition that looks at other settings too (declared before this one). */
    public Setting<T> check(String rule, BiPredicate<T, SettingValues> ok) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(new Rule<>(rule, ok));
        return new Setting<>(name, env, doc, parse, format, shown, defaultValue, defaultDoc, required, secret, more);
    }

    /** At least {@code min}: a number, or a duration in milliseconds. */
    public Setting<T> atLeast(long min) {
        return check(">= " + min, value -> asLong(value) >= min);
    }

    /** At most {@code max}: a number, or a duration in milliseconds. */
    public Setting<T> atMost(long max) {
        return check("<= " + max, value -> asLong(value) <= max);
    }

    /** Within {@code min..max}: a number, or a duration in milliseconds. */
    public Setting<T> between(long min, long max) {
        return check(min + ".." + max, value -> asLong(value) >= min && asLong(value) <= max);
    }

    /** Above zero: a number, or a duration. */
    public Setting<T> positive() {
        return check("> 0", value -> value instanceof Double d ? d > 0 : asLong(value) > 0);
    }

    private static long asLong(Object value) {
        return switch (value) {
            case Number n -> n.longValue();
            case Duration d -> d.toMillis();
            default -> throw new IllegalStateException("not a number or a duration: " + value);
        };
    }

    /** The value of {@code text} (trimmed, not blank). */
    T parse(String text) {
        if (parse == null) {
            throw new IllegalStateException(name + " is not read from the environment");
        }
        try {
            return parse.apply(text);
        } catch (RuntimeException e) {
            String what = secret ? name : name + "=" + text;
            throw new IllegalArgumentException(what + ": " + describe(e), e);
        }
    }

    String format(T value) {
        return format.apply(value);
    }

    /** How the log line shows {@code value}. */
    String show(T value) {
        return value == null ? "-" : shown.apply(value);
    }

    /** The default given the settings resolved so far, or null. */
    T defaultValue(SettingValues resolved) {
        return defaultValue == null ? null : defaultValue.apply(resolved);
    }

    String defaultDoc() {
        return defaultDoc;
    }

    /** The bounds in words, for the README ("" when there are none). */
    String rules() {
        return String.join(", ", rules.stream().map(Rule::rule).toList());
    }

    /** Checks a resolved value: throws naming the variable. */
    void validate(T value, SettingValues resolved) {
        if (value == null || value instanceof String text && text.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(name + " is required (" + doc + ")");
            }
            return;
        }
        for (Rule<T> rule : rules) {
            if (!rule.ok().test(value, resolved)) {
                throw new IllegalArgumentException(
                        name + " must be " + rule.rule() + ", got " + (secret ? "***" : show(value)));
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private static String describe(RuntimeException e) {
        return e instanceof NumberFormatException
                ? "not a number"
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static boolean parseFlag(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got \"" + text + "\"");
        };
    }

    static List<String> splitList(String text) {
        return List.of(text.split(",")).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** {@code "a=1,b=2"} as a map; values may contain '=' but not ','. */
    public static Map<String, String> parseProperties(String text) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got \"" + pair.trim() + "\"");
            }
            properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return properties;
    }

    static String formatProperties(Map<String, String> properties) {
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) ->
                text.append(text.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return text.toString();
    }

    static String maskProperties(Map<String, String> properties) {
        Map<String, String> shown = new LinkedHashMap<>();
        properties.forEach((k, v) -> shown.put(k, SECRET_PROPERTY.matcher(k).matches() ? "***" : v));
        return shown.toString();
    }
}
