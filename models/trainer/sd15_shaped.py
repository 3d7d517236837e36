"""Writes an SD-1.5-SHAPED model with random weights: every layer the size of Stable Diffusion 1.5's, nothing learned.

It is what the speed and memory benchmarks need (BENCHMARKS.md, "SD-1.5-shaped model"): the same work per UNet call
and the same 4 GB of fp32 weights as a real SD 1.5 export, in the layout of diffusers' conversion script
(input_ids int32, timestep int64 [1], UNet weights in unet/weights.pb, a VAE encoder that samples), without
downloading one. Its pictures are noise. Not committed: about 4.1 GB.

    apt-get install -y python3-torch python3-onnx libopenblas0
    python3 models/trainer/sd15_shaped.py /tmp/sd15-shaped        # about 10 minutes and 16 GB of memory on 2 cores

Sizes, as diffusers' configs of runwayml/stable-diffusion-v1-5 give them:
- text encoder: CLIP ViT-L/14's text tower, 12 layers of width 768, 12 heads, 49,408 tokens (123M parameters);
- UNet: block_out_channels (320, 640, 1280, 1280), 2 layers per block, cross-attention in the first three down and
  last three up blocks and the middle, 8 heads, cross-attention width 768, timestep embedding 1280 (860M);
- VAE: block_out_channels (128, 256, 512, 512), 2 layers per block (3 per decoder block), a self-attention in the
  middle (84M for both halves).
The tokenizer is CLIP's real vocabulary and merges when ../shared/conformance/clip has them, else the tiny model's.
"""
import os
import shutil
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
from nets import ClipTextEncoder, Downsample, ResnetBlock, Transformer2D, Upsample, timestep_embedding  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLIP_VOCAB = os.path.join(os.path.dirname(REPO), "shared", "conformance", "clip")
TINY_TOKENIZER = os.path.join(REPO, "models", "tiny-sd", "tokenizer")

UNET_CHANNELS = (320, 640, 1280, 1280)
VAE_CHANNELS = (128, 256, 512, 512)
CONTEXT = 768


class Sd15UNet(nn.Module):
    """diffusers' UNet2DConditionModel with SD 1.5's configuration, written out with the trainer's blocks."""

    def __init__(self, ch=UNET_CHANNELS, context=CONTEXT, heads=8, layers=2, temb=1280):
        super().__init__()
        self.ch0, self.block_out_channels = ch[0], ch
        self.time_embedding = nn.Sequential(nn.Linear(ch[0], temb), nn.SiLU(), nn.Linear(temb, temb))
        self.conv_in = nn.Conv2d(4, ch[0], 3, padding=1)
        last = len(ch) - 1
        skips, cin = [ch[0]], ch[0]
        self.down = nn.ModuleList()
        for level, c in enumerate(ch):
            for _ in range(layers):
                attn = Transformer2D(c, context, heads) if level < last else None
                self.down.append(nn.ModuleList([ResnetBlock(cin, c, temb)] + ([attn] if attn else [])))
                skips.append(c)
                cin = c
            if level < last:
                self.down.append(nn.ModuleList([Downsample(c)]))
                skips.append(c)
        self.mid = nn.ModuleList([ResnetBlock(cin, cin, temb), Transformer2D(cin, context, heads),
                                  ResnetBlock(cin, cin, temb)])
        self.up = nn.ModuleList()
        for level, c in enumerate(reversed(ch)):
            for _ in range(layers + 1):
                attn = Transformer2D(c, context, heads) if level > 0 else None
                self.up.append(nn.ModuleList([ResnetBlock(cin + skips.pop(), c, temb)] + ([attn] if attn else [])))
                cin = c
            if level < last:
                self.up.append(nn.ModuleList([Upsample(c)]))
        self.norm_out, self.conv_out = nn.GroupNorm(32, ch[0]), nn.Conv2d(ch[0], 4, 3, padding=1)

    @staticmethod
    def _block(block, h, emb, ctx):
        first = block[0]
        if isinstance(first, ResnetBlock):
            h = first(h, emb)
            return block[1](h, ctx) if len(block) > 1 else h
        return first(h)  # Downsample or Upsample

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds=None, time_ids=None):
        t = timestep.reshape(-1).float().expand(sample.shape[0])
        emb = self.time_embedding(timestep_embedding(t, self.ch0))
        h = self.conv_in(sample)
        skips = [h]
        for block in self.down:
            h = self._block(block, h, emb, encoder_hidden_states)
            skips.append(h)
        h = self.mid[2](self.mid[1](self.mid[0](h, emb), encoder_hidden_states), emb)
        for block in self.up:
            if isinstance(block[0], ResnetBlock):
                h = torch.cat([h, skips.pop()], 1)
            h = self._block(block, h, emb, encoder_hidden_states)
        return self.conv_out(F.silu(self.norm_out(h)))


