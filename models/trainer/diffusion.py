"""Noise schedule, the training noising, and a reference sampler (PNDM/PLMS as diffusers' SD 1.5 default).

The sampler mirrors diffusers' OnnxStableDiffusionPipeline: numpy RandomState(seed).randn initial latents (one
generator per image), [uncond, cond] CFG batching, scheduler step on unscaled latents, latents / scaling_factor into
the VAE decoder, clip(x/2 + 0.5), x255 rounded half to even. The Java pipeline must reproduce its judgements.
"""
import numpy as np
import torch

T = 1000


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float32) ** 2  # scaled_linear
    return torch.cumprod(1.0 - betas, dim=0)


def pndm_timesteps(steps, offset=1):
    """SD 1.5 PNDM with skip_prk_steps and 'leading' spacing: N+1 UNet calls, the second timestep repeated."""
    ratio = T // steps
    ts = np.arange(0, steps) * ratio + offset
    return np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1].copy()


class Plms:
    """diffusers PNDMScheduler.step_plms (epsilon or v_prediction), set_alpha_to_one = False."""

    def __init__(self, steps, prediction="epsilon"):
        self.ac = alphas_cumprod().double().numpy()
        self.steps, self.ratio, self.prediction = steps, T // steps, prediction
        self.timesteps = pndm_timesteps(steps)
        self.ets, self.counter, self.cur_sample = [], 0, None

    def step(self, eps, t, x):
        prev_t = t - self.ratio
        if self.counter != 1:
            self.ets = self.ets[-3:] + [eps]
        else:
            prev_t, t = t, t + self.ratio
        if len(self.ets) == 1 and self.counter == 0:
            self.cur_sample = x
        elif len(self.ets) == 1 and self.counter == 1:
            eps = (eps + self.ets[-1]) / 2
            x, self.cur_sample = self.cur_sample, None
        elif len(self.ets) == 2:
            eps = (3 * self.ets[-1] - self.ets[-2]) / 2
        elif len(self.ets) == 3:
            eps = (23 * self.ets[-1] - 16 * self.ets[-2] + 5 * self.ets[-3]) / 12
        else:
            eps = (55 * self.ets[-1] - 59 * self.ets[-2] + 37 * self.ets[-3] - 9 * self.ets[-4]) / 24
        self.counter += 1
        a_t = self.ac[t]
        a_prev = self.ac[prev_t] if prev_t >= 0 else self.ac[0]
        if self.prediction == "v_prediction":
            eps = a_t ** 0.5 * eps + (1 - a_t) ** 0.5 * x
        coeff = (a_prev / a_t) ** 0.5
        denom = a_t * (1 - a_prev) ** 0.5 + (a_t * (1 - a_t) * a_prev) ** 0.5
        return (coeff * x - (a_prev - a_t) * eps / denom).astype(np.float32)


def initial_latents(seeds, shape=(4, 8, 8)):
    return np.stack([np.random.RandomState(s).randn(*shape).astype(np.float32) for s in seeds])


@torch.no_grad()
def sample(text_encoder, unet, decoder, tokenizer, prompts, seeds, scaling_factor, guidance=7.5, steps=20,
           negative="", device="cpu"):
    """Generates uint8 NHWC images for prompts with one seed each (the networks live on `device`)."""
    cond = torch.tensor([tokenizer.encode(p) for p in prompts], device=device)
    embeds = text_encoder(cond)[0]
    cfg = guidance > 1.0
    if cfg:
        uncond = torch.tensor([tokenizer.encode(negative)] * len(prompts), device=device)
        embeds = torch.cat([text_encoder(uncond)[0], embeds])
    latents = initial_latents(seeds)
    scheduler = Plms(steps)
    for t in scheduler.timesteps:
        x = np.concatenate([latents, latents]) if cfg else latents
        eps = unet(torch.from_numpy(x).to(device), torch.tensor(float(t), device=device), embeds).cpu().numpy()
        if cfg:
            e_uncond, e_text = np.split(eps, 2)
            eps = e_uncond + guidance * (e_text - e_uncond)
        latents = scheduler.step(eps.astype(np.float32), int(t), latents)
    images = []
    for i in range(len(latents)):  # one image at a time, as the ONNX pipeline decodes
        x = decoder(torch.from_numpy(latents[i:i + 1] / np.float32(scaling_factor)).to(device)).cpu().numpy()
        images.append(x[0])
    images = np.clip(np.stack(images) / 2 + 0.5, 0, 1).transpose(0, 2, 3, 1)
    return np.round(images * 255).astype(np.uint8)
