"""A chart as a value: image bytes plus the words that stand for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    """One drawn chart; renderers decide how to carry it (file, cid: part, PDF image)."""

    name: str
    title: str
    caption: str
    alt: str
    png: bytes
    svg: bytes | None
    width_px: int
    height_px: int

    @property
    def png_name(self) -> str:
        """File name of the PNG in an edition's charts/ folder."""
        return f"{self.name}.png"
