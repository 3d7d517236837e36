package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one way to turn sdfleet messages into JSON bytes and back.
 *
 * <p>Decoding is strict, so that what Java accepts is what the JSON Schemas accept: unknown properties, duplicate
 * properties, values of the wrong JSON type (no "5" for 5, no 5.0 for an integer, no 1 for true), nulls for
 * required numbers, trailing data and unsupported schema versions are all rejected. Every failure, whether Jackson
 * found it or a record's constructor did, comes out as a {@link ValidationException} whose field errors name the
 * field, e.g. {@code webhook.url} or {@code images[1].output.sha256}.
 *
 * <p>Encoding writes snake_case names, leaves out absent (null) optional fields and writes instants as RFC 3339
 * UTC strings. Thread-safe.
 */
public final class Codec {
    /** How a field error about JSON that does not parse begins. */
    static final String MALFORMED_JSON = "malformed JSON";

    /** Larger values are refused before parsing: the largest legitimate message, a dead letter, holds one record. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private static final int MAX_NESTING_DEPTH = 16;

    private static final ObjectMapper MAPPER = newMapper();

    private Codec() {}

    /** The JSON of {@code message}, UTF-8. */
    public static byte[] encode(ProtocolMessage message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            // Records are valid by construction; a failure here is a bug in this module, not bad input.
            throw new IllegalStateException(
                    "cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /** The JSON of {@code message} as a string. */
    public static String encodeToString(ProtocolMessage message) {
        return new String(encode(message), StandardCharsets.UTF_8);
    }

    /**
     * Decodes a message of a known type.
     *
     * @throws ValidationException listing what is wrong, field by field
     */
    public static <T extends ProtocolMessage> T decode(byte[] json, Class<T> type) {
        return decode(json, type, MAPPER.readerFor(type));
    }

    /**
     * As {@link #decode(byte[], Class)}, but skipping properties this build does not know: for a client reading the
     * dispatcher's documents ({@link Generation}), which a newer dispatcher may extend with optional fields within
     * the same schema version. The known fields are checked as strictly as {@code decode} checks them.
     *
     * @throws ValidationException listing what is wrong, field by field
     */
    public static <T extends ProtocolMessage> T decodeIgnoringUnknown(byte[] json, Class<T> type) {
        return decode(json, type, MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
    }

    private static <T extends ProtocolMessage> T decode(byte[] json, Class<T> type, ObjectReader reader) {
        if (json == null || json.length == 0) {
            throw new ValidationException("", "is empty: a JSON object is required");
        }
        if (json.length > MAX_MESSAGE_BYTES) {
            throw new ValidationException("", "is " + json.length + " bytes, more than " + MAX_MESSAGE_BYTES);
        }
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (!(tree instanceof ObjectNode object)) {
                throw new ValidationException("", "must be a JSON object");
            }
            checkSchemaVersion(object, type);
            return reader.readValue(object);
        } catch (JacksonException e) {
            throw JacksonErrors.toValidationException(e, MAPPER);
        } catch (IOException e) {
            throw new IllegalStateException("reading from a byte array cannot fail with I/O", e);
        }
    }

    /** Decodes a message of type {@code type}; see {@link #decode(byte[], Class)}. */
    public static ProtocolMessage decode(byte[] json, MessageType type) {
        return decode(json, type.javaType());
    }

    /**
     * Decodes a message whose type its CloudEvents headers name (for topics that carry several types).
     *
     * @throws ValidationException on {@code ce_type} for an unknown type, or on the message's fields
     */
    public static ProtocolMessage decode(byte[] json, CloudEventHeaders headers) {
        return decode(json, headers.messageType());
    }

    /** The JSON of a single value that is not a message (e.g. an error list in an HTTP response), same settings. */
    public static byte[] encodeValue(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + value.getClass().getName(), e);
        }
    }

    /**
     * Checks schema_version before anything else, so a message from a newer version is reported as such rather than
     * as a list of unknown properties. A request may omit it (see {@link GenerationRequest}).
     */
    private static void checkSchemaVersion(ObjectNode message, Class<?> type) {
        JsonNode version = message.get("schema_version");
        if (version == null && type == GenerationRequest.class) {
            message.set("schema_version", IntNode.valueOf(ProtocolMessage.CURRENT_SCHEMA_VERSION));
        } else if (version != null
                && version.isIntegralNumber()
                && !version.asText().equals(String.valueOf(ProtocolMessage.CURRENT_SCHEMA_VERSION))) {
            throw new ValidationException(
                    "schema_version",
                    "unsupported version " + version.asText() + "; this build reads version "
                            + ProtocolMessage.CURRENT_SCHEMA_VERSION);
        }
    }

    private static ObjectMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_MESSAGE_BYTES)
                        .build())
                .build();
        return JsonMapper.builder(factory)
                .addModule(InstantJson.module())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // JSON types must match exactly, as in the schemas: no "5" for 5, no 5 for "5", no 1 for true.
                .withCoercionConfig(
                        LogicalType.Textual,
                        c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Float,
                        c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Enum,
                        c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail))
                .defaultPropertyInclusion(
                        JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .build();
    }
}
