package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the JSON Schemas and the Java validation honest with each other: the same samples must be accepted or
 * rejected by both, and the records' fields must be the schemas' properties.
 */
class SchemaConformanceTest {

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    static List<SampleFile> validSamples() {
        return SampleFile.in("valid");
    }

    static List<SampleFile> invalidSamples() {
        return SampleFile.in("invalid");
    }

    static List<SampleFile> javaOnlySamples() {
        return SampleFile.in("invalid-java-only");
    }

    static List<ProtocolMessage> builtSamples() {
        return Samples.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validSamples")
    void validSamplesPassJavaAndSchema(SampleFile sample) throws Exception {
        assertNoSchemaErrors(sample.type(), JsonSchemas.JSON.readTree(sample.bytes()), sample.toString());
        ProtocolMessage decoded = Codec.decode(sample.bytes(), sample.type());
        byte[] again = Codec.encode(decoded);
        assertNoSchemaErrors(sample.type(), JsonSchemas.JSON.readTree(again), sample + " re-encoded");
        assertEquals(decoded, Codec.decode(again, sample.type()));
    }

    @ParameterizedTest
    @MethodSource("builtSamples")
    void messagesBuiltInJavaPassTheSchema(ProtocolMessage message) throws Exception {
        assertNoSchemaErrors(
                MessageType.of(message), JsonSchemas.JSON.readTree(Codec.encode(message)), message.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSamples")
    void invalidSamplesFailJavaAndSchemaOnTheSameField(SampleFile sample) throws Exception {
        Errors.assertFieldError(sample.javaField(), () -> Codec.decode(sample.bytes(), sample.type()));
        List<Error> errors = JsonSchemas.validate(sample.type(), JsonSchemas.JSON.readTree(sample.bytes()));
        assertFalse(errors.isEmpty(), sample + " passes the schema");
        String pointer = JsonSchemas.pointer(sample.schemaField());
        assertTrue(
                errors.stream().anyMatch(e -> isAbout(e, pointer)),
                sample + ": no schema error at " + pointer + ", only " + errors);
    }

    /**
     * The rules JSON Schema cannot state (one field against another): Java rejects these samples and the schema,
     * by design, accepts them. Each schema's description lists them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("javaOnlySamples")
    void crossFieldRulesAreJavaOnly(SampleFile sample) throws Exception {
        Errors.assertFieldError(sample.javaField(), () -> Codec.decode(sample.bytes(), sample.type()));
        assertNoSchemaErrors(sample.type(), JsonSchemas.JSON.readTree(sample.bytes()), sample.toString());
    }

    /**
     * Every object member of every valid sample left out, set to null, set to a value of the wrong type, and every
     * object given an unknown member: Java and the schema must agree each time on whether that is still valid.
     * This is what keeps the schemas' "required" lists and null handling equal to the records'.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("validSamples")
    void javaAndSchemaAgreeOnEveryMutation(SampleFile sample) throws Exception {
        ObjectNode original = (ObjectNode) JsonSchemas.JSON.readTree(sample.bytes());
        List<String> disagreements = new ArrayList<>();
        forEachMember(original, "", (pointer) -> {
            mutate(sample, original, pointer, "left out", (parent, name) -> parent.remove(name), disagreements);
            mutate(sample, original, pointer, "null", (parent, name) -> parent.putNull(name), disagreements);
            mutate(
                    sample,
                    original,
                    pointer,
                    "wrong type",
                    (parent, name) -> {
                        if (parent.get(name).isArray()) {
                            parent.putObject(name);
                        } else {
                            parent.putArray(name);
                        }
                    },
                    disagreements);
        });
        forEachObject(
                original,
                "",
                pointer -> mutate(
                        sample,
                        original,
                        pointer + "/zz_unknown",
                        "unknown member",
                        (parent, name) -> parent.put(name, "x"),
                        disagreements));
        assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void recordFieldsAreTheSchemaProperties(MessageType type) {
        compareFields(
                type.javaType(),
                new Located(type.schemaFileName(), JsonSchemas.tree(type.schemaFileName())),
                type.javaType().getSimpleName());
    }

    @Test
    void everyMessageTypeHasASchemaWithItsId() {
        for (MessageType type : MessageType.values()) {
            JsonNode schema = JsonSchemas.tree(type.schemaFileName());
            assertEquals(type.schemaId(), schema.get("$id").asText());
            assertEquals(
                    "https://json-schema.org/draft/2020-12/schema",
                    schema.get("$schema").asText());
            assertEquals(type.javaType().getSimpleName(), schema.get("title").asText());
            assertNotNull(JsonSchemas.of(type));
        }
    }

    @Test
    void theSchemaEnumsAreTheJavaEnums() {
        JsonNode common = JsonSchemas.tree("common.schema.json").get("$defs");
        assertEquals(jsonNames(SchedulerName.values()), texts(common.at("/scheduler/enum")));
        assertEquals(jsonNames(Priority.values()), texts(common.at("/priority/enum")));
        assertEquals(jsonNames(JobStatus.values()), texts(common.at("/job_status/enum")));
        assertEquals(jsonNames(FailureReason.values()), texts(common.at("/failure_reason/enum")));
        JsonNode request = JsonSchemas.tree("generation-request.schema.json");
        assertEquals(
                jsonNames(WebhookEvent.values()),
                texts(request.at("/$defs/webhook/properties/events/anyOf/0/items/enum")));
        assertEquals(jsonNames(OutputFormat.values()), texts(request.at("/properties/output_format/anyOf/0/enum")));
        assertEquals(
                jsonNames(GenerationStatus.values()),
                texts(JsonSchemas.tree("generation.schema.json").at("/properties/status/enum")));
        assertEquals(
                jsonNames(ImageStatus.values()),
                texts(JsonSchemas.tree("generation.schema.json").at("/$defs/image/properties/status/enum")));
    }

    @Test
    void theSchemaPatternsAreTheJavaPatterns() {
        JsonNode common = JsonSchemas.tree("common.schema.json").get("$defs");
        assertEquals(
                "^" + Identifier.PATTERN.pattern() + "$",
                common.at("/identifier/pattern").asText());
        assertEquals(
                "^" + GenerationRequest.MODEL_ID.pattern() + "$",
                common.at("/model_id/pattern").asText());
        assertEquals(
                "^" + GenerationRequest.METADATA_KEY.pattern() + "$",
                common.at("/metadata/propertyNames/pattern").asText());
        assertEquals(
                "^" + StoredImage.SHA256.pattern() + "$",
                common.at("/stored_image/properties/sha256/pattern").asText());
        assertEquals(GenerationRequest.MAX_SEED, common.at("/seed/maximum").asLong());
        assertEquals(GenerationRequest.MAX_STEPS, common.at("/steps/maximum").asInt());
        assertEquals(GenerationRequest.MAX_SIDE, common.at("/side/maximum").asInt());
        assertEquals(
                GenerationRequest.MAX_IMAGES, common.at("/image_count/maximum").asInt());
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private interface Mutation {
        void apply(ObjectNode parent, String name);
    }

    private static void mutate(
            SampleFile sample,
            ObjectNode original,
            String pointer,
            String what,
            Mutation mutation,
            List<String> disagreements) {
        ObjectNode copy = original.deepCopy();
        int slash = pointer.lastIndexOf('/');
        ObjectNode parent = (ObjectNode) copy.at(pointer.substring(0, slash));
        mutation.apply(parent, pointer.substring(slash + 1));
        boolean java = javaAccepts(sample.type(), copy);
        List<Error> schemaErrors = JsonSchemas.validate(sample.type(), copy);
        if (java != schemaErrors.isEmpty()) {
            disagreements.add(sample + " " + pointer + " " + what + ": Java " + (java ? "accepts" : "rejects")
                    + ", schema " + (schemaErrors.isEmpty() ? "accepts" : "rejects " + schemaErrors));
        }
    }

    private static boolean javaAccepts(MessageType type, JsonNode json) {
        try {
            Codec.decode(JsonSchemas.JSON.writeValueAsBytes(json), type);
            return true;
        } catch (ValidationException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError("the codec threw something other than a ValidationException", e);
        }
    }

    /** Calls {@code action} with the pointer of every member of every object, depth first. */
    private static void forEachMember(JsonNode node, String pointer, Consumer<String> action) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(e -> {
                String child = pointer + "/" + e.getKey();
                action.accept(child);
                forEachMember(e.getValue(), child, action);
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                forEachMember(array.get(i), pointer + "/" + i, action);
            }
        }
    }

    private static void forEachObject(JsonNode node, String pointer, Consumer<String> action) {
        if (node instanceof ObjectNode object) {
            action.accept(pointer);
            object.properties().forEach(e -> forEachObject(e.getValue(), pointer + "/" + e.getKey(), action));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                forEachObject(array.get(i), pointer + "/" + i, action);
            }
        }
    }

    /**
     * Whether a schema error concerns the JSON pointer {@code field}: it sits at the field or inside it, or at its
     * parent naming it (required, additionalProperties), or at an enclosing non-root member (anyOf wrappers).
     */
    private static boolean isAbout(Error error, String field) {
        String at = error.getInstanceLocation().toString();
        String parent = field.substring(0, Math.max(0, field.lastIndexOf('/')));
        String name = field.substring(field.lastIndexOf('/') + 1);
        return at.equals(field)
                || at.startsWith(field + "/")
                || (at.equals(parent) && name.equals(error.getProperty()))
                || (!at.isEmpty() && field.startsWith(at + "/"));
    }

    private static void assertNoSchemaErrors(MessageType type, JsonNode json, String what) {
        List<Error> errors = JsonSchemas.validate(type, json);
        assertTrue(errors.isEmpty(), what + " fails " + type.schemaFileName() + ": " + errors);
    }

    /** A schema node and the file its relative $refs resolve against. */
    private record Located(String file, JsonNode node) {}

    private static void compareFields(Class<?> record, Located schema, String where) {
        JsonNode properties = schema.node().get("properties");
        assertNotNull(properties, where + " has no properties in " + schema.file());
        Set<String> fromSchema = new TreeSet<>();
        properties.fieldNames().forEachRemaining(fromSchema::add);
        Set<String> fromRecord = Arrays.stream(record.getRecordComponents())
                .map(c -> SNAKE.translate(c.getName()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(fromRecord, fromSchema, where + ": record components vs schema properties");
        for (RecordComponent component : record.getRecordComponents()) {
            String name = SNAKE.translate(component.getName());
            Class<?> type = component.getType();
            if (type.isRecord()) {
                compareFields(type, resolve(schema.file(), properties.get(name)), where + "." + name);
            } else if (List.class.isAssignableFrom(type)) {
                Class<?> element =
                        (Class<?>) ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
                if (element.isRecord()) {
                    Located list = resolve(schema.file(), properties.get(name));
                    compareFields(element, resolve(list.file(), list.node().get("items")), where + "." + name + "[]");
                }
            }
        }
    }

    /** Follows $ref (relative files and in-file pointers) and picks the non-null branch of an anyOf. */
    private static Located resolve(String file, JsonNode node) {
        if (node.has("$ref")) {
            String[] ref = node.get("$ref").asText().split("#", 2);
            String target = ref[0].isEmpty() ? file : ref[0];
            return resolve(target, JsonSchemas.tree(target).at(ref.length > 1 ? ref[1] : ""));
        }
        if (node.has("anyOf")) {
            for (JsonNode branch : node.get("anyOf")) {
                if (!"null".equals(branch.path("type").asText())) {
                    return resolve(file, branch);
                }
            }
        }
        if (node.isMissingNode()) {
            fail("a $ref in " + file + " points nowhere");
        }
        return new Located(file, node);
    }

    private static List<String> jsonNames(Enum<?>[] values) {
        return Arrays.stream(values)
                .map(v -> {
                    try {
                        return JsonSchemas.JSON.readTree(Codec.encodeValue(v)).asText();
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
