package dev.sdfleet.service;

import java.util.HashMap;
import java.util.Map;

/**
 * What every service config's builder shares: the settings changed from their defaults, and {@link #set} for any of
 * them. A config's builder adds a named method per setting and its {@code build()} resolves {@link #changed()}
 * against its {@link SettingSet}.
 *
 * @param <B> the builder itself, so {@link #set} chains with the named methods
 */
public abstract class SettingsBuilder<B extends SettingsBuilder<B>> {
    private final Map<Setting<?>, Object> changed;

    protected SettingsBuilder(Map<Setting<?>, Object> changed) {
        this.changed = new HashMap<>(changed);
    }

    /** Sets one setting (null: back to its default). */
    public <T> B set(Setting<T> setting, T value) {
        changed.put(setting, value);
        return self();
    }

    /** The settings changed so far. */
    protected Map<Setting<?>, Object> changed() {
        return changed;
    }

    protected abstract B self();
}
