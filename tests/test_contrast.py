"""Colour contrast meets WCAG AA (4.5:1 for text) in both colour schemes of the stylesheet."""

from __future__ import annotations

import re

import pytest

from .conftest import THEME

CSS = (THEME / "static" / "style.css").read_text(encoding="utf-8")
PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("accent", "bg"),
    ("accent-fg", "accent"),
    ("fg", "card"),
    ("muted", "card"),
    ("accent", "card"),
]


def _vars(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


light = _vars(CSS.split("@media (prefers-color-scheme: dark)")[0])
dark = dict(light, **_vars(CSS.split("@media (prefers-color-scheme: dark)")[1].split("}")[0]))


@pytest.mark.parametrize("scheme", [light, dark], ids=["light", "dark"])
@pytest.mark.parametrize("fg, bg", PAIRS)
def test_text_contrast_is_aa(scheme, fg, bg):
    assert _ratio(scheme[fg], scheme[bg]) >= 4.5, (fg, bg, scheme[fg], scheme[bg])
