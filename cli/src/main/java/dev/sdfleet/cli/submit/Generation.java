package dev.sdfleet.cli.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What {@code sdfleet submit} and {@code sdfleet demo} ask for. A null field is left out of the body, so the
 * dispatcher applies the protocol's default (guidance 7.5, 30 steps, a drawn seed, n = 1).
 */
public record Generation(
        String prompt,
        String model,
        Integer n,
        Long seed,
        Double guidance,
        Integer steps,
        Integer width,
        Integer height) {

    /** The POST body: the protocol's {@code GenerationRequest} without request id or tenant. */
    public ObjectNode toJson() {
        ObjectNode body = GenerationsApi.JSON.createObjectNode();
        body.put("prompt", prompt);
        body.put("model", model);
        if (n != null) {
            body.put("n", n);
        }
        if (seed != null) {
            body.put("seed", seed);
        }
        if (guidance != null) {
            body.put("guidance", guidance);
        }
        if (steps != null) {
            body.put("steps", steps);
        }
        if (width != null) {
            body.put("width", width);
        }
        if (height != null) {
            body.put("height", height);
        }
        return body;
    }
}
