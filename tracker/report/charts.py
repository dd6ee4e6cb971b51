"""The indicator bar charts as PNG pictures, for the Word document.

Draws the same geometry the HTML/PDF shows as SVG (``tracker.indicators.figures.Chart``)
with Pillow: no browser, no network. Labels are wrapped over lines under their bar
(at hyphens and spaces, as "Noord- / en Oost- / Gelderland"), never cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tracker.indicators.figures import Chart

BAR = "#17406d"
TEXT = "#1b1f24"
AXIS = "#5b6675"
#: Pixels per SVG unit: 480 units become 1440 pixels, sharp at the 12 cm Word shows.
SCALE = 3
VALUE_SIZE = 11
LABEL_SIZE = 10
LINE_GAP = 2
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


@dataclass(frozen=True)
class ChartPicture:
    png: bytes
    #: Size in SVG units (the picture is ``SCALE`` times larger in pixels).
    width: int
    height: int


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size * SCALE)
    return ImageFont.load_default(size=size * SCALE)


def _text_width(font, text: str) -> float:
    return font.getlength(text) / SCALE


def _pieces(label: str) -> list[str]:
    """Words of ``label`` that may end a line, keeping a hyphen with the part before it:
    "Noord- en Oost-Gelderland" → "Noord- ", "en ", "Oost-", "Gelderland"."""
    pieces: list[str] = []
    current = ""
    for char in label:
        current += char
        if char in " -/":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def wrap_label(label: str, max_width: float, font=None) -> list[str]:
    """``label`` over as many lines as it needs to fit ``max_width`` (SVG units); a piece
    wider than a line is split between characters. No character is dropped."""
    font = font or _font(LABEL_SIZE)
    lines: list[str] = []
    line = ""
    for piece in _pieces(label):
        if _text_width(font, (line + piece).rstrip()) <= max_width:
            line += piece
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        while _text_width(font, piece.rstrip()) > max_width and len(piece) > 1:
            cut = len(piece) - 1
            while cut > 1 and _text_width(font, piece[:cut]) > max_width:
                cut -= 1
            lines.append(piece[:cut])
            piece = piece[cut:]
        line = piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _slot(chart: Chart) -> float:
    """The room one bar's label has: the distance between neighbouring bars."""
    centres = sorted(bar.x + bar.width / 2 for bar in chart.bars)
    gaps = [b - a for a, b in zip(centres, centres[1:], strict=False)]
    return min(gaps) if gaps else float(chart.width)


def _room(bar, slot: float, width: int) -> float:
    """How wide ``bar``'s label may be: its slot, and never past the picture's edges."""
    centre = bar.x + bar.width / 2
    return max(min(slot, 2 * centre, 2 * (width - centre)) - 6, 12)


def render_png(chart: Chart, value_text: Callable[[Decimal], str]) -> ChartPicture:
    """The bar chart as a PNG: bars, their values above and their wrapped labels below."""
    value_font, label_font = _font(VALUE_SIZE), _font(LABEL_SIZE)
    slot = _slot(chart)
    labels = [wrap_label(bar.label, _room(bar, slot, chart.width), label_font)
              for bar in chart.bars]
    line_height = LABEL_SIZE + LINE_GAP + 2
    lines = max((len(lines) for lines in labels), default=1)
    height = chart.baseline + 6 + lines * line_height + 4
    width = chart.width
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(0, chart.baseline * SCALE), (width * SCALE, chart.baseline * SCALE)],
              fill=AXIS, width=SCALE)
    for bar, label_lines in zip(chart.bars, labels, strict=True):
        centre = (bar.x + bar.width / 2) * SCALE
        if bar.height:
            draw.rectangle([bar.x * SCALE, bar.y * SCALE, (bar.x + bar.width) * SCALE - 1,
                            (bar.y + bar.height) * SCALE - 1], fill=BAR)
        draw.text((centre, (bar.y - 4) * SCALE), value_text(bar.value), font=value_font,
                  fill=TEXT, anchor="ms")
        for i, text in enumerate(label_lines):
            y = (chart.baseline + 4 + i * line_height) * SCALE
            draw.text((centre, y), text, font=label_font, fill=TEXT, anchor="ma")
    buffer = BytesIO()
    dpi = round(width * SCALE / (12 / 2.54))  # 12 cm wide in Word
    image.save(buffer, format="PNG", optimize=True, dpi=(dpi, dpi))
    return ChartPicture(png=buffer.getvalue(), width=width, height=height)


def alt_text(caption: str, chart: Chart, value_text: Callable[[Decimal], str]) -> str:
    """What the picture shows, in words (as the SVG's description in HTML)."""
    values = "; ".join(f"{bar.label}: {value_text(bar.value)}" for bar in chart.bars)
    return f"{caption}. Staafdiagram. {values}."


#: Up to this many pixels a PNG is compressed as small as it goes; the organogram of a
#: network of hundreds of teams is far larger, and the search for the smallest form
#: took some 20 s of the Word file's time for a few percent of its bytes.
OPTIMISE_PIXELS = 4_000_000


def render_organogram_png(organogram) -> ChartPicture:
    """The organogram (``sections.Organogram``) as a PNG for Word: the same boxes, lines and
    texts as the SVG of the HTML and PDF, drawn from the same geometry."""
    image = Image.new("RGB", (organogram.width * SCALE, organogram.height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    for x1, y1, x2, y2 in organogram.lines:
        draw.line([(x1 * SCALE, y1 * SCALE), (x2 * SCALE, y2 * SCALE)], fill=AXIS, width=SCALE)
    fills = {0: BAR, 1: "#e8eef6"}
    for box in organogram.boxes:
        draw.rounded_rectangle(
            [box.x * SCALE, box.y * SCALE, (box.x + box.width - 1) * SCALE,
             (box.y + box.height - 1) * SCALE],
            radius=3 * SCALE, fill=fills.get(box.level, "#ffffff"), outline=BAR, width=SCALE)
        colour = "#ffffff" if box.level == 0 else TEXT
        for index, (text, bold) in enumerate(box.lines, start=1):
            font = _font(9 if bold else 8)
            # SVG y is the baseline; Pillow's anchor "ls" draws from the baseline too.
            draw.text(((box.x + 6) * SCALE, (box.y + 2 + 12 * index) * SCALE), text, font=font,
                      fill=colour, anchor="ls")
    out = BytesIO()
    image.save(out, format="PNG", optimize=image.width * image.height <= OPTIMISE_PIXELS)
    return ChartPicture(out.getvalue(), organogram.width, organogram.height)
