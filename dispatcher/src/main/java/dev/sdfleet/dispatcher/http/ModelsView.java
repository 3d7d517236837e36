package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.ModelCatalogue;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/models}: the models this fleet serves, as the dispatcher's configuration has them, so that a caller
 * can learn what to put in {@code model} (and the sizes and steps each takes) instead of finding out by a 400.
 */
final class ModelsView {
    private final String body;

    ModelsView(ModelCatalogue models) {
        this.body = render(models).toString(); // the catalogue is fixed for the process's life
    }

    void handle(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "application/json").end(body);
    }

    static ObjectNode render(ModelCatalogue models) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode data = json.arrayNode();
        for (ModelCatalogue.Model model : models.all()) {
            ObjectNode entry = data.addObject();
            entry.put("id", model.id());
            entry.put("family", model.family());
            entry.put("default_width", model.defaultWidth());
            entry.put("default_height", model.defaultHeight());
            ArrayNode sizes = entry.putArray("sizes");
            model.sizes().forEach(sizes::add);
            entry.put("default_steps", model.defaultSteps());
            entry.put("max_steps", model.maxSteps());
            entry.put("cost", model.cost());
        }
        ObjectNode root = json.objectNode();
        root.set("data", data);
        return root;
    }
}
