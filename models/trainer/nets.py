"""The three networks of a latent diffusion model, shaped like SD 1.x's, only small.

- ClipTextEncoder: CLIP's causal text transformer (pre-LN, quick-GELU, final layer norm, pooled end token).
- AutoencoderKL: VAE with 4 latent channels and a downsampling factor of 8 (three stride-2 stages).
- UNet2DConditionModel: epsilon-predicting UNet with sinusoidal timestep embedding and cross-attention to the text.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups(ch):
    return 8 if ch % 8 == 0 else 1


# ---------------------------------------------------------------- text encoder
class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask):
        b, n, d = x.shape
        h = self.heads

        def split(t):
            return t.reshape(b, n, h, d // h).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        att = (q @ k.transpose(-1, -2)) * (d // h) ** -0.5 + mask
        out = att.softmax(-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, n, d))


class ClipLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.layer_norm1, self.layer_norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_attn = CausalSelfAttention(dim, heads)
        self.fc1, self.fc2 = nn.Linear(dim, dim * 4), nn.Linear(dim * 4, dim)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        y = self.fc1(self.layer_norm2(x))
        return x + self.fc2(y * torch.sigmoid(1.702 * y))  # quick_gelu, as CLIP


class ClipTextEncoder(nn.Module):
    """Outputs (last_hidden_state, pooler_output, hidden_states...) like transformers' CLIPTextModel.

    pooler_output is the final-norm state at the first end token (HF's eos_token_id rule), and with
    projection_dim it is also projected to text_embeds (CLIPTextModelWithProjection, SDXL's second encoder).
    """

    def __init__(self, vocab_size, eos_id, dim=64, layers=2, heads=4, context=77, projection_dim=None):
        super().__init__()
        self.eos_id = eos_id
        self.token_embedding = nn.Embedding(vocab_size, dim)
        self.position_embedding = nn.Parameter(torch.randn(context, dim) * 0.01)
        self.layers = nn.ModuleList(ClipLayer(dim, heads) for _ in range(layers))
        self.final_layer_norm = nn.LayerNorm(dim)
        self.register_buffer("causal", torch.full((context, context), float("-inf")).triu(1), persistent=False)
        self.text_projection = nn.Linear(dim, projection_dim, bias=False) if projection_dim else None
        nn.init.normal_(self.token_embedding.weight, std=0.02)

    def forward(self, input_ids):
        ids = input_ids.long()
        n = ids.shape[1]
        x = self.token_embedding(ids) + self.position_embedding[:n]
        mask = self.causal[:n, :n]
        hidden = [x]
        for layer in self.layers:
            x = layer(x, mask)
            hidden.append(x)
        last = self.final_layer_norm(x)
        end = (ids.to(torch.int32) == self.eos_id).to(torch.int32).argmax(-1)
        pooled = last[torch.arange(last.shape[0], device=last.device), end]
        return last, pooled, hidden


# ---------------------------------------------------------------- shared blocks
class ResnetBlock(nn.Module):
    def __init__(self, cin, cout, temb=None):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups(cin), cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout) if temb else None
        self.norm2, self.conv2 = nn.GroupNorm(groups(cout), cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.conv_shortcut(x) if self.conv_shortcut is not None else x)


class Downsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    """Nearest upsampling to an explicit size (the skip's), so odd latent sizes work, then a 3x3 conv."""

    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x, like=None):
        x = F.interpolate(x, size=like.shape[-2:], mode="nearest") if like is not None else F.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.conv(x)


# ---------------------------------------------------------------- VAE
class VaeEncoder(nn.Module):
    def __init__(self, ch=(32, 64, 64), latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        blocks, cin = [], ch[0]
        for c in ch:
            blocks += [ResnetBlock(cin, c), Downsample(c)]
            cin = c
        self.down = nn.ModuleList(blocks)
        self.mid = ResnetBlock(cin, cin)
        self.norm_out, self.conv_out = nn.GroupNorm(groups(cin), cin), nn.Conv2d(cin, 2 * latent, 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * latent, 2 * latent, 1)

    def forward(self, x):
        """Returns the latent parameters: mean and log-variance concatenated on channels (8 channels)."""
        h = self.conv_in(x)
        for block in self.down:
            h = block(h)
        h = self.conv_out(F.silu(self.norm_out(self.mid(h))))
        return self.quant_conv(h)


class VaeDecoder(nn.Module):
    def __init__(self, ch=(64, 64, 32), latent=4):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)
        self.conv_in = nn.Conv2d(latent, ch[0], 3, padding=1)
        self.mid = ResnetBlock(ch[0], ch[0])
        blocks, cin = [], ch[0]
        for c in ch:
            blocks += [ResnetBlock(cin, c), Upsample(c)]
            cin = c
        self.up = nn.ModuleList(blocks)
        self.final = ResnetBlock(cin, cin)
        self.norm_out, self.conv_out = nn.GroupNorm(groups(cin), cin), nn.Conv2d(cin, 3, 3, padding=1)

    def forward(self, z):
        h = self.mid(self.conv_in(self.post_quant_conv(z)))
        for block in self.up:
            h = block(h)
        return self.conv_out(F.silu(self.norm_out(self.final(h))))


# ---------------------------------------------------------------- UNet
def timestep_embedding(t, dim):
    """diffusers get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0 (SD's settings)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context):
        b, n, d = x.shape
        h = self.heads
        q = self.to_q(x).reshape(b, n, h, d // h).transpose(1, 2)
        k = self.to_k(context).reshape(b, -1, h, d // h).transpose(1, 2)
        v = self.to_v(context).reshape(b, -1, h, d // h).transpose(1, 2)
        att = ((q @ k.transpose(-1, -2)) * (d // h) ** -0.5).softmax(-1)
        return self.to_out((att @ v).transpose(1, 2).reshape(b, n, d))


class Transformer2D(nn.Module):
    """SD's SpatialTransformer: self-attention, cross-attention to the text, GEGLU feed-forward."""

    def __init__(self, ch, context_dim, heads=4):
        super().__init__()
        self.norm = nn.GroupNorm(groups(ch), ch)
        self.proj_in, self.proj_out = nn.Conv2d(ch, ch, 1), nn.Conv2d(ch, ch, 1)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(ch), nn.LayerNorm(ch), nn.LayerNorm(ch)
        self.attn1, self.attn2 = Attention(ch, ch, heads), Attention(ch, context_dim, heads)
        self.ff_in, self.ff_out = nn.Linear(ch, ch * 8), nn.Linear(ch * 4, ch)

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        h = self.proj_in(self.norm(x)).reshape(b, c, -1).transpose(1, 2)
        h = h + self.attn1(self.norm1(h), self.norm1(h))
        h = h + self.attn2(self.norm2(h), context)
        a, gate = self.ff_in(self.norm3(h)).chunk(2, dim=-1)
        h = h + self.ff_out(a * F.gelu(gate))
        return x + self.proj_out(h.transpose(1, 2).reshape(b, c, hh, ww))


class UNet2DConditionModel(nn.Module):
    """Two resolution levels (latent and latent/2) with cross-attention at each, and a middle block.

    add_embed_dim > 0 makes it SDXL-shaped: `text_embeds` and `time_ids` are embedded and added to the
    timestep embedding (addition_embed_type "text_time").
    """

    def __init__(self, context_dim, ch=(64, 128), in_ch=4, heads=4, temb=256, add_text_dim=0, add_time_ids=0):
        super().__init__()
        c0, c1 = ch
        self.ch0 = c0
        self.time_embedding = nn.Sequential(nn.Linear(c0, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.add_time_ids = add_time_ids
        self.add_embedding = nn.Sequential(nn.Linear(add_text_dim + add_time_ids * 8, temb), nn.SiLU(),
                                           nn.Linear(temb, temb)) if add_text_dim else None
        self.conv_in = nn.Conv2d(in_ch, c0, 3, padding=1)
        self.down0, self.attn_d0 = ResnetBlock(c0, c0, temb), Transformer2D(c0, context_dim, heads)
        self.downsample = Downsample(c0)
        self.down1, self.attn_d1 = ResnetBlock(c0, c1, temb), Transformer2D(c1, context_dim, heads)
        self.mid1, self.attn_mid, self.mid2 = ResnetBlock(c1, c1, temb), Transformer2D(c1, context_dim, heads), ResnetBlock(c1, c1, temb)
        self.up1, self.attn_u1 = ResnetBlock(c1 + c1, c1, temb), Transformer2D(c1, context_dim, heads)
        self.upsample = Upsample(c1)
        self.up0, self.attn_u0 = ResnetBlock(c1 + c0, c0, temb), Transformer2D(c0, context_dim, heads)
        self.norm_out, self.conv_out = nn.GroupNorm(groups(c0), c0), nn.Conv2d(c0, in_ch, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds=None, time_ids=None):
        # A scalar, [1] or [B] timestep is broadcast to the batch, as diffusers' UNet does.
        t = timestep.reshape(-1).float().expand(sample.shape[0])
        emb = self.time_embedding(timestep_embedding(t, self.ch0))
        if self.add_embedding is not None:
            tid = timestep_embedding(time_ids.reshape(-1), 8).reshape(sample.shape[0], -1)
            emb = emb + self.add_embedding(torch.cat([text_embeds, tid], dim=-1))
        ctx = encoder_hidden_states
        h0 = self.conv_in(sample)
        h1 = self.attn_d0(self.down0(h0, emb), ctx)
        h2 = self.attn_d1(self.down1(self.downsample(h1), emb), ctx)
        m = self.mid2(self.attn_mid(self.mid1(h2, emb), ctx), emb)
        u1 = self.attn_u1(self.up1(torch.cat([m, h2], 1), emb), ctx)
        u0 = self.attn_u0(self.up0(torch.cat([self.upsample(u1, h1), h1], 1), emb), ctx)
        return self.conv_out(F.silu(self.norm_out(u0)))
