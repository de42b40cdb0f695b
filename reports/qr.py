"""QR codes printed on documents: they open the public verification page."""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str, *, scale: int = 4) -> str:
    """An SVG ``data:`` URI of a QR code (vector, so it prints sharp; no file, no network)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=scale, border=2)
