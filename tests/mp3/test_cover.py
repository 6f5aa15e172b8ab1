"""Drawn covers: every letter drawn as itself in the shipped font, and user covers checked."""

from __future__ import annotations

import io
import logging

import numpy as np
from PIL import Image, ImageFont

from guided_audio.mp3.cover import MISSING, _font_path, load_cover, make_cover, missing_glyphs

TITLE = "Café für Zoë"
BOXED = TITLE.replace("é", MISSING).replace("ü", MISSING).replace("ë", MISSING)
"""The same title with each accented letter replaced by one no font has: drawn as .notdef."""


def pixels(cover) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(cover.data)).convert("L"), dtype=np.int16)


def test_accented_letters_are_drawn_as_letters_not_boxes():
    """Pillow's own font drew é, ü and ë as the .notdef box, so both covers came out alike."""
    drawn, boxed = pixels(make_cover(TITLE, "5 minutes")), pixels(make_cover(BOXED, "5 minutes"))
    title_band = (slice(700, 1000), slice(0, 1400))
    changed = np.abs(drawn[title_band] - boxed[title_band]) > 40
    assert changed.sum() > 500, "the accented letters look like the box a font draws for a missing glyph"
    rings = (slice(0, 600), slice(0, 1400))
    assert np.abs(drawn[rings] - boxed[rings]).max() < 40, "only the letters differ"


def test_the_shipped_font_has_a_glyph_for_every_letter_of_common_titles():
    font = ImageFont.truetype(_font_path(), 80)
    box = bytes(font.getmask(MISSING))
    for text in (TITLE, "Ελληνικά", "Русский", "Łódź Ærø Øresund ñ ç ß", "عربى", "עברית"):
        for letter in text.replace(" ", ""):
            assert bytes(font.getmask(letter)) != box, f"{letter!r} has no glyph"
        assert missing_glyphs(text) == []


def test_a_title_the_font_cannot_show_is_drawn_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        make_cover("静かな朝", "5 minutes")
    assert "cannot show 静 か な 朝" in caplog.text and "a cover image of your own" in caplog.text


def test_a_cover_over_3000_px_is_kept_with_a_warning(tmp_path, caplog):
    Image.new("RGB", (3200, 3200), (10, 20, 30)).save(tmp_path / "big.jpg")
    with caplog.at_level(logging.WARNING):
        cover = load_cover(tmp_path / "big.jpg")
    assert cover.width == 3200
    assert "3200x3200 px; podcast apps want a square of 1400 to 3000 px" in caplog.text
    caplog.clear()
    Image.new("RGB", (3000, 3000), (10, 20, 30)).save(tmp_path / "fine.jpg")
    with caplog.at_level(logging.WARNING):
        load_cover(tmp_path / "fine.jpg")
    assert caplog.text == ""
