#!/usr/bin/env python3
"""Trains sdfleet's tiny latent diffusion model and exports it, plus two random-weight family fixtures.

    python3 models/trainer/train.py    # everything: tokenizer, VAE, latents, UNet+text encoder, decoder fine-tune, eval, export

Deterministic (fixed seeds, fixed thread count) and resumable: every phase checkpoints into --work and a re-run
continues where it stopped. Outputs: models/tiny-sd (trained, SD 1.x layout), models/tiny-sd2 and models/tiny-sdxl
(random weights, shape fixtures for the other families).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import diffusion  # noqa: E402
import export  # noqa: E402
import shapes  # noqa: E402
from judge import judge  # noqa: E402
from nets import ClipTextEncoder, UNet2DConditionModel, VaeDecoder, VaeEncoder  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT_DIM = 64
VAE_ENC, VAE_DEC = (32, 64, 64), (64, 64, 32)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def edge_mask(x):
    """1 where a pixel differs from a 4-neighbour (the shape's outline), else 0; NCHW like x."""
    dx = (x[:, :, :, 1:] != x[:, :, :, :-1]).any(dim=1, keepdim=True).float()
    dy = (x[:, :, 1:, :] != x[:, :, :-1, :]).any(dim=1, keepdim=True).float()
    edges = torch.zeros_like(x[:, :1])
    edges[:, :, :, 1:] += dx
    edges[:, :, :, :-1] += dx
    edges[:, :, 1:, :] += dy
    edges[:, :, :-1, :] += dy
    return (edges > 0).float()


def sample_latents(mean, logvar, generator=None):
    """One draw from the VAE's diagonal Gaussian (the reparameterisation trick); log-variance clamped as diffusers'.
    Without a generator the draw follows mean's strides (randn_like), as the weights were trained."""
    if generator is None:
        eps = torch.randn_like(mean)
    else:
        eps = torch.randn(mean.shape, generator=generator, device=mean.device)
    return mean + torch.exp(0.5 * logvar.clamp(-30.0, 20.0)) * eps


def cosine_to_10_percent(step, total):
    """The learning-rate factor of every phase: a cosine from 1 down to 0.1 over total steps."""
    return 0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * step / total))


def training_images(rng, n=32):
    """A batch of fresh random scenes, rendered, in the VAE's [-1, 1] NCHW range."""
    return torch.from_numpy(shapes.to_tensor_range(np.stack([shapes.render(shapes.random_scene(rng)) for _ in range(n)])))


def pixel_loss(y, x):
    return (y - x).abs().mean() + F.mse_loss(y, x)


def edge_loss(y, x):
    """L1 on the pixels at colour edges only: factor-8 compression rounds small shapes' corners first."""
    return ((y - x).abs() * edge_mask(x)).mean()


class AttributeHeads(torch.nn.Module):
    """Linear probes on the pooled text embedding: shape, colour, background (always in a caption), and position
    and size when the caption names them."""

    SIZES = list(shapes.SIZES)
    POSITIONS = list(shapes.POSITIONS)

    def __init__(self, dim):
        super().__init__()
        self.heads = torch.nn.ModuleList(torch.nn.Linear(dim, n) for n in (
            len(shapes.SHAPES), len(shapes.COLOURS), len(shapes.COLOURS), len(self.POSITIONS), len(self.SIZES)))

    @staticmethod
    def labels(scenes, texts):
        out = []
        for scene, text in zip(scenes, texts):
            if not text:
                out.append([-100] * 5)  # dropped caption: nothing to predict
                continue
            named_position = any(w in text for p in shapes.POSITION_PHRASES.values() for w in p)
            out.append([shapes.SHAPES.index(scene.shape), shapes.COLOURS.index(scene.colour),
                        shapes.COLOURS.index(scene.background),
                        AttributeHeads.POSITIONS.index(scene.position) if named_position else -100,
                        AttributeHeads.SIZES.index(scene.size) if f"{scene.size} " in text else -100])
        return torch.tensor(out)

    def loss(self, pooled, labels):
        total = 0.0
        for k, head in enumerate(self.heads):
            if (labels[:, k] != -100).any():
                total = total + F.cross_entropy(head(pooled), labels[:, k], ignore_index=-100)
        return total


