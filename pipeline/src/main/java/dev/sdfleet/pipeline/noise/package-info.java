/**
 * Seeded standard-normal generators that reproduce the float32 values of the reference generators, so that a seed
 * gives the same initial latents (and ancestral-sampler noise) as diffusers: {@link dev.sdfleet.pipeline.noise.NumpyRandom}
 * for the ONNX pipelines (numpy legacy {@code RandomState}), the only generator the pipeline runs.
 *
 * <p>The port of the PyTorch CPU generator ({@code torch.manual_seed} + {@code torch.randn}), {@code TorchCpuRandom},
 * lives in the test sources: only the scheduler tests use it, to replay diffusers' PyTorch reference runs.
 *
 * <p>Generators are stateful and not thread-safe: use one per job.
 */
package dev.sdfleet.pipeline.noise;
