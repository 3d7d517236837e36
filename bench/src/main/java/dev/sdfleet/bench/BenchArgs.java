package dev.sdfleet.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A benchmark's options: {@code --name value}, {@code --name=value} and {@code --flag}. Each benchmark declares the
 * options it knows, so a typo is an error instead of a silently different measurement.
 */
public final class BenchArgs {
    private final Map<String, String> options = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    private BenchArgs() {}

    /**
     * @param valued options that take a value
     * @param booleans options that take none
     * @throws UsageException for an unknown option, a missing value or a positional argument
     */
    public static BenchArgs parse(List<String> argv, Set<String> valued, Set<String> booleans) {
        BenchArgs args = new BenchArgs();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (booleans.contains(name) && value == null) {
                args.flags.add(name);
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                args.options.put(name, value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return args;
    }

    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean has(String name) {
        return options.containsKey(name) || flags.contains(name);
    }

    public int getInt(String name, int fallback) {
        String v = options.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public long getLong(String name, long fallback) {
        String v = options.get(name);
        try {
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** {@code --model DIR}, else the bundled tiny model under the repository root (where the launcher lives). */
    public Path model() {
        Path model = has("model") ? Path.of(get("model", "")) : home().resolve("models/tiny-sd");
        if (!Files.isDirectory(model)) {
            throw new UsageException("model folder " + model + " does not exist");
        }
        return model;
    }

    private static Path home() {
        String home = System.getProperty("sdfleet.home", System.getenv().getOrDefault("SDFLEET_HOME", "."));
        return Path.of(home).toAbsolutePath().normalize();
    }

    /** Bad usage: printed with the benchmark's options, exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
