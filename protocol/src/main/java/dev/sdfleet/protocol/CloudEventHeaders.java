package dev.sdfleet.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The CloudEvents attributes of a record, in the Kafka protocol binding's binary mode: each attribute is a
 * {@code ce_}-prefixed header with a UTF-8 value, the JSON message is the record value, and {@code content-type}
 * says it is JSON. Kafka-free on purpose: headers are a {@code Map<String, byte[]>} (last value per name), which
 * the Kafka-facing code converts to and from its record headers.
 *
 * <p>{@code ce_type} is what tells apart the message types that share a topic (progress and request events on
 * the events topic); {@code ce_dataschema} names the JSON Schema of the value.
 *
 * @param id {@code ce_id}: unique per event for this source (a consumer may drop a repeated source + id)
 * @param type {@code ce_type}, e.g. {@code "dev.sdfleet.job.v1"}; see {@link MessageType#ceType()}
 * @param source {@code ce_source}: who produced the event, a URI reference such as {@code "/sdfleet/worker/w-1"}
 * @param time {@code ce_time}, optional
 * @param subject {@code ce_subject}: the job or request id the event is about, optional
 * @param dataSchema {@code ce_dataschema}: the JSON Schema's id, optional
 */
public record CloudEventHeaders(
        String id, String type, String source, Instant time, String subject, String dataSchema) {

    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String DATA_SCHEMA = "ce_dataschema";
    /** Not {@code ce_datacontenttype}: the Kafka binding maps that attribute to the plain content-type header. */
    public static final String CONTENT_TYPE = "content-type";

    public static final String SPEC_VERSION_VALUE = "1.0";
    public static final String JSON = "application/json";

    public CloudEventHeaders {
        Checks checks = new Checks();
        checks.check(id != null && !id.isEmpty(), ID, "is required");
        checks.check(type != null && !type.isEmpty(), TYPE, "is required");
        if (checks.check(source != null && !source.isEmpty(), SOURCE, "is required")) {
            checks.check(isUriReference(source), SOURCE, "must be a URI reference, e.g. /sdfleet/worker/w-1");
        }
        checks.optionalInstant(TIME, time);
        checks.check(subject == null || !subject.isEmpty(), SUBJECT, "must not be empty");
        if (dataSchema != null) {
            checks.check(isAbsoluteUri(dataSchema), DATA_SCHEMA, "must be an absolute URI");
        }
        checks.throwIfAny();
    }

    /**
     * The headers of {@code message} from {@code source}, with a random id. The subject is the job id for job-scoped
     * messages and the request id otherwise.
     */
    public static CloudEventHeaders forMessage(ProtocolMessage message, String source, Instant time) {
        return forMessage(message, source, UUID.randomUUID().toString(), time);
    }

    /** As {@link #forMessage(ProtocolMessage, String, Instant)} with the given event id. */
    public static CloudEventHeaders forMessage(ProtocolMessage message, String source, String id, Instant time) {
        MessageType type = MessageType.of(message);
        return new CloudEventHeaders(id, type.ceType(), source, time, subjectOf(message), type.schemaId());
    }

    /** The header map to put on the Kafka record, in a stable order. */
    public Map<String, byte[]> toMap() {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put(SPEC_VERSION, utf8(SPEC_VERSION_VALUE));
        headers.put(ID, utf8(id));
        headers.put(SOURCE, utf8(source));
        headers.put(TYPE, utf8(type));
        if (time != null) {
            headers.put(TIME, utf8(time.toString()));
        }
        if (subject != null) {
            headers.put(SUBJECT, utf8(subject));
        }
        if (dataSchema != null) {
            headers.put(DATA_SCHEMA, utf8(dataSchema));
        }
        headers.put(CONTENT_TYPE, utf8(JSON));
        return Collections.unmodifiableMap(headers);
    }

    /**
     * Reads the CloudEvents headers of a record: {@code ce_specversion} must be 1.0, {@code ce_id},
     * {@code ce_type} and {@code ce_source} present, {@code content-type} application/json (parameters such as
     * charset allowed), every value UTF-8. Headers that are not CloudEvents attributes are ignored.
     *
     * @throws ValidationException with one field error per bad header, named by the header
     */
    public static CloudEventHeaders parse(Map<String, byte[]> headers) {
        Checks checks = new Checks();
        Map<String, String> text = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (name.startsWith("ce_") || name.equals(CONTENT_TYPE)) {
                Optional<String> decoded = value == null ? Optional.empty() : strictUtf8(value);
                checks.check(decoded.isPresent(), name, "must be a UTF-8 text value");
                decoded.ifPresent(v -> text.put(name, v));
            }
        });
        String specVersion = text.get(SPEC_VERSION);
        if (!headers.containsKey(SPEC_VERSION)) {
            checks.add(SPEC_VERSION, "is required");
        } else if (specVersion != null) {
            checks.check(
                    SPEC_VERSION_VALUE.equals(specVersion),
                    SPEC_VERSION,
                    "must be " + SPEC_VERSION_VALUE + ", got " + specVersion);
        }
        String contentType = text.get(CONTENT_TYPE);
        if (!headers.containsKey(CONTENT_TYPE)) {
            checks.add(CONTENT_TYPE, "is required");
        } else if (contentType != null) {
            String mediaType = contentType.split(";", 2)[0].trim();
            checks.check(JSON.equalsIgnoreCase(mediaType), CONTENT_TYPE, "must be " + JSON + ", got " + contentType);
        }
        Instant time = null;
        String timeText = text.get(TIME);
        if (timeText != null) {
            time = InstantJson.parseOrNull(timeText);
            checks.check(time != null, TIME, InstantJson.EXPECTED + ", got " + timeText);
        }
        CloudEventHeaders parsed = null;
        try {
            parsed = new CloudEventHeaders(
                    text.get(ID), text.get(TYPE), text.get(SOURCE), time, text.get(SUBJECT), text.get(DATA_SCHEMA));
        } catch (ValidationException e) {
            // Reported together with the header-level problems above, so one look shows all of them.
            e.errors().forEach(error -> checks.add(error.field(), error.message()));
        }
        checks.throwIfAny();
        return parsed;
    }

    /** Like {@link #parse(Map)}, but empty when the record carries no CloudEvents header at all (a bare kcat publish). */
    public static Optional<CloudEventHeaders> parseIfPresent(Map<String, byte[]> headers) {
        boolean any = headers.keySet().stream().anyMatch(name -> name.startsWith("ce_"));
        return any ? Optional.of(parse(headers)) : Optional.empty();
    }

    /**
     * The message type named by {@code ce_type}.
     *
     * @throws ValidationException on {@code ce_type} for a type this build does not know (another version, say)
     */
    public MessageType messageType() {
        return MessageType.ofCeType(type)
                .orElseThrow(() -> new ValidationException(
                        TYPE, "unknown type \"" + type + "\"; this build reads " + knownTypes()));
    }

    private static String knownTypes() {
        StringBuilder known = new StringBuilder();
        for (MessageType t : MessageType.values()) {
            known.append(known.isEmpty() ? "" : ", ").append(t.ceType());
        }
        return known.toString();
    }

    private static String subjectOf(ProtocolMessage message) {
        return switch (message) {
            case Job job -> job.jobId();
            case JobResult result -> result.jobId();
            case JobProgress progress -> progress.jobId();
            case GenerationRequest request -> request.requestId();
            case CancelRequest cancel -> cancel.jobId() != null ? cancel.jobId() : cancel.requestId();
            case Generation generation -> generation.id();
            case DeadLetter deadLetter -> deadLetter.topic() + "/" + deadLetter.partition() + "/" + deadLetter.offset();
        };
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<String> strictUtf8(byte[] value) {
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static boolean isUriReference(String value) {
        try {
            new URI(value);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isAbsoluteUri(String value) {
        try {
            return new URI(value).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
