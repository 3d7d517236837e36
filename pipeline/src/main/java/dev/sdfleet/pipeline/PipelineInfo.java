package dev.sdfleet.pipeline;

import dev.sdfleet.pipeline.model.ModelFamily;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import java.util.List;

/**
 * What a loaded model folder holds and how it runs: for {@code sdfleet info}, logs and health endpoints.
 *
 * @param model the model folder name
 * @param family detected family
 * @param scheduler the scheduler class from scheduler_config.json
 * @param predictionType epsilon, v_prediction, ...
 * @param vaeScalingFactor latent scaling factor
 * @param components each loaded component with its provider and signature
 */
public record PipelineInfo(
        String model,
        ModelFamily family,
        String scheduler,
        String predictionType,
        float vaeScalingFactor,
        List<Component> components) {

    /** One ONNX component. */
    public record Component(
            String name, String file, String provider, List<TensorSpec> inputs, List<TensorSpec> outputs) {}
}
