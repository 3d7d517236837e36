/**
 * The latent diffusion pipeline: CLIP tokenizer, text encoder, scheduler-driven UNet loop and VAE decoder on ONNX
 * Runtime. Nothing in this module knows about Kafka, S3 or Vert.x.
 */
package dev.sdfleet.pipeline;
