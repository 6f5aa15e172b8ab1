"""Cover art: a user's image checked and kept as JPEG or PNG, or a calm generated one.

Players and podcast apps show the cover beside every session; Apple and most apps want a
square JPEG or PNG of 1400 to 3000 px. The generated cover is drawn with Pillow in DejaVu
Sans, shipped in `fonts/` with its licence: it covers Latin, Greek, Cyrillic, Hebrew and
Arabic (Pillow's own font draws every accented letter as a box), and being shipped it looks
the same on every machine and needs no system font.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from guided_audio.errors import CoverError

log = logging.getLogger(__name__)

COVER_SIDE = 1400
"""Side of the generated cover: the smallest size podcast directories accept."""
COVER_MAX_SIDE = 3000
"""The largest Apple Podcasts accepts; larger covers are refused by some directories."""
FONT_FILE = "DejaVuSans.ttf"
MISSING = "\U0010fffd"
"""A private-use character no font draws: what the font shows for a character it lacks."""
MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png"}

SKY_TOP = (38, 58, 88)
SKY_BOTTOM = (122, 170, 165)
"""Dusk blue fading into soft sage: calm, and light text stays readable on both."""
INK = (246, 241, 230)
MARGIN = 130


@dataclass(frozen=True)
class Cover:
    """An image ready to embed (APIC) or publish beside a feed."""

    data: bytes
    mime: str
    """image/jpeg or image/png: the two types every player and podcast app reads."""
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ".jpg" if self.mime == "image/jpeg" else ".png"


def load_cover(path: Path) -> Cover:
    """Read a user's cover image; anything Pillow opens is accepted, converted if needed."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.is_file():
        problem = "is not a regular file" if path.exists() else "does not exist"  # a FIFO's read would block
        raise CoverError(f"cover image {path} {problem}; give the path of a square JPEG or PNG")
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind = image.format
            if kind not in MIME_BY_FORMAT:
                data, kind = _as_png(image), "PNG"
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        reason = "not an image Pillow can read" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise CoverError(f"cannot use {path} as a cover: {reason}; give a square JPEG or PNG") from None
    if width != height or not COVER_SIDE <= width <= COVER_MAX_SIDE:
        log.warning(
            "cover %s is %dx%d px; podcast apps want a square of %d to %d px",
            path, width, height, COVER_SIDE, COVER_MAX_SIDE,
        )  # fmt: skip
    return Cover(data, MIME_BY_FORMAT[kind], width, height)


def _as_png(image) -> bytes:
    out = io.BytesIO()
    image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, format="PNG")
    return out.getvalue()


def make_cover(title: str, subtitle: str = "") -> Cover:
    """A square JPEG naming the session: soft gradient, breathing rings, the title in light ink.

    Deterministic: the same words always give the same bytes, so re-renders stay identical.
    """
    from PIL import Image, ImageDraw

    side = COVER_SIDE
    mask = Image.linear_gradient("L").resize((side, side))
    image = Image.composite(
        Image.new("RGB", (side, side), SKY_BOTTOM), Image.new("RGB", (side, side), SKY_TOP), mask
    )
    rings = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(rings)
    centre = (side // 2, int(side * 0.3))
    for radius, alpha in ((120, 150), (190, 95), (260, 55), (330, 30)):
        box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
        draw.ellipse(box, outline=INK + (alpha,), width=6)
    image = Image.alpha_composite(image.convert("RGBA"), rings).convert("RGB")
    _draw_words(ImageDraw.Draw(image), title, subtitle, side)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, optimize=True)
    return Cover(out.getvalue(), "image/jpeg", side, side)


def cover_font(size: int):
    """The shipped DejaVu Sans at `size` px."""
    from PIL import ImageFont

    return ImageFont.truetype(_font_path(), size)


@functools.lru_cache(maxsize=1)
def _font_path() -> str:
    return str(resources.files("guided_audio.mp3") / "fonts" / FONT_FILE)


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the cover font has no glyph for (it would draw a box)."""
    font = cover_font(40)
    box = _glyph(font, MISSING)
    return [c for c in dict.fromkeys(text) if not c.isspace() and _glyph(font, c) == box]


def _glyph(font, character: str) -> tuple:
    mask = font.getmask(character)
    return mask.size, bytes(mask)


def _draw_words(draw, title: str, subtitle: str, side: int) -> None:
    missing = missing_glyphs(title + subtitle)
    if missing:
        log.warning(
            "the drawn cover cannot show %s (its font has no glyph for them); give a cover image of your own",
            " ".join(missing),
        )
    width = side - 2 * MARGIN
    for size in range(120, 47, -8):
        font = cover_font(size)
        lines = _wrap(title, font, width)
        if len(lines) <= 3 and all(font.getlength(line) <= width for line in lines):
            break
    else:  # too long even at the smallest size: keep three lines and say it goes on
        lines = lines[:3]
        while " " in lines[-1] and font.getlength(lines[-1] + " …") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0]
        lines[-1] += " …"
    line_height = int(size * 1.2)
    top = int(side * 0.62) - (len(lines) - 1) * line_height // 2
    for number, line in enumerate(lines):
        draw.text((side // 2, top + number * line_height), line, font=font, fill=INK, anchor="mm")
    if subtitle:
        small = cover_font(60)
        y = top + len(lines) * line_height + 30
        draw.text((side // 2, y), subtitle, font=small, fill=INK, anchor="mm")


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap by rendered width."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
