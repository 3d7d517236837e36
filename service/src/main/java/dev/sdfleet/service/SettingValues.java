package dev.sdfleet.service;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Values of settings, in declaration order; a setting that is absent (or null) is unset. Immutable once a
 * {@link SettingSet} has resolved it; two are equal when they hold equal values for the same settings.
 */
public final class SettingValues {
    private final Map<Setting<?>, Object> values;

    SettingValues(Map<Setting<?>, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The value, or null when unset. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SettingValues other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
