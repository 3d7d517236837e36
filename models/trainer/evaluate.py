#!/usr/bin/env python3
"""Re-runs the reference sampler on the trained checkpoints and writes per-image reference data for the Java tests:

    models/tiny-sd/evaluation/reference-verdicts.jsonl   the judge's verdict for every held-out (prompt, seed), g 7.5, 3.0, 1.0
    models/tiny-sd/evaluation/reference-results.json     the accuracies per guidance scale (updated)
    models/tiny-sd/evaluation/reference/*.png             reference images (guidance 7.5) for the first prompts, to compare pixels

Run after train.py (it reads the checkpoints in models/.work).
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402
import train  # noqa: E402

REFERENCE_IMAGES = 8


def main():
    torch.set_num_threads(2)
    # No training steps: each phase loads its checkpoint from models/.work and stops there.
    run = train.Run(train.parser().parse_args(["--vae-steps", "0", "--unet-steps", "0", "--decoder-steps", "0"]))
    run.tokenizer()
    run.models()
    out = f"{train.ROOT}/tiny-sd/evaluation"
    os.makedirs(f"{out}/reference", exist_ok=True)
    results = run.evaluate(keep_images=True)
    pairs = shapes.evaluation_set()
    with open(f"{out}/reference-verdicts.jsonl", "w") as f:
        for g, r in results.items():
            for i, (p, v) in enumerate(zip(pairs, r["_verdicts"])):
                f.write(json.dumps({"guidance": float(g), "index": i, "prompt": p["prompt"], "seed": p["seed"],
                                    "verdict": v}) + "\n")
    for i in range(REFERENCE_IMAGES):
        Image.fromarray(results["7.5"]["_images"][i]).save(f"{out}/reference/{i:02d}-seed{pairs[i]['seed']}.png")
    summary_path = f"{out}/reference-results.json"
    summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
    for g, r in results.items():
        summary[g] = {k: v for k, v in r.items() if not k.startswith("_")}
        print(g, summary[g])
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
