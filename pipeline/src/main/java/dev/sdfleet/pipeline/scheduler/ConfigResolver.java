package dev.sdfleet.pipeline.scheduler;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads one typed option for {@link SchedulerConfig#of}: the given value, else the class default; keys the class does
 * not have get neutral values. Classes not implemented here ({@code classDefaults == null}) are read leniently: a
 * malformed value falls back to the neutral one.
 */
record ConfigResolver(String className, Map<String, Object> given, Map<String, Object> classDefaults) {

    private Object raw(String key) {
        if (classDefaults != null && !classDefaults.containsKey(key)) {
            return ConfigDefaults.NEUTRAL.get(key); // not a parameter of this class: from_config ignores the key
        }
        if (given.containsKey(key)) {
            return given.get(key);
        }
        return classDefaults != null ? classDefaults.get(key) : ConfigDefaults.NEUTRAL.get(key);
    }

    private boolean lenient() {
        return classDefaults == null;
    }

    private <T> T convert(String key, Function<Object, T> converter) {
        try {
            return converter.apply(raw(key));
        } catch (IllegalArgumentException e) {
            if (lenient()) {
                return converter.apply(ConfigDefaults.NEUTRAL.get(key));
            }
            throw new IllegalArgumentException(className + " config key '" + key + "': " + e.getMessage(), e);
        }
    }

    int integer(String key) {
        return integer(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    int integer(String key, int min, int max) {
        return convert(key, value -> {
            if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
                if (number.doubleValue() < min || number.doubleValue() > max) {
                    throw new IllegalArgumentException("expected " + min + " to " + max + ", got " + value);
                }
                return number.intValue();
            }
            throw new IllegalArgumentException("expected an integer, got " + value);
        });
    }

    double real(String key) {
        return convert(key, value -> {
            if (value instanceof Number number) {
                return number.doubleValue();
            }
            throw new IllegalArgumentException("expected a number, got " + value);
        });
    }

    boolean bool(String key) {
        return convert(key, value -> {
            if (value instanceof Boolean flag) {
                return flag;
            }
            throw new IllegalArgumentException("expected true or false, got " + value);
        });
    }

    String string(String key) {
        return convert(key, value -> {
            if (value instanceof String text) {
                return text;
            }
            throw new IllegalArgumentException("expected a string, got " + value);
        });
    }

    <T> T parse(String key, Function<String, T> parser) {
        return convert(key, value -> {
            if (value instanceof String text) {
                return parser.apply(text);
            }
            throw new IllegalArgumentException("expected a string, got " + value);
        });
    }

    float[] floats(String key) {
        return convert(key, value -> {
            if (value == null) {
                return null;
            }
            if (value instanceof List<?> list) {
                float[] result = new float[list.size()];
                for (int i = 0; i < result.length; i++) {
                    if (!(list.get(i) instanceof Number number)) {
                        throw new IllegalArgumentException("expected a list of numbers, got " + list.get(i));
                    }
                    result[i] = (float) number.doubleValue(); // torch.tensor(trained_betas, dtype=float32)
                }
                return result;
            }
            if (value instanceof float[] array) {
                return array.clone();
            }
            throw new IllegalArgumentException("expected null or a list of numbers, got " + value);
        });
    }
}