class VaeMidAttention(nn.Module):
    """The VAE's single-head self-attention over all positions (diffusers' Attention in UNetMidBlock2D)."""

    def __init__(self, ch):
        super().__init__()
        self.group_norm = nn.GroupNorm(32, ch)
        self.to_q, self.to_k, self.to_v, self.to_out = (nn.Linear(ch, ch) for _ in range(4))

    def forward(self, x):
        b, c, hh, ww = x.shape
        h = self.group_norm(x).reshape(b, c, -1).transpose(1, 2)
        att = ((self.to_q(h) @ self.to_k(h).transpose(-1, -2)) * c ** -0.5).softmax(-1)
        return x + self.to_out(att @ self.to_v(h)).transpose(1, 2).reshape(b, c, hh, ww)


class Sd15VaeEncoder(nn.Module):
    def __init__(self, ch=VAE_CHANNELS, layers=2):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        blocks, cin = [], ch[0]
        for level, c in enumerate(ch):
            for _ in range(layers):
                blocks.append(ResnetBlock(cin, c))
                cin = c
            if level < len(ch) - 1:
                blocks.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
        self.down = nn.Sequential(*blocks)
        self.mid = nn.Sequential(ResnetBlock(cin, cin), VaeMidAttention(cin), ResnetBlock(cin, cin))
        self.norm_out, self.conv_out = nn.GroupNorm(32, cin), nn.Conv2d(cin, 8, 3, padding=1)
        self.quant_conv = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        h = self.mid(self.down(self.conv_in(x)))
        return self.quant_conv(self.conv_out(F.silu(self.norm_out(h))))


class Sd15VaeDecoder(nn.Module):
    def __init__(self, ch=VAE_CHANNELS, layers=2):
        super().__init__()
        top = ch[-1]
        self.post_quant_conv = nn.Conv2d(4, 4, 1)
        self.conv_in = nn.Conv2d(4, top, 3, padding=1)
        self.mid = nn.Sequential(ResnetBlock(top, top), VaeMidAttention(top), ResnetBlock(top, top))
        blocks, cin = [], top
        for level, c in enumerate(reversed(ch)):
            for _ in range(layers + 1):
                blocks.append(ResnetBlock(cin, c))
                cin = c
            if level < len(ch) - 1:
                blocks.append(Upsample(c))
        self.up = nn.Sequential(*blocks)
        self.norm_out, self.conv_out = nn.GroupNorm(32, cin), nn.Conv2d(cin, 3, 3, padding=1)

    def forward(self, z):
        h = self.up(self.mid(self.conv_in(self.post_quant_conv(z))))
        return self.conv_out(F.silu(self.norm_out(h)))


def parameters(module):
    return sum(p.numel() for p in module.parameters())


def tokenizer(out):
    folder = f"{out}/tokenizer"
    os.makedirs(folder, exist_ok=True)
    source = CLIP_VOCAB if os.path.isfile(f"{CLIP_VOCAB}/vocab.json") else TINY_TOKENIZER
    for name in ("vocab.json", "merges.txt"):
        shutil.copyfile(f"{source}/{name}", f"{folder}/{name}")
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        shutil.copyfile(f"{TINY_TOKENIZER}/{name}", f"{folder}/{name}")
    return source


def main(out):
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    source = tokenizer(out)
    export.save_json(f"{out}/model_index.json", export.model_index("StableDiffusionPipeline"))
    export.save_json(f"{out}/scheduler/scheduler_config.json", export.SD15_SCHEDULER)
    with torch.no_grad():
        te = ClipTextEncoder(49408, eos_id=49407, dim=768, layers=12, heads=12).eval()
        print(f"text encoder: {parameters(te) / 1e6:.1f}M parameters (tokenizer from {source})", flush=True)
        export.export_text_encoder(te, f"{out}/text_encoder", torch.int32)
        del te
        unet = Sd15UNet().eval()
        print(f"UNet: {parameters(unet) / 1e6:.1f}M parameters", flush=True)
        export.export_unet(unet, f"{out}/unet", CONTEXT, "int64_1d", "weights.pb", config_extra={
            "sample_size": 64, "attention_head_dim": 8,
            "layers_per_block": 2,
            "down_block_types": ["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
            "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3})
        del unet
        encoder, decoder = Sd15VaeEncoder().eval(), Sd15VaeDecoder().eval()
        print(f"VAE: {parameters(encoder) / 1e6:.1f}M + {parameters(decoder) / 1e6:.1f}M parameters", flush=True)
        export.export_vae(encoder, decoder, out, 0.18215, VAE_CHANNELS, sampled_encoder=True)
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/sd15-shaped")
