"""Writes a model folder exactly as an optimum / diffusers ONNX export of Stable Diffusion looks.

Two export styles are produced so that the Java loader meets both in its tests:
- "optimum" (current optimum-onnx): input_ids int64, timestep float32 scalar (rank 0), vae_encoder outputs
  latent_parameters (mean and log-variance, 8 channels), UNet weights in unet/model.onnx_data;
- "diffusers" (diffusers' conversion script / optimum <= 1.23): input_ids int32, timestep int64 [1],
  vae_encoder outputs a sampled latent_sample, UNet weights in unet/weights.pb.
"""
import json
import os
import tempfile

import onnx
import torch
import torch.nn as nn

OPSET = 17
DIFFUSERS_VERSION = "0.30.0"


def _save_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def _export(module, args, path, inputs, outputs, axes, external=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    # Exported into a scratch folder: a model over protobuf's 2 GB (SD-sized, sd15_shaped.py) comes out of the
    # exporter as one file per weight, and only the final save below gathers them into one external file.
    with tempfile.TemporaryDirectory() as scratch:
        raw = os.path.join(scratch, "model.onnx")
        torch.onnx.export(module, args, raw, opset_version=OPSET, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, do_constant_folding=True)
        model = onnx.load(raw)
    # Axes not declared dynamic get their concrete size (the exporter leaves generated symbolic names there).
    with torch.no_grad():
        results = module(*args)
    results = results if isinstance(results, (tuple, list)) else (results,)
    for out, value in zip(model.graph.output, results):
        for i, dim in enumerate(out.type.tensor_type.shape.dim):
            if i not in axes.get(out.name, {}):
                dim.Clear()
                dim.dim_value = value.shape[i]
    if external:  # the weights in one external file, as large real exports have to
        data = os.path.join(os.path.dirname(path), external)
        if os.path.exists(data):
            os.remove(data)
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=external,
                        size_threshold=1024)
        onnx.checker.check_model(path)  # by path: the checker refuses an in-memory model over 2 GB
    else:
        onnx.checker.check_model(model)
        onnx.save(model, path)


class _TextEncoder(nn.Module):
    def __init__(self, encoder, with_hidden, projection):
        super().__init__()
        self.encoder, self.with_hidden, self.projection = encoder, with_hidden, projection

    def forward(self, input_ids):
        last, pooled, hidden = self.encoder(input_ids)
        if self.projection:  # CLIPTextModelWithProjection: text_embeds first
            out = [self.encoder.text_projection(pooled), last]
        else:
            out = [last, pooled]
        return tuple(out + (list(hidden) if self.with_hidden else []))


def text_encoder_names(encoder, with_hidden, projection):
    names = ["text_embeds", "last_hidden_state"] if projection else ["last_hidden_state", "pooler_output"]
    if with_hidden:
        names += [f"hidden_states.{i}" for i in range(len(encoder.layers) + 1)]
    return names


def export_text_encoder(encoder, folder, ids_dtype, with_hidden=False, projection=False):
    names = text_encoder_names(encoder, with_hidden, projection)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}}
    for n in names:
        axes[n] = {0: "batch_size"} if n in ("pooler_output", "text_embeds") else {0: "batch_size", 1: "sequence_length"}
    ids = torch.zeros(1, 77, dtype=ids_dtype)
    _export(_TextEncoder(encoder, with_hidden, projection), (ids,), f"{folder}/model.onnx", ["input_ids"], names, axes)
    cfg = {"architectures": ["CLIPTextModelWithProjection" if projection else "CLIPTextModel"],
           "model_type": "clip_text_model", "hidden_size": encoder.final_layer_norm.normalized_shape[0],
           "num_hidden_layers": len(encoder.layers), "num_attention_heads": encoder.layers[0].self_attn.heads,
           "intermediate_size": encoder.layers[0].fc1.out_features, "hidden_act": "quick_gelu",
           "max_position_embeddings": 77, "vocab_size": encoder.token_embedding.num_embeddings,
           "eos_token_id": encoder.eos_id, "bos_token_id": encoder.eos_id - 1, "pad_token_id": 1,
           "projection_dim": encoder.text_projection.out_features if projection else encoder.final_layer_norm.normalized_shape[0]}
    _save_json(f"{folder}/config.json", cfg)


class _UNet(nn.Module):
    def __init__(self, unet, sdxl):
        super().__init__()
        self.unet, self.sdxl = unet, sdxl

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds=None, time_ids=None):
        return self.unet(sample, timestep, encoder_hidden_states, text_embeds, time_ids)


