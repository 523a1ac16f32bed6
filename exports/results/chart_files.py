"""The charts of a results page as files, for the publication's slides: one ZIP with each chart
drawn as SVG and as PNG, and its data as CSV for a French Excel.

Drawn on the server without a browser: one layout of rectangles and texts (horizontal bars,
grouped or stacked, the value written at the end of each bar), written out twice, as SVG text
and, with Pillow (WeasyPrint's own dependency) and the fonts the app ships, as PNG.
"""

import csv
import io
import math
import textwrap
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from barometre.pdf import FONT_DIR
from barometre.templatetags.formats import nombre
from exports.services.writers import excel_fr_cell, neutralise

WIDTH = 960
LABELS_WIDTH = 330
MARGIN = 24
BAR = 18
LINE = 17
TEXT = "#212529"
GRID = "#ced4da"
PNG_SCALE = 2


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: int = 13
    anchor: str = "start"  # start, middle or end, vertically centred on y
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    shapes: list[Box | Text]


def formatted(value: float | None, unit: str) -> str:
    """A figure as the page writes it: « 12,5 % », « 974 074,56 € »; « masqué » when hidden."""
    if value is None:
        return "masqué"
    return f"{nombre(round(value, 2 if unit and unit != '%' else 1))}{f' {unit}' if unit else ''}"


def _axis_end(chart: dict) -> float:
    """Shares run to 100 %; other values to their maximum rounded up."""
    values = [v for d in chart["datasets"] for v in d["data"] if v is not None]
    top = max(values, default=0) or 1
    if chart.get("stacked") or (chart["unit"] == "%" and top <= 100):
        return 100.0
    step = 10 ** math.floor(math.log10(top))
    return float(math.ceil(top / step) * step)


def layout(chart: dict, title: str) -> Layout:
    """Where every bar and text of `chart` goes, in pixels."""
    shapes: list[Box | Text] = []
    y: float = MARGIN
    for line in textwrap.wrap(title, 90) or [""]:
        shapes.append(Text(MARGIN, y + LINE / 2, line, 15, bold=True))
        y += LINE + 4
    datasets = chart["datasets"]
    stacked = bool(chart.get("stacked"))
    if len(datasets) > 1:
        x: float = MARGIN
        for dataset in datasets:
            shapes.append(Box(x, y + 4, 12, 12, dataset["color"]))
            shapes.append(Text(x + 18, y + 10, dataset["label"], 12))
            x += 30 + 7 * len(dataset["label"])
            if x > WIDTH - 160:
                x, y = MARGIN, y + LINE + 2
        y += LINE + 6
    y += 8
    left, right = LABELS_WIDTH, WIDTH - MARGIN - 90
    end = _axis_end(chart)
    scale = (right - left) / end
    top = y
    for row, label in enumerate(chart["labels"]):
        lines = textwrap.wrap(str(label), 44)[:3] or [""]
        bars = 1 if stacked else len(datasets)
        height = max(len(lines) * LINE, bars * BAR) + 12
        for i, line in enumerate(lines):
            shapes.append(Text(left - 10, y + 6 + LINE * (i + 0.5), line, 12, anchor="end"))
        x = left
        for d, dataset in enumerate(datasets):
            value = dataset["data"][row]
            bar_y = y + 6 + (0 if stacked else d * BAR)
            width = (value or 0) * scale
            if width:
                shapes.append(Box(x, bar_y, width, BAR - 3, dataset["color"]))
            if not stacked:
                shapes.append(
                    Text(left + width + 6, bar_y + BAR / 2 - 1, formatted(value, chart["unit"]), 11)
                )
            elif value and value >= 8:
                shapes.append(
                    Text(x + width / 2, bar_y + BAR / 2 - 1, nombre(round(value)), 10, "middle")
                )
            if stacked:
                x += width
        y += height
    for tick in range(5):
        value = end * tick / 4
        x = left + value * scale
        shapes.insert(0, Box(x, top, 1, y - top, GRID))
        shapes.append(Text(x, y + 10, formatted(value, chart["unit"]), 11, "middle"))
    axis = chart.get("axis") or chart["unit"]
    shapes.append(Text((left + right) / 2, y + 32, axis, 12, "middle"))
    return Layout(WIDTH, int(y + 32 + LINE + MARGIN), shapes)


def svg(chart: dict, title: str) -> str:
    """The chart as an SVG document."""
    drawn = layout(chart, title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{drawn.width}" height="{drawn.height}" '
        f'viewBox="0 0 {drawn.width} {drawn.height}" role="img" '
        f'font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{drawn.width}" height="{drawn.height}" fill="#fff"/>',
    ]
    for shape in drawn.shapes:
        if isinstance(shape, Box):
            parts.append(
                f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
                f'height="{shape.height:.1f}" fill="{shape.colour}"/>'
            )
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(
                f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" '
                f'text-anchor={quoteattr(shape.anchor)} dominant-baseline="central" '
                f'fill="{TEXT}"{weight}>{escape(shape.text)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


_ANCHORS = {"start": "lm", "middle": "mm", "end": "rm"}


def png(chart: dict, title: str) -> bytes:
    """The chart as a PNG image, twice the SVG's size for sharp slides."""
    drawn = layout(chart, title)
    image = Image.new("RGB", (drawn.width * PNG_SCALE, drawn.height * PNG_SCALE), "#fff")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}
    for shape in drawn.shapes:
        if isinstance(shape, Box):
            draw.rectangle(
                (
                    shape.x * PNG_SCALE,
                    shape.y * PNG_SCALE,
                    (shape.x + shape.width) * PNG_SCALE - 1,
                    (shape.y + shape.height) * PNG_SCALE - 1,
                ),
                fill=shape.colour,
            )
        else:
            key = (shape.size, shape.bold)
            if key not in fonts:
                name = "DejaVuSans-Bold.ttf" if shape.bold else "DejaVuSans.ttf"
                fonts[key] = ImageFont.truetype(str(FONT_DIR / name), shape.size * PNG_SCALE)
            draw.text(
                (shape.x * PNG_SCALE, shape.y * PNG_SCALE),
                shape.text,
                fill=TEXT,
                font=fonts[key],
                anchor=_ANCHORS[shape.anchor],
            )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def data_csv(chart: dict) -> bytes:
    """The chart's data as « CSV pour Excel (France) »: BOM, semicolons, decimal comma; a
    hidden figure is written « masqué »."""
    stream = io.StringIO()
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    unit = f" ({chart['unit']})" if chart["unit"] else ""
    writer.writerow(["Libellé", *(neutralise(f"{d['label']}{unit}") for d in chart["datasets"])])
    for row, label in enumerate(chart["labels"]):
        values = [d["data"][row] for d in chart["datasets"]]
        writer.writerow(
            [
                neutralise(str(label)),
                *("masqué" if v is None else excel_fr_cell(round(float(v), 2)) for v in values),
            ]
        )
    return stream.getvalue().encode("utf-8")


def charts_zip(questions: list[dict]) -> bytes:
    """Every chart of `questions` (each with its `chart`) as `NN-<code>.svg`, `.png`, `.csv`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        number = 0
        for question in questions:
            chart = question.get("chart")
            if not chart:
                continue
            number += 1
            stem = f"{number:02d}-{question['code']}"
            archive.writestr(f"{stem}.svg", svg(chart, question["text"]))
            archive.writestr(f"{stem}.png", png(chart, question["text"]))
            archive.writestr(f"{stem}.csv", data_csv(chart))
    return out.getvalue()