class Run:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        os.makedirs(self.work, exist_ok=True)
        self.timings_path = f"{self.work}/timings.json"
        self.timings = json.load(open(self.timings_path)) if os.path.exists(self.timings_path) else {}
        self.device = torch.device(args.device)

    def timed(self, phase, seconds):
        self.timings[phase] = self.timings.get(phase, 0.0) + seconds
        json.dump(self.timings, open(self.timings_path, "w"), indent=2)

    # ------------------------------------------------------------ tokenizer
    def tokenizer(self):
        path = f"{self.work}/merges.json"
        if not os.path.exists(path):
            texts = [c for _, c in shapes.corpus(20000, seed=7)]
            json.dump(bpe.learn_merges(texts), open(path, "w"))
        self.merges = [tuple(m) for m in json.load(open(path))]
        self.tok = bpe.Tokenizer.build(self.merges)
        log(f"tokenizer: {len(self.merges)} merges, vocab {len(self.tok.vocab)}")

    def new_text_encoder(self):
        return ClipTextEncoder(len(self.tok.vocab), self.tok.eos, dim=TEXT_DIM, layers=2, heads=4)

    def models(self):
        """The phases in order. Each trains up to its step count or, when its checkpoint has them, only loads."""
        self.vae()
        self.latents()
        self.unet()
        self.decoder_finetune()

    # ------------------------------------------------------------ VAE
    def vae(self):
        path = f"{self.work}/vae.pt"
        self.encoder, self.decoder = VaeEncoder(VAE_ENC).to(self.device), VaeDecoder(VAE_DEC).to(self.device)
        params = list(self.encoder.parameters()) + list(self.decoder.parameters())
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
        step, rng = 0, random.Random(11)
        if os.path.exists(path):
            ck = torch.load(path, map_location=self.device, weights_only=False)
            self.encoder.load_state_dict(ck["encoder"]); self.decoder.load_state_dict(ck["decoder"])
            opt.load_state_dict(ck["opt"]); step = ck["step"]; rng.setstate(ck["rng"]); torch.set_rng_state(ck["torch_rng"].cpu())
        total = self.args.vae_steps
        t0 = time.time()
        while step < total:
            for group in opt.param_groups:
                group["lr"] = 1e-3 * cosine_to_10_percent(step, total)
            x = training_images(rng).to(self.device)
            params8 = self.encoder(x)
            mean, logvar = params8.chunk(2, dim=1)
            logvar = logvar.clamp(-30.0, 20.0)
            z = sample_latents(mean, logvar)
            y = self.decoder(z)
            kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).sum(dim=(1, 2, 3)).mean()
            loss = pixel_loss(y, x) + self.args.vae_kl * kl
            if self.args.vae_edge_weight > 0:
                loss = loss + self.args.vae_edge_weight * edge_loss(y, x)
            opt.zero_grad(); loss.backward(); opt.step(); step += 1
            if step % 100 == 0 or step == total:
                log(f"vae step {step}/{total} loss {loss.item():.4f} kl {kl.item():.1f}")
                torch.save({"encoder": self.encoder.state_dict(), "decoder": self.decoder.state_dict(), "opt": opt.state_dict(),
                            "step": step, "rng": rng.getstate(), "torch_rng": torch.get_rng_state()}, path)
                self.timed("vae", time.time() - t0); t0 = time.time()
        self.encoder.eval(); self.decoder.eval()

    @torch.no_grad()
    def reconstruct(self, images):
        """uint8 NHWC images through the VAE (latent means, no sampling), back to uint8 as the pipeline rounds."""
        mean = self.encoder(torch.from_numpy(shapes.to_tensor_range(images)).to(self.device)).chunk(2, dim=1)[0]
        y = self.decoder(mean).cpu().numpy()
        return np.round(np.clip(y / 2 + 0.5, 0, 1).transpose(0, 2, 3, 1) * 255).astype(np.uint8)

    def vae_reconstruction_mae(self, n=512):
        rng = random.Random(99)
        images = np.stack([shapes.render(shapes.random_scene(rng)) for _ in range(n)])
        return float(np.abs(self.reconstruct(images).astype(np.float64) - images).mean())

    # ------------------------------------------------------------ decoder fine-tune
    def decoder_finetune(self):
        """Fine-tunes the VAE decoder alone, the encoder frozen, as Stability's ft-MSE VAE did for SD: the latent space
        stays the same, so the UNet trained on it still fits, and the decoder learns sharper small shapes (a heavier
        loss on colour edges), which is where shape kind was lost (see the model card)."""
        path = f"{self.work}/vae-decoder-ft.pt"
        total = self.args.decoder_steps
        if total == 0 and not os.path.exists(path):
            return
        opt = torch.optim.AdamW(self.decoder.parameters(), lr=self.args.decoder_lr, weight_decay=0.0)
        # Its own random streams: the other phases' draws stay what they were without this phase.
        step, rng, noise = 0, random.Random(41), torch.Generator(device=self.device).manual_seed(41)
        if os.path.exists(path):
            ck = torch.load(path, map_location=self.device, weights_only=False)
            self.decoder.load_state_dict(ck["decoder"]); opt.load_state_dict(ck["opt"]); step = ck["step"]
            rng.setstate(ck["rng"]); noise.set_state(ck["noise"].to(noise.get_state().device))
        t0 = time.time()
        while step < total:
            for group in opt.param_groups:
                group["lr"] = self.args.decoder_lr * cosine_to_10_percent(step, total)
            x = training_images(rng).to(self.device)
            with torch.no_grad():
                mean, logvar = self.encoder(x).chunk(2, dim=1)
            z = sample_latents(mean, logvar, noise)
            y = self.decoder(z)
            loss = pixel_loss(y, x) + self.args.decoder_edge_weight * edge_loss(y, x)
            opt.zero_grad(); loss.backward(); opt.step(); step += 1
            if step % 100 == 0 or step == total:
                log(f"decoder fine-tune step {step}/{total} loss {loss.item():.4f}")
                torch.save({"decoder": self.decoder.state_dict(), "opt": opt.state_dict(), "step": step,
                            "rng": rng.getstate(), "noise": noise.get_state()}, path)
                self.timed("decoder_finetune", time.time() - t0); t0 = time.time()
        self.decoder.eval()

    # ------------------------------------------------------------ latents
    @torch.no_grad()
    def latents(self):
        path = f"{self.work}/latents.pt"
        if not os.path.exists(path):
            t0 = time.time()
            rng = random.Random(23)
            scenes = [shapes.random_scene(rng) for _ in range(self.args.latent_images)]
            params = []
            for i in range(0, len(scenes), 500):
                x = torch.from_numpy(shapes.to_tensor_range(np.stack([shapes.render(s) for s in scenes[i:i + 500]])))
                params.append(self.encoder(x.to(self.device)).cpu())
            params = torch.cat(params)
            mean, logvar = params.chunk(2, dim=1)
            z = sample_latents(mean, logvar)
            # SD's 0.18215 is 1 / std of the VAE's latents over training images; computed the same way here.
            scale = float(1.0 / z.flatten().std())
            torch.save({"scenes": scenes, "mean": mean, "logvar": logvar, "scale": scale}, path)
            self.timed("latents", time.time() - t0)
        ck = torch.load(path, weights_only=False)
        self.scenes, self.lat_mean, self.lat_logvar, self.scale = ck["scenes"], ck["mean"], ck["logvar"], ck["scale"]
        self.lat_mean, self.lat_logvar = self.lat_mean.to(self.device), self.lat_logvar.to(self.device)
        log(f"latents: {len(self.scenes)} images, scaling factor {self.scale:.5f}")

    # ------------------------------------------------------------ UNet + text encoder
    def unet(self):
        path = f"{self.work}/unet.pt"
        self.text_encoder, self.unet_model = self.new_text_encoder(), UNet2DConditionModel(TEXT_DIM)
        self.ema_te, self.ema_unet = self.new_text_encoder(), UNet2DConditionModel(TEXT_DIM)
        self.ema_te.load_state_dict(self.text_encoder.state_dict()); self.ema_unet.load_state_dict(self.unet_model.state_dict())
        self.attribute_heads = AttributeHeads(TEXT_DIM)
        for m in (self.text_encoder, self.unet_model, self.ema_te, self.ema_unet, self.attribute_heads):
            m.to(self.device)
        params = list(self.text_encoder.parameters()) + list(self.unet_model.parameters())
        ema_params = list(self.ema_te.parameters()) + list(self.ema_unet.parameters())
        opt = torch.optim.AdamW(params + list(self.attribute_heads.parameters()), lr=self.args.lr, weight_decay=0.01)
        step, rng = 0, random.Random(31)
        if os.path.exists(path):
            ck = torch.load(path, map_location=self.device, weights_only=False)
            for m, k in ((self.text_encoder, "te"), (self.unet_model, "unet"), (self.ema_te, "ema_te"), (self.ema_unet, "ema_unet"),
                         (self.attribute_heads, "heads")):
                m.load_state_dict(ck[k])
            opt.load_state_dict(ck["opt"]); step = ck["step"]; rng.setstate(ck["rng"]); torch.set_rng_state(ck["torch_rng"].cpu())
        ac = diffusion.alphas_cumprod().to(self.device)
        held_out = {p["prompt"] for p in shapes.evaluation_set()}
        token_cache = {}

        def ids_for(text):
            if text not in token_cache:
                token_cache[text] = self.tok.encode(text)
            return token_cache[text]

        total, batch = self.args.unet_steps, self.args.batch
        t0 = time.time()
        while step < total:
            lr = self.args.lr * min(1.0, (step + 1) / 200) * self.decay(step, total)
            for group in opt.param_groups:
                group["lr"] = lr
            idx = [rng.randrange(len(self.scenes)) for _ in range(batch)]
            mismatch = self.args.caption_mismatch if step >= self.args.caption_mismatch_from else 0.0
            texts, described = [], []
            for i in idx:
                # Captions match their images until --caption-mismatch-from, so the model first learns what they
                # say. Then a share are taken from another picture (as web alt text often is): the conditional
                # prediction weakens towards the unconditional one, like SD's, and guidance 7.5 then amplifies the
                # difference about as much as 3.0 does for a model trained on clean captions (see the model card).
                scene = self.scenes[rng.randrange(len(self.scenes))] if rng.random() < mismatch else self.scenes[i]
                text = shapes.caption(scene, rng)
                while text in held_out:
                    text = shapes.caption(scene, rng)
                # caption dropout teaches the unconditional model
                texts.append("" if rng.random() < self.args.caption_dropout else text)
                described.append(scene)
            ids = torch.tensor([ids_for(t) for t in texts], device=self.device)
            labels = AttributeHeads.labels(described, texts).to(self.device)
            mean, logvar = self.lat_mean[idx], self.lat_logvar[idx]
            z0 = sample_latents(mean, logvar) * self.scale
            t = torch.randint(0, diffusion.T, (batch,)).to(self.device)
            noise = torch.randn_like(z0)
            a = ac[t].view(-1, 1, 1, 1)
            zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
            hidden, pooled, _ = self.text_encoder(ids)
            pred = self.unet_model(zt, t, hidden)
            # min-SNR-5 weighting (Hang et al. 2023): low-noise steps stop dominating the gradient; converges faster.
            snr = a.view(-1) / (1 - a.view(-1))
            weight = torch.clamp(snr, max=5.0) / snr
            loss = (weight * (pred - noise).pow(2).mean(dim=(1, 2, 3))).mean()
            # The auxiliary attribute loss teaches the text encoder what the captions say, as CLIP's contrastive
            # pre-training did for SD's encoder; the heads are not part of the exported model.
            loss = loss + self.args.aux_weight * self.attribute_heads.loss(pooled, labels)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step(); step += 1
            decay = min(self.args.ema, (1 + step) / (10 + step))
            with torch.no_grad():
                for e, p in zip(ema_params, params):
                    e.mul_(decay).add_(p.detach(), alpha=1 - decay)
            if step % 50 == 0:
                log(f"unet step {step}/{total} loss {loss.item():.4f} lr {lr:.2e}")
            if step % 250 == 0 or step == total:
                torch.save({"te": self.text_encoder.state_dict(), "unet": self.unet_model.state_dict(),
                            "heads": self.attribute_heads.state_dict(),
                            "ema_te": self.ema_te.state_dict(), "ema_unet": self.ema_unet.state_dict(), "opt": opt.state_dict(),
                            "step": step, "rng": rng.getstate(), "torch_rng": torch.get_rng_state()}, path)
                self.timed("unet", time.time() - t0); t0 = time.time()
            if step % self.args.eval_every == 0 and step < total:
                self.ema_te.eval(); self.ema_unet.eval()
                quick = self.evaluate(limit=24, guidances=self.args.eval_guidances)
                log(f"quick eval at step {step}: {quick}")
                with open(f"{self.work}/quick-evals.jsonl", "a") as f:
                    f.write(json.dumps({"step": step, **quick}) + "\n")
                self.ema_te.train(); self.ema_unet.train()
        self.ema_te.eval(); self.ema_unet.eval()

    def decay(self, step, total):
        """Constant learning rate, then a cosine decay to 10% from --decay-from to the last step."""
        start = self.args.decay_from
        if step < start:
            return 1.0
        return cosine_to_10_percent(step - start, max(1, total - start))

    # ------------------------------------------------------------ evaluation
    def evaluate(self, limit=None, guidances=(7.5, 3.0, 1.0), keep_images=False):
        pairs = shapes.evaluation_set()[:limit]
        results = {}
        for g in guidances:
            images = diffusion.sample(self.ema_te, self.ema_unet, self.decoder, self.tok, [p["prompt"] for p in pairs],
                                      [p["seed"] for p in pairs], self.scale, guidance=g, steps=20, device=self.device)
            verdicts = [judge(img) for img in images]
            n = len(pairs)
            results[str(g)] = {
                "images": n,
                "shape_colour": sum(v["colour"] == p["colour"] for v, p in zip(verdicts, pairs)) / n,
                "background": sum(v["background"] == p["background"] for v, p in zip(verdicts, pairs)) / n,
                "shape_kind": sum(v["shape"] == p["shape"] for v, p in zip(verdicts, pairs)) / n,
            }
            if keep_images:
                results[str(g)]["_images"] = images
                results[str(g)]["_verdicts"] = verdicts
        return results

    # ------------------------------------------------------------ export
    def to_cpu(self):
        """ONNX export traces on the CPU."""
        for m in (self.encoder, self.decoder, self.ema_te, self.ema_unet):
            m.cpu()

    def export_trained(self, evaluation, seconds):
        out = f"{self.args.out}/tiny-sd"
        tok_dir = f"{out}/tokenizer"
        os.makedirs(tok_dir, exist_ok=True)
        self.tok.save(tok_dir, self.merges)
        export.save_json(f"{out}/model_index.json", export.model_index("StableDiffusionPipeline"))
        export.save_json(f"{out}/scheduler/scheduler_config.json", export.SD15_SCHEDULER)
        export.export_text_encoder(self.ema_te, f"{out}/text_encoder", torch.int64)
        export.export_unet(self.ema_unet, f"{out}/unet", TEXT_DIM, "float_scalar", "model.onnx_data")
        export.export_vae(self.encoder, self.decoder, out, round(self.scale, 5), VAE_ENC)
        evaluation_pairs = shapes.evaluation_set()
        os.makedirs(f"{out}/evaluation", exist_ok=True)
        with open(f"{out}/evaluation/heldout.jsonl", "w") as f:
            for p in evaluation_pairs:
                f.write(json.dumps(p) + "\n")
        summary = {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")} for k, v in evaluation.items()}
        summary["vae_reconstruction_mae"] = self.vae_mae
        summary["scaling_factor"] = round(self.scale, 5)
        summary["training_seconds"] = seconds
        summary["settings"] = {"scheduler": "PNDMScheduler (SD 1.5 config)", "steps": 20, "negative_prompt": "",
                               "initial_latents": "numpy RandomState(seed).randn(1,4,8,8) per image", "size": 64}
        export.save_json(f"{out}/evaluation/reference-results.json", summary)
        grid = np.concatenate([np.concatenate(list(evaluation["7.5"]["_images"][r * 12:(r + 1) * 12]), axis=1) for r in range(6)])
        from PIL import Image
        Image.fromarray(grid).save(f"{out}/evaluation/heldout-guidance-7.5.png")
        log(f"exported {out}")

    def export_random_families(self):
        torch.manual_seed(1234)
        sd2 = f"{self.args.out}/tiny-sd2"
        os.makedirs(f"{sd2}/tokenizer", exist_ok=True)
        # SD 2.x pads with "!" (id 0); its tokenizer otherwise is CLIP's.
        bpe.Tokenizer(self.tok.vocab, self.merges, pad_token="!").save(f"{sd2}/tokenizer", self.merges, pad_token="!")
        export.save_json(f"{sd2}/model_index.json", export.model_index("StableDiffusionPipeline"))
        sd2_scheduler = dict(export.SD15_SCHEDULER, _class_name="DDIMScheduler", prediction_type="v_prediction",
                             timestep_spacing="leading", _diffusers_version="0.8.0")
        sd2_scheduler.pop("skip_prk_steps")
        export.save_json(f"{sd2}/scheduler/scheduler_config.json", sd2_scheduler)
        te = ClipTextEncoder(len(self.tok.vocab), self.tok.eos, dim=32, layers=2, heads=2).eval()
        export.export_text_encoder(te, f"{sd2}/text_encoder", torch.int32)
        unet = UNet2DConditionModel(32, ch=(32, 64)).eval()
        export.export_unet(unet, f"{sd2}/unet", 32, "int64_1d", "weights.pb")
        export.export_vae(VaeEncoder((16, 32, 32)).eval(), VaeDecoder((32, 32, 16)).eval(), sd2, 0.18215, (16, 32, 32),
                          sampled_encoder=True)

        xl = f"{self.args.out}/tiny-sdxl"
        for name in ("tokenizer", "tokenizer_2"):
            os.makedirs(f"{xl}/{name}", exist_ok=True)
        self.tok.save(f"{xl}/tokenizer", self.merges)
        bpe.Tokenizer(self.tok.vocab, self.merges, pad_token="!").save(f"{xl}/tokenizer_2", self.merges, pad_token="!")
        export.save_json(f"{xl}/model_index.json", export.model_index("StableDiffusionXLPipeline", sdxl=True))
        export.save_json(f"{xl}/scheduler/scheduler_config.json", {
            "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.19.0", "beta_end": 0.012,
            "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False, "interpolation_type": "linear",
            "num_train_timesteps": 1000, "prediction_type": "epsilon", "sample_max_value": 1.0, "set_alpha_to_one": False,
            "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "leading", "trained_betas": None,
            "use_karras_sigmas": False})
        te1 = ClipTextEncoder(len(self.tok.vocab), self.tok.eos, dim=32, layers=2, heads=2).eval()
        te2 = ClipTextEncoder(len(self.tok.vocab), self.tok.eos, dim=48, layers=2, heads=2, projection_dim=48).eval()
        export.export_text_encoder(te1, f"{xl}/text_encoder", torch.int32, with_hidden=True)
        export.export_text_encoder(te2, f"{xl}/text_encoder_2", torch.int64, with_hidden=True, projection=True)
        unet = UNet2DConditionModel(80, ch=(32, 48), add_text_dim=48, add_time_ids=6).eval()
        export.export_unet(unet, f"{xl}/unet", 80, "float_scalar", "model.onnx_data", sdxl_text_dim=48)
        export.export_vae(VaeEncoder((16, 32, 32)).eval(), VaeDecoder((32, 32, 16)).eval(), xl, 0.13025, (16, 32, 32))
        log("exported random-weight SD 2.x and SDXL fixtures")


def parser():
    """The trainer's options; evaluate.py and vae_check.py read the same (so they never miss a new one)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default=os.path.join(ROOT, ".work"), help="checkpoints (resumable)")
    p.add_argument("--out", default=ROOT, help="where the model folders are written")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu (the reference) or cuda; the recipe is the same")
    p.add_argument("--vae-kl", type=float, default=1e-5, help="weight of the VAE's KL term")
    p.add_argument("--vae-edge-weight", type=float, default=4.0,
                   help="extra L1 weight on the pixels of colour edges (keeps small shapes' corners through factor 8)")
    p.add_argument("--caption-dropout", type=float, default=0.1, help="share of empty captions (for guidance)")
    p.add_argument("--caption-mismatch", type=float, default=0.6,
                   help="share of captions taken from another random image (noisy captions, as on the web)")
    p.add_argument("--caption-mismatch-from", type=int, default=1600,
                   help="UNet step from which captions are mismatched (before it every caption matches its image)")
    p.add_argument("--eval-every", type=int, default=1000, help="UNet steps between quick evaluations")
    p.add_argument("--eval-guidances", type=lambda s: tuple(float(g) for g in s.split(",")), default=(7.5,),
                   help="guidance scales of the quick evaluations, comma separated")
    p.add_argument("--no-export", action="store_true", help="train and evaluate only (recipe experiments)")
    p.add_argument("--vae-steps", type=int, default=1200)
    p.add_argument("--decoder-steps", type=int, default=600, help="VAE decoder fine-tune steps (encoder frozen)")
    p.add_argument("--decoder-lr", type=float, default=3e-4)
    p.add_argument("--decoder-edge-weight", type=float, default=12.0, help="edge L1 weight of the decoder fine-tune")
    p.add_argument("--latent-images", type=int, default=40000)
    p.add_argument("--unet-steps", type=int, default=3800)
    p.add_argument("--decay-from", type=int, default=200, help="UNet step where the cosine learning-rate decay starts")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--aux-weight", type=float, default=0.3, help="weight of the text encoder's attribute loss")
    p.add_argument("--ema", type=float, default=0.998)
    p.add_argument("--families-only", action="store_true", help="only (re)export the random-weight SD2/SDXL fixtures")
    return p


def main():
    args = parser().parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    run = Run(args)
    start = time.time()
    run.tokenizer()
    if args.families_only:
        run.export_random_families()
        return
    run.models()
    run.vae_mae = run.vae_reconstruction_mae()
    log(f"VAE reconstruction MAE {run.vae_mae:.3f} (0-255 scale)")
    t0 = time.time()
    evaluation = run.evaluate(keep_images=True)
    run.timed("eval", time.time() - t0)
    for g, r in evaluation.items():
        log(f"guidance {g}: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items() if not k.startswith("_") and k != "images"))
    log(f"phase wall times (s): {run.timings}")
    with open(f"{run.work}/final-eval.json", "w") as f:
        json.dump({g: {k: v for k, v in r.items() if not k.startswith("_")} for g, r in evaluation.items()}, f, indent=2)
    if args.no_export:
        return
    run.to_cpu()
    run.export_trained(evaluation, run.timings)
    run.export_random_families()
    log(f"done in {time.time() - start:.0f} s this invocation")


if __name__ == "__main__":
    main()
