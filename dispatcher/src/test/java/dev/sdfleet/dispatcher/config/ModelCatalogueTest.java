package dev.sdfleet.dispatcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The models file: what it accepts, what it refuses with the member named, and what it does to requests. */
class ModelCatalogueTest {
    private static final String TWO = """
            {"sd-1.5": {"family": "sd-1.5", "default_size": "512x512", "default_steps": 30, "cost": 1.0},
             "sdxl": {"family": "sdxl", "sizes": ["1024x1024", "832x1216"], "default_steps": 25, "max_steps": 60,
                      "cost": 3.2}}""";

    @Test
    void parsesModelsInOrderWithTheirDefaults() {
        ModelCatalogue models = ModelCatalogue.parse(TWO);
        assertEquals(List.of("sd-1.5", "sdxl"), models.ids());
        ModelCatalogue.Model sdxl = models.find("sdxl").orElseThrow();
        assertEquals(1024, sdxl.defaultWidth(), "the first allowed size when no default is given");
        assertEquals(60, sdxl.maxSteps());
        assertEquals(3.2, sdxl.cost());
        assertTrue(models.find("sd-2.1").isEmpty());
        assertEquals(List.of("tiny-sd"), ModelCatalogue.bundled().ids());
    }

    @Test
    void refusesABadFileNamingWhatIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> ModelCatalogue.parse("{}"));
        assertThrows(IllegalArgumentException.class, () -> ModelCatalogue.parse("not json"));
        IllegalArgumentException size = assertThrows(
                IllegalArgumentException.class, () -> ModelCatalogue.parse("{\"m\": {\"default_size\": \"500x512\"}}"));
        assertTrue(size.getMessage().contains("m.default_size"), size.getMessage());
        IllegalArgumentException outside = assertThrows(
                IllegalArgumentException.class,
                () -> ModelCatalogue.parse("{\"m\": {\"sizes\": [\"512x512\"], \"default_size\": \"64x64\"}}"));
        assertTrue(outside.getMessage().contains("not in sizes"), outside.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelCatalogue.parse("{\"m\": {\"default_steps\": 40, \"max_steps\": 20}}"));
        assertThrows(IllegalArgumentException.class, () -> ModelCatalogue.parse("{\"bad id\": {}}"));
        assertThrows(IllegalArgumentException.class, () -> ModelCatalogue.parse("{\"m\": {\"cost\": 0}}"));
    }

    @Test
    void fillsTheModelsDefaultsOnlyWhereTheRequestIsSilent() throws Exception {
        ModelCatalogue models = ModelCatalogue.parse(TWO);
        JsonNode silent = tree(models.withDefaults(bytes("{\"prompt\": \"p\", \"model\": \"sdxl\"}")));
        assertEquals(1024, silent.get("width").asInt());
        assertEquals(1024, silent.get("height").asInt());
        assertEquals(25, silent.get("steps").asInt());
        JsonNode explicit = tree(models.withDefaults(
                bytes("{\"prompt\": \"p\", \"model\": \"sdxl\", \"width\": 832, \"height\": 1216, \"steps\": 8}")));
        assertEquals(832, explicit.get("width").asInt());
        assertEquals(8, explicit.get("steps").asInt());
        byte[] foreign = bytes("{\"prompt\": \"p\", \"model\": \"other\"}");
        assertEquals(new String(foreign, StandardCharsets.UTF_8), new String(models.withDefaults(foreign)));
        byte[] garbage = {(byte) 0xff, 0, 1};
        assertEquals(garbage, models.withDefaults(garbage), "not JSON: left for decoding to refuse");
    }

    @Test
    void namesTheFieldARequestGetsWrong() {
        ModelCatalogue models = ModelCatalogue.parse(TWO);
        assertEquals(List.of(), models.problems(request("sdxl", 1024, 1024, 20)));
        assertEquals(List.of("model"), fields(models.problems(request("sd-2.1", 512, 512, 20))));
        assertEquals(List.of("width"), fields(models.problems(request("sdxl", 512, 512, 20))));
        assertEquals(List.of("steps"), fields(models.problems(request("sdxl", 1024, 1024, 61))));
        assertEquals(List.of(), models.problems(request("sd-1.5", 768, 512, 30)), "no sizes listed: any");
    }

    private static GenerationRequest request(String model, int width, int height, int steps) {
        return GenerationRequest.builder("p", model)
                .size(width, height)
                .steps(steps)
                .build();
    }

    private static List<String> fields(List<FieldError> errors) {
        return errors.stream().map(FieldError::field).toList();
    }

    private static JsonNode tree(byte[] json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
