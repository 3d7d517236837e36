package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keeps asyncapi.yaml in step with the code: topics, message types, schemas, keys and headers. */
class AsyncApiDocumentTest {

    private static final String DOCUMENT = "dev/sdfleet/protocol/asyncapi.yaml";
    private static JsonNode doc;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = AsyncApiDocumentTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            assertNotNull(in, DOCUMENT);
            doc = new YAMLMapper().readTree(in);
        }
    }

    @Test
    void isAnAsyncApi3Document() {
        assertEquals("3.0.0", doc.get("asyncapi").asText());
        assertFalse(doc.at("/info/title").asText().isEmpty());
        assertEquals("application/json", doc.get("defaultContentType").asText());
    }

    @Test
    void isValidAgainstTheOfficialAsyncApiSchema() throws Exception {
        JsonNode metaSchema;
        try (InputStream in = new GZIPInputStream(AsyncApiDocumentTest.class
                .getClassLoader()
                .getResourceAsStream("asyncapi/asyncapi-3.0.0.schema.json.gz"))) {
            metaSchema = JsonSchemas.JSON.readTree(in);
        }
        Schema schema = SchemaRegistry.withDialect(Dialects.getDraft7()).getSchema(metaSchema);
        List<Error> errors = schema.validate(doc);
        assertTrue(errors.isEmpty(), "asyncapi.yaml is not valid AsyncAPI 3.0.0: " + errors);
    }

    @Test
    void everyReferenceResolves() {
        List<String> broken = new ArrayList<>();
        collectRefs(doc, new ArrayList<>()).forEach(ref -> {
            if (ref.startsWith("#")) {
                if (doc.at(ref.substring(1)).isMissingNode()) {
                    broken.add(ref);
                }
            } else {
                String resource =
                        URI.create(DOCUMENT).resolve(ref.split("#", 2)[0]).getPath();
                if (getClass().getClassLoader().getResource(resource) == null) {
                    broken.add(ref + " (no " + resource + ")");
                }
            }
        });
        assertTrue(broken.isEmpty(), "unresolved: " + broken);
    }

    @Test
    void everyDefaultTopicIsAChannelAndNoOtherIs() {
        Set<String> addresses = new HashSet<>();
        doc.get("channels")
                .forEach(channel -> addresses.add(channel.get("address").asText()));
        assertEquals(
                Topics.defaults().all().stream()
                        .map(AsyncApiDocumentTest::address)
                        .collect(java.util.stream.Collectors.toSet()),
                addresses);
    }

    /** A topic's channel address: the jobs topics are one channel per model ({@code Topics.jobsFor}). */
    private static String address(String topic) {
        return topic.equals(Topics.defaults().jobs()) ? topic + ".{model}" : topic;
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeIsDescribed(MessageType type) {
        JsonNode message = doc.at("/components/messages/" + type.javaType().getSimpleName());
        assertFalse(message.isMissingNode(), type + " has no message");
        assertEquals(
                "./schema/" + type.schemaFileName(),
                message.at("/payload/schema/$ref").asText());
        assertTrue(message.at("/payload/schemaFormat").asText().contains("draft-2020-12"));
        assertEquals(
                type.ceType(),
                message.at("/headers/allOf/1/properties/ce_type/const").asText(),
                "the ce_type of " + type);
        assertEquals(
                "#/components/schemas/CloudEventHeaders",
                message.at("/headers/allOf/0/$ref").asText());
        assertFalse(message.at("/bindings/kafka/key").isMissingNode(), type + " documents its key");
        String channelRef = "#/components/messages/" + type.javaType().getSimpleName();
        JsonNode channel = channelCarrying(channelRef);
        assertNotNull(channel, "no channel carries " + type);
        assertEquals(
                address(type.topic(Topics.defaults())), channel.get("address").asText(), "the topic of " + type);
    }

    @Test
    void theHeaderSchemaListsTheCloudEventsHeaders() {
        JsonNode headers = doc.at("/components/schemas/CloudEventHeaders");
        Set<String> required = new HashSet<>();
        headers.get("required").forEach(n -> required.add(n.asText()));
        assertEquals(
                Set.of(
                        CloudEventHeaders.SPEC_VERSION,
                        CloudEventHeaders.ID,
                        CloudEventHeaders.TYPE,
                        CloudEventHeaders.SOURCE,
                        CloudEventHeaders.CONTENT_TYPE),
                required);
        Set<String> all = new HashSet<>();
        headers.get("properties").fieldNames().forEachRemaining(all::add);
        assertTrue(all.remove(TraceParent.HEADER), "the trace context header is documented with them");
        Set<String> written = CloudEventHeaders.forMessage(Samples.job(), "/s", Samples.T0)
                .toMap()
                .keySet();
        assertEquals(written, all);
        assertEquals(
                CloudEventHeaders.SPEC_VERSION_VALUE,
                headers.at("/properties/ce_specversion/const").asText());
        assertEquals(
                CloudEventHeaders.JSON,
                headers.at("/properties/content-type/const").asText());
    }

    @Test
    void everyOperationPointsAtAChannelMessage() {
        doc.get("operations").properties().forEach(op -> {
            String channel = op.getValue().at("/channel/$ref").asText();
            assertTrue(channel.startsWith("#/channels/"), op.getKey());
            op.getValue()
                    .get("messages")
                    .forEach(m -> assertTrue(m.get("$ref").asText().startsWith(channel + "/messages/"), op.getKey()));
        });
    }

    private static JsonNode channelCarrying(String messageRef) {
        for (JsonNode channel : doc.get("channels")) {
            for (JsonNode message : channel.get("messages")) {
                if (messageRef.equals(message.path("$ref").asText())) {
                    return channel;
                }
            }
        }
        return null;
    }

    private static List<String> collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
        return refs;
    }
}
