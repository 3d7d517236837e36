"""A small deterministic image judge: which background colour, which shape colour, which shape kind.

The Java tests port exactly this algorithm (dev.sdfleet.pipeline ImageJudge), so keep it simple:
1. every pixel -> nearest palette colour (squared RGB distance, first wins on ties);
2. background = the most common class on the 2-pixel border frame;
3. shape colour = the most common non-background class;
4. the largest 4-connected component of shape-colour pixels; its fill ratio = pixels / bounding-box area:
   >= 0.88 square (1.0 ideal), >= 0.66 circle (pi/4 = 0.785 ideal), else triangle (0.5 ideal);
5. fewer than 12 shape pixels -> no shape ("none").
"""
from collections import deque

import numpy as np

from shapes import PALETTE

NAMES = list(PALETTE)
COLOURS = np.array([PALETTE[n] for n in NAMES], dtype=np.int32)
MIN_SHAPE_PIXELS = 12
SQUARE_FILL = 0.88
CIRCLE_FILL = 0.66


def classify_pixels(image: np.ndarray) -> np.ndarray:
    diff = image.astype(np.int32)[:, :, None, :] - COLOURS[None, None, :, :]
    return np.argmin((diff * diff).sum(axis=-1), axis=-1)


def largest_component(mask: np.ndarray):
    h, w = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    best = []
    for y in range(h):
        for x in range(w):
            if not mask[y, x] or seen[y, x]:
                continue
            comp, queue = [], deque([(y, x)])
            seen[y, x] = True
            while queue:
                cy, cx = queue.popleft()
                comp.append((cy, cx))
                for ny, nx in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                    if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
            if len(comp) > len(best):
                best = comp
    return best


def judge(image: np.ndarray) -> dict:
    classes = classify_pixels(image)
    border = np.concatenate([classes[:2].ravel(), classes[-2:].ravel(), classes[:, :2].ravel(), classes[:, -2:].ravel()])
    background = int(np.bincount(border, minlength=len(NAMES)).argmax())
    others = classes[classes != background]
    if others.size < MIN_SHAPE_PIXELS:
        return {"background": NAMES[background], "colour": "none", "shape": "none", "fill": 0.0, "cx": 0.0, "cy": 0.0, "pixels": 0}
    colour = int(np.bincount(others, minlength=len(NAMES)).argmax())
    comp = largest_component(classes == colour)
    ys = np.array([p[0] for p in comp])
    xs = np.array([p[1] for p in comp])
    box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    fill = len(comp) / box
    shape = "none" if len(comp) < MIN_SHAPE_PIXELS else (
        "square" if fill >= SQUARE_FILL else "circle" if fill >= CIRCLE_FILL else "triangle")
    return {"background": NAMES[background], "colour": NAMES[colour], "shape": shape, "fill": float(fill),
            "cx": float(xs.mean()), "cy": float(ys.mean()), "pixels": len(comp)}
