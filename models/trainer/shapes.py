"""Synthetic captioned dataset: one coloured shape on a plain background, rendered at 64x64.

Every image is fully described by its caption's attributes, so a small deterministic judge (judge.py) can tell
whether a generated image shows what its prompt asked for.
"""
import random
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

IMAGE_SIZE = 64

# name -> sRGB. Chosen far apart in RGB so that nearest-palette classification is unambiguous.
PALETTE = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 70, 220),
    "yellow": (240, 210, 40),
    "purple": (150, 60, 190),
    "orange": (245, 140, 30),
    "white": (240, 240, 240),
    "black": (20, 20, 20),
}
COLOURS = list(PALETTE)
SHAPES = ["circle", "square", "triangle"]
POSITIONS = {"center": (32, 32), "left": (20, 32), "right": (44, 32), "top": (32, 20), "bottom": (32, 44)}
POSITION_PHRASES = {
    "center": ["in the center", "in the middle"],
    "left": ["on the left"],
    "right": ["on the right"],
    "top": ["at the top"],
    "bottom": ["at the bottom"],
}
SIZES = {"small": 9, "large": 17}  # half extent in pixels
JITTER = 2

# {s} size word + space or "", {c} shape colour, {k} shape kind, {p} position phrase, {b} background colour.
TEMPLATES_WITH_POSITION = [
    "a {s}{c} {k} {p} on a {b} background",
    "{s}{c} {k} {p}, {b} background",
    "a {b} background with a {s}{c} {k} {p}",
    "a picture of a {s}{c} {k} {p}, {b} background",
]
TEMPLATES_WITHOUT_POSITION = [
    "a {s}{c} {k} on a {b} background",
    "{s}{c} {k}, {b} background",
    "{c} {k} on {b}",
    "a {b} background with a {s}{c} {k}",
]


@dataclass(frozen=True)
class Scene:
    shape: str
    colour: str
    background: str
    position: str
    size: str
    dx: int = 0
    dy: int = 0


def random_scene(rng: random.Random) -> Scene:
    colour, background = rng.sample(COLOURS, 2)
    return Scene(
        shape=rng.choice(SHAPES), colour=colour, background=background,
        position=rng.choice(list(POSITIONS)), size=rng.choice(list(SIZES)),
        dx=rng.randint(-JITTER, JITTER), dy=rng.randint(-JITTER, JITTER))


def caption(scene: Scene, rng: random.Random) -> str:
    """A caption for the scene. Size and position words are sometimes left out: the model then picks them."""
    size = f"{scene.size} " if rng.random() < 0.7 else ""
    if rng.random() < 0.75:
        template = rng.choice(TEMPLATES_WITH_POSITION)
        phrase = rng.choice(POSITION_PHRASES[scene.position])
    else:
        template = rng.choice(TEMPLATES_WITHOUT_POSITION)
        phrase = ""
    text = template.format(s=size, c=scene.colour, k=scene.shape, p=phrase, b=scene.background)
    return re.sub(r"\ba (?=orange)", "an ", text)


def render(scene: Scene) -> np.ndarray:
    """Renders the scene as uint8 HxWx3 (no anti-aliasing: flat colours keep the judge exact)."""
    img = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), PALETTE[scene.background])
    draw = ImageDraw.Draw(img)
    cx, cy = POSITIONS[scene.position]
    cx, cy = cx + scene.dx, cy + scene.dy
    r = SIZES[scene.size]
    fill = PALETTE[scene.colour]
    if scene.shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif scene.shape == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill)
    else:  # upright isosceles triangle filling half of its bounding box
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill)
    return np.asarray(img, dtype=np.uint8)


def to_tensor_range(images: np.ndarray) -> np.ndarray:
    """uint8 NHWC -> float32 NCHW in [-1, 1], the VAE's pixel range."""
    return images.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1.0


def evaluation_set(count: int = 72, seed: int = 20261126):
    """The held-out (prompt, seed) pairs: an even spread over shapes; captions never used in training."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        scene = random_scene(rng)
        scene = Scene(SHAPES[i % len(SHAPES)], scene.colour, scene.background, scene.position, scene.size)
        pairs.append({"prompt": caption(scene, rng), "seed": 1000 + i, "shape": scene.shape,
                      "colour": scene.colour, "background": scene.background,
                      "position": scene.position, "size": scene.size})
    return pairs


def corpus(count: int, seed: int):
    """(scene, caption) pairs for training, skipping the held-out captions."""
    held_out = {p["prompt"] for p in evaluation_set()}
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        scene = random_scene(rng)
        text = caption(scene, rng)
        if text not in held_out:
            out.append((scene, text))
    return out
