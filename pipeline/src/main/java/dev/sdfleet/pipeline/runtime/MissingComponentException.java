package dev.sdfleet.pipeline.runtime;

import java.nio.file.Path;

/** A model component the pipeline needs is not in the model folder. */
public class MissingComponentException extends RuntimeException {
    private final String component;

    public MissingComponentException(String component, Path expected) {
        super("model component '" + component + "' is missing: " + expected + " does not exist");
        this.component = component;
    }

    /** The component name, e.g. {@code unet}. */
    public String component() {
        return component;
    }
}
