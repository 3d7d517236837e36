#!/usr/bin/env python3
"""How much of each attribute survives the VAE alone: the judge on encoded-then-decoded ground-truth renders.

    python3 models/trainer/vae_check.py [WORK/vae.pt]     (default models/.work/vae.pt)

The UNet cannot draw what the decoder cannot reproduce, so this is the ceiling of the model's held-out accuracy.
Prints accuracy per attribute and shape kind per (size, shape).
"""
import os
import random
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402
import train  # noqa: E402
from judge import judge  # noqa: E402


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(train.ROOT, ".work", "vae.pt")
    torch.set_num_threads(2)
    # The trainer loads {work}/vae.pt; no steps, so it stops there.
    run = train.Run(train.parser().parse_args(["--work", os.path.dirname(os.path.abspath(path)), "--vae-steps", "0",
                                               "--decoder-steps", "0"]))
    run.vae()
    run.decoder_finetune()  # when the folder holds a fine-tuned decoder
    rng = random.Random(5)
    scenes = [shapes.random_scene(rng) for _ in range(300)]
    images = np.stack([shapes.render(s) for s in scenes])
    out = run.reconstruct(images)
    right = {"colour": 0, "background": 0, "shape": 0}
    by_kind = {}
    for scene, image in zip(scenes, out):
        v = judge(image)
        right["colour"] += v["colour"] == scene.colour
        right["background"] += v["background"] == scene.background
        right["shape"] += v["shape"] == scene.shape
        k = by_kind.setdefault(f"{scene.size} {scene.shape}", [0, 0])
        k[0] += v["shape"] == scene.shape
        k[1] += 1
    print(f"{path}: MAE {np.abs(out.astype(float) - images).mean():.2f}; " +
          ", ".join(f"{k} {v / len(scenes):.3f}" for k, v in right.items()))
    print("shape kind by size: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(by_kind.items())))


if __name__ == "__main__":
    main()
