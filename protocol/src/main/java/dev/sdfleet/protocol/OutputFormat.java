package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The image file format of a request's outputs. Only PNG for now; the field exists so that adding one is not a v2. */
public enum OutputFormat {
    PNG("png", "image/png");

    private final String id;
    private final String contentType;

    OutputFormat(String id, String contentType) {
        this.id = id;
        this.contentType = contentType;
    }

    /** The JSON name, e.g. {@code "png"}. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The media type of the stored file, e.g. {@code "image/png"}. */
    public String contentType() {
        return contentType;
    }
}
