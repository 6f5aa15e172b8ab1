"""Pictures for the listening page: each session's cover as a light square JPEG, and app icons.

The covers inside the MP3s are 1400 to 3000 px, which is a lot to load for a list of cards on
a phone, so the page shows 512 px copies (the size lock screens ask the Media Session for).
The installable app needs icons of its own: drawn here, like the covers, so they look the
same on every machine. Both are deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from guided_audio.mp3.cover import INK, make_cover
from guided_audio.mp3.tags import embedded_cover

COVER_SIDE = 512
ICON_SIDES = (192, 512)
ICON_BACKGROUND = (14, 18, 23)
"""The page's own background, so the installed app opens without a flash of another colour."""
ICON_RING = (227, 180, 124)
"""The page's accent: a warm amber that stays gentle on a dark screen at night."""


def cover_for_page(mp3: Path, title: str) -> bytes:
    """The session's embedded cover (else a drawn one naming it) as a 512 px square JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = embedded_cover(mp3)
    image = None
    if data:
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            image = None
    if image is None:
        image = Image.open(io.BytesIO(make_cover(title).data))
    square = ImageOps.fit(image.convert("RGB"), (COVER_SIDE, COVER_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(square)


def app_icon(side: int) -> bytes:
    """A square PNG icon: soft rings, like a slow breath, on the page's dark ground.

    Everything sits inside the middle 80 %, so a phone may cut it to a circle ("maskable").
    Drawn three times larger and scaled down, for smooth edges.
    """
    from PIL import Image, ImageDraw

    big = side * 3
    image = Image.new("RGBA", (big, big), ICON_BACKGROUND + (255,))
    rings = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(rings)
    centre = big / 2
    for share, alpha, width in ((0.11, 255, 0), (0.19, 200, 0.022), (0.27, 130, 0.02), (0.35, 70, 0.018)):
        radius = big * share
        box = (centre - radius, centre - radius, centre + radius, centre + radius)
        if width:
            draw.ellipse(box, outline=ICON_RING + (alpha,), width=max(1, round(big * width)))
        else:
            draw.ellipse(box, fill=INK + (alpha,))
    image = Image.alpha_composite(image, rings).resize((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
