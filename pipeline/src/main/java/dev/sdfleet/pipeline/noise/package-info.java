/**
 * Seeded standard-normal generators that reproduce the float32 values of the reference generators, so that a seed
 * gives the same initial latents (and ancestral-sampler noise) as diffusers:
 * {@link dev.sdfleet.pipeline.noise.NumpyRandom} for the ONNX pipelines (numpy legacy {@code RandomState}) and
 * {@link dev.sdfleet.pipeline.noise.TorchCpuRandom} for the PyTorch pipelines ({@code torch.manual_seed} +
 * {@code torch.randn} on the CPU).
 *
 * <p>Generators are stateful and not thread-safe: use one per job.
 */
package dev.sdfleet.pipeline.noise;
