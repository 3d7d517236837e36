package dev.sdfleet.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The protocol's JSON Schemas, loaded from the class path by a real validator (networknt, draft 2020-12, with
 * format assertions on so that "date-time" and "uri" are checked, not only annotated).
 */
final class JsonSchemas {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDialect(
            Dialects.getDraft202012(),
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(
                            MessageType.SCHEMA_ID_BASE, "classpath:" + MessageType.SCHEMA_RESOURCE_FOLDER))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .formatAssertionsEnabled(true)
                            .pathType(PathType.JSON_POINTER)
                            .build()));

    private JsonSchemas() {}

    static Schema of(MessageType type) {
        return REGISTRY.getSchema(SchemaLocation.of(type.schemaId()));
    }

    static List<Error> validate(MessageType type, JsonNode instance) {
        return of(type).validate(instance);
    }

    /** A schema file as a plain JSON tree, by file name. */
    static JsonNode tree(String fileName) {
        String resource = MessageType.SCHEMA_RESOURCE_FOLDER + fileName;
        try (InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no schema " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A FieldError path ({@code images[1].output.sha256}) as a JSON pointer ({@code /images/1/output/sha256}). */
    static String pointer(String field) {
        if (field.isEmpty()) {
            return "";
        }
        return "/" + field.replace("[", ".").replace("]", "").replace(".", "/");
    }
}