def export_unet(unet, folder, context_dim, timestep, external, sdxl_text_dim=0, config_extra=None):
    """timestep: 'float_scalar' (optimum >= 1.24) or 'int64_1d' (optimum <= 1.23)."""
    sample = torch.randn(2, 4, 8, 8)
    t = torch.tensor(500.0) if timestep == "float_scalar" else torch.tensor([500], dtype=torch.int64)
    ctx = torch.randn(2, 77, context_dim)
    inputs, args = ["sample", "timestep", "encoder_hidden_states"], [sample, t, ctx]
    axes = {"sample": {0: "batch_size", 2: "height", 3: "width"},
            "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
            "out_sample": {0: "batch_size", 2: "height", 3: "width"}}
    if timestep != "float_scalar":
        axes["timestep"] = {0: "steps"}
    if sdxl_text_dim:
        inputs += ["text_embeds", "time_ids"]
        args += [torch.randn(2, sdxl_text_dim), torch.tensor([[64.0, 64, 0, 0, 64, 64]] * 2)]
        axes["text_embeds"] = {0: "batch_size"}
        axes["time_ids"] = {0: "batch_size"}
    _export(_UNet(unet, bool(sdxl_text_dim)), tuple(args), f"{folder}/model.onnx", inputs, ["out_sample"], axes, external)
    cfg = {"_class_name": "UNet2DConditionModel", "_diffusers_version": DIFFUSERS_VERSION, "in_channels": 4,
           "out_channels": 4, "sample_size": 8, "cross_attention_dim": context_dim,
           "block_out_channels": list(getattr(unet, "block_out_channels", None) or [unet.ch0, unet.down1.conv1.out_channels]), "attention_head_dim": 4,
           "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
           "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"], "flip_sin_to_cos": True, "freq_shift": 0}
    if sdxl_text_dim:
        cfg.update({"addition_embed_type": "text_time", "addition_time_embed_dim": 8,
                    "projection_class_embeddings_input_dim": sdxl_text_dim + 48})
    cfg.update(config_extra or {})
    _save_json(f"{folder}/config.json", cfg)


class _VaeEncoderSampled(nn.Module):
    """diffusers-script style: the graph itself samples mean + std * N(0, 1) (a RandomNormalLike node)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, sample):
        mean, logvar = self.encoder(sample).chunk(2, dim=1)
        return mean + torch.exp(0.5 * logvar.clamp(-30.0, 20.0)) * torch.randn_like(mean)


def vae_config(scaling_factor, encoder_channels):
    return {"_class_name": "AutoencoderKL", "_diffusers_version": DIFFUSERS_VERSION, "in_channels": 3,
            "out_channels": 3, "latent_channels": 4, "sample_size": 64, "block_out_channels": list(encoder_channels),
            "scaling_factor": scaling_factor, "force_upcast": False}


def export_vae(encoder, decoder, root, scaling_factor, channels, sampled_encoder=False):
    x = torch.randn(1, 3, 64, 64)
    enc_out = "latent_sample" if sampled_encoder else "latent_parameters"
    enc = _VaeEncoderSampled(encoder) if sampled_encoder else encoder
    _export(enc, (x,), f"{root}/vae_encoder/model.onnx", ["sample"], [enc_out],
            {"sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"},
             enc_out: {0: "batch_size", 2: "latent_height", 3: "latent_width"}})
    _export(decoder, (torch.randn(1, 4, 8, 8),), f"{root}/vae_decoder/model.onnx", ["latent_sample"], ["sample"],
            {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"},
             "sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"}})
    for part in ("vae_encoder", "vae_decoder"):
        _save_json(f"{root}/{part}/config.json", vae_config(scaling_factor, channels))


SD15_SCHEDULER = {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
                  "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
                  "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
                  "clip_sample": False}


def model_index(class_name, sdxl=False):
    index = {"_class_name": class_name, "_diffusers_version": DIFFUSERS_VERSION,
             "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
             "scheduler": ["diffusers", "EulerDiscreteScheduler" if sdxl else "PNDMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}
    if sdxl:
        index.update({"text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
                      "tokenizer_2": ["transformers", "CLIPTokenizer"], "force_zeros_for_empty_prompt": True})
        for k in ("feature_extractor", "requires_safety_checker", "safety_checker"):
            index.pop(k)
    return index


def save_json(path, obj):
    _save_json(path, obj)
