"""Server-rendered charts (SVG through matplotlib): the one chart module that pages, the
dashboard and the reports all use, so the same numbers give the same picture everywhere.

Numbers are written the Vietnamese way (decimal comma, "." between thousands: 1.234,5), counts
get whole-number ticks only, percentages run 0-100 with "%". Labels are wrapped between words,
never cut: the saved picture is widened until every text fits even at a generous estimate of
its width (0.6 x font size per character: the browser may draw with a wider font than the one
matplotlib measured)."""

import io
import math
import re
import textwrap
import xml.etree.ElementTree as ET
from html import escape

_STYLE = {
    "font.family": ["Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "svg.fonttype": "none",
}
COLOR = "#0b3d91"
CHAR_WIDTH = 0.6  # estimated width of one character, in font sizes
AXES = ("number", "count", "percent")  # how the value axis is read and labelled


# --- numbers ---------------------------------------------------------------------------------


def vn_number(value, decimals: int = 0) -> str:
    """12345.6 -> "12.345,6" (decimals fixed)."""
    text = f"{abs(float(value)):,.{decimals}f}"
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if float(value) < 0 and text.strip("0,.") else "") + text


def vn_tick(value, axis: str = "number") -> str:
    """A tick or value label: as few decimals as the value needs (at most 3); counts whole;
    percentages with "%"."""
    value = float(value)
    if axis == "count":
        text = vn_number(round(value))
    else:
        decimals = next((d for d in range(4) if abs(round(value, d) - value) < 1e-9), 3)
        text = vn_number(value, decimals)
    return text + "%" if axis == "percent" else text


def vn_signed(value, decimals: int = 1) -> str:
    """A change: "+2,5", "-1,0", "0,0"."""
    text = vn_number(abs(value), decimals)
    if round(float(value), decimals) > 0:
        return "+" + text
    if round(float(value), decimals) < 0:
        return "-" + text
    return text


def wrap(label: str, width: int, max_lines: int = 3) -> str:
    """Between words onto at most `max_lines` lines (wider lines rather than more of them)."""
    label = " ".join(str(label).split())
    while True:
        lines = textwrap.wrap(label, width, break_long_words=False) or [""]
        if len(lines) <= max_lines:
            return "\n".join(lines)
        width += 2


# --- SVG output ------------------------------------------------------------------------------

_STYLE_ATTRIBUTE = re.compile(r'(<[a-zA-Z][^<>]*?) style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>\s*\*\s*\{([^}]*)\}\s*</style>\s*")


def _declarations(css: str) -> list[tuple[str, str]]:
    pairs = (item.split(":", 1) for item in css.split(";") if ":" in item)
    return [(name.strip(), value.strip()) for name, value in pairs]


def _as_attributes(tag: str, css: str) -> str:
    present = set(re.findall(r"\s([a-zA-Z-]+)=", tag))
    extra = "".join(
        f' {name}="{escape(value)}"'
        for name, value in _declarations(css)
        if name not in present and re.fullmatch(r"[a-z-]+", name)
    )
    return tag + extra


def svg_without_inline_style(svg: str) -> str:
    """matplotlib writes CSS (style="fill: ..." and a <style> element); the page's
    Content-Security-Policy allows no inline style, so the same properties become SVG
    presentation attributes (fill="...", which are not CSS and need no permission)."""
    rule = _STYLE_ELEMENT.search(svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(lambda m: _as_attributes(m.group(1), m.group(2)), svg)
    if rule:  # "*{stroke-linejoin: round; ...}": inherited properties, set once on the root
        svg = re.sub(
            r"<svg\b[^>]*", lambda m: _as_attributes(m.group(0), rule.group(1)), svg, count=1
        )
    return svg


_SVG_NS = "{http://www.w3.org/2000/svg}"
_NUMBER = r"-?[\d.]+(?:e-?\d+)?"


def _transform(attribute: str):
    """The matrix (a, b, c, d, e, f) of an SVG transform made of translate() and rotate()."""
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def times(m, n):
        a, b, c, d, e, f = m
        p, q, r, s, t, u = n
        return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s,
                a * t + c * u + e, b * t + d * u + f)  # fmt: skip

    for name, args in re.findall(r"(translate|rotate)\(([^)]*)\)", attribute or ""):
        values = [float(v) for v in re.findall(_NUMBER, args)]
        if name == "translate":
            step = (1, 0, 0, 1, values[0], values[1] if len(values) > 1 else 0)
        else:
            angle = math.radians(values[0])
            cos, sin = math.cos(angle), math.sin(angle)
            cx, cy = (values[1], values[2]) if len(values) == 3 else (0, 0)
            step = (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)
        matrix = times(matrix, step)
    return matrix


def text_extents(svg: str) -> list[tuple[float, float, float, float, str]]:
    """(left, top, right, bottom, text) of every <text>, in the SVG's user units, at the
    estimated width of CHAR_WIDTH font sizes per character."""
    root = ET.fromstring(svg)
    out = []
    for element in root.iter(f"{_SVG_NS}text"):
        text = "".join(element.itertext())
        if not text.strip():
            continue
        size = float(re.match(_NUMBER, element.get("font-size", "10")).group())
        width = CHAR_WIDTH * size * len(text)
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        shift = {"middle": width / 2, "end": width}.get(element.get("text-anchor"), 0)
        corners = [(x - shift + dx, y + dy) for dx in (0, width) for dy in (-size, 0.3 * size)]
        a, b, c, d, e, f = _transform(element.get("transform"))
        points = [(a * px + c * py + e, b * px + d * py + f) for px, py in corners]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        out.append((min(xs), min(ys), max(xs), max(ys), text))
    return out


def view_box(svg: str) -> tuple[float, float, float, float]:
    values = ET.fromstring(svg).get("viewBox").split()
    return tuple(float(v) for v in values)


# --- saving: the picture's box holds every label ---------------------------------------------


def _measure(fig):
    """The chart as SVG in matplotlib's tight box, that box (inches) and the extents
    (left, top, right, bottom, in the SVG's points) that hold every text drawn, at the
    estimated width."""
    fig.canvas.draw()
    tight = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches=tight)
    svg = buffer.getvalue()
    svg = svg_without_inline_style(svg[svg.index("<svg") :])
    _, _, width, height = view_box(svg)
    left, top, right, bottom = 0.0, 0.0, width, height
    for x0, y0, x1, y1, _text in text_extents(svg):
        left, top, right, bottom = min(left, x0), min(top, y0), max(right, x1), max(bottom, y1)
    margin = 2.0  # points
    return svg, tight, (left - margin, top - margin, right + margin, bottom + margin)


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    svg, _tight, (left, top, right, bottom) = _measure(fig)
    plt.close(fig)
    width, height = right - left, bottom - top

    def root(match):
        tag = re.sub(r'\s(width|height|viewBox)="[^"]*"', "", match.group(0))
        return (
            f'{tag} width="{width:.3f}pt" height="{height:.3f}pt"'
            f' viewBox="{left:.3f} {top:.3f} {width:.3f} {height:.3f}"'
        )

    return re.sub(r"<svg\b[^>]*?(?=/?>)", root, svg, count=1)


def _png(fig, dpi=150) -> bytes:
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    _svg_text, tight, (left, top, right, bottom) = _measure(fig)
    box = Bbox.from_extents(
        tight.x0 + left / 72, tight.y1 - bottom / 72, tight.x0 + right / 72, tight.y1 - top / 72
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches=box, dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(_STYLE)
    return plt


def _value_axis(axis_obj, axis: str, values) -> None:
    """Ticks of the value axis: whole numbers for counts, 0-100 % for percentages."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    if axis == "percent":
        axis_obj.set_major_locator(MultipleLocator(20))
    elif axis == "count":
        axis_obj.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axis_obj.set_major_formatter(FuncFormatter(lambda v, _pos: vn_tick(v, axis)))


def _limits(values, axis: str) -> tuple[float, float]:
    if axis == "percent":
        return 0, 105
    top = max([float(v) for v in values if v is not None] or [0])
    return 0, (top * 1.15 if top > 0 else 1)


def _category_width(count: int, inches: float, size: float = 10) -> int:
    """How many characters a category label may have per line under its bar or point."""
    return max(6, int(inches * 72 / max(count, 1) / (CHAR_WIDTH * size)) - 1)


# --- the charts ------------------------------------------------------------------------------


def radar_figure(labels: list[str], percents: list[float], title: str = "", series_label: str = ""):
    """A radar of percentages (0-100), one axis per label (e.g. the 7 PAR fields), each label
    in full, wrapped, outside the circle (each in its own <g id="radar-label-N">)."""
    plt = _pyplot()
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)] + [0]
    values = [*percents, percents[0]] if percents else []
    fig = plt.figure(figsize=(5.6, 5.2))
    ax = fig.add_subplot(polar=True)
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_xticks(angles[:-1], [""] * count)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100], [vn_tick(v, "percent") for v in (20, 40, 60, 80, 100)])
    ax.tick_params(axis="y", labelsize=8, labelcolor="#444")
    for i, (angle, label) in enumerate(zip(angles, labels, strict=False)):
        side = math.sin(angle)  # > 0: right of the circle (clockwise from the top)
        ha = "center" if abs(side) < 0.2 else ("left" if side > 0 else "right")
        va = "bottom" if math.cos(angle) > 0.5 else ("top" if math.cos(angle) < -0.5 else "center")
        ax.text(
            angle,
            114,
            wrap(label, 20),
            ha=ha,
            va=va,
            fontsize=9,
            gid=f"radar-label-{i + 1}",
        )
    if values:
        ax.plot(angles, values, color=COLOR, linewidth=2, label=series_label or None)
        ax.fill(angles, values, color=COLOR, alpha=0.2)
    if title:  # above the top label, however many lines it has
        top_lines = wrap(labels[0], 20).count("\n") + 1 if labels else 0
        ax.set_title(title, pad=24 + 12 * top_lines)
    return fig


def bar_figure(
    labels: list[str],
    values: list[float],
    title: str = "",
    unit: str = "",
    horizontal=False,
    axis: str = "number",
):
    plt = _pyplot()
    axis = "percent" if axis == "number" and unit == "%" else axis
    count = len(labels)
    if horizontal:
        fig, ax = plt.subplots(figsize=(6.4, max(3.0, 0.5 * count + 1)))
        bars = ax.barh([wrap(label, 32) for label in labels], values, color=COLOR)
        ax.invert_yaxis()
        value_axis = ax.xaxis
        ax.set_xlim(*_limits(values, axis))
    else:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        width = _category_width(count, 5.6)
        bars = ax.bar([wrap(label, width) for label in labels], values, color=COLOR)
        value_axis = ax.yaxis
        ax.set_ylim(*_limits(values, axis))
    _value_axis(value_axis, axis, values)
    ax.bar_label(bars, labels=[vn_tick(v, axis) for v in values], padding=2, fontsize=8)
    if unit:
        (ax.set_xlabel if horizontal else ax.set_ylabel)(unit)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def line_figure(
    labels: list[str],
    series: dict[str, list[float]],
    title: str = "",
    unit: str = "",
    axis: str = "number",
    estimate_from: int | None = None,
):
    """Lines over categories; with `estimate_from`, the points from that index on are an
    estimate (drawn hollow, the line to them dashed). Few points get their value written."""
    plt = _pyplot()
    axis = "percent" if axis == "number" and unit == "%" else axis
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    count = len(labels)
    positions = list(range(count))
    every = [v for values in series.values() for v in values if v is not None]
    for name, values in series.items():
        firm = count if estimate_from is None else estimate_from
        (line,) = ax.plot(positions[:firm], values[:firm], marker="o", label=name)
        if firm < count:
            start = max(firm - 1, 0)
            color = line.get_color()
            ax.plot(positions[start:], values[start:], linestyle="--", color=color)
            ax.plot(
                positions[firm:],
                values[firm:],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                color=color,
            )
        if count <= 8:
            for x, value in zip(positions, values, strict=False):
                if value is not None:
                    ax.annotate(
                        vn_tick(value, axis),
                        (x, value),
                        textcoords="offset points",
                        xytext=(0, 6),
                        ha="center",
                        fontsize=8,
                    )
    width = _category_width(count, 5.6)
    ax.set_xticks(positions, [wrap(label, width) for label in labels])
    ax.set_ylim(*_limits(every, axis))
    _value_axis(ax.yaxis, axis, every)
    if unit:
        ax.set_ylabel(unit)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def radar_svg(labels, percents, title="") -> str:
    return _svg(radar_figure(labels, percents, title))


def radar_png(labels, percents, title="") -> bytes:
    return _png(radar_figure(labels, percents, title))


def bar_svg(labels, values, title="", unit="", horizontal=False, axis="number") -> str:
    return _svg(bar_figure(labels, values, title, unit, horizontal, axis))


def bar_png(labels, values, title="", unit="", horizontal=False, axis="number") -> bytes:
    return _png(bar_figure(labels, values, title, unit, horizontal, axis))


def line_svg(labels, series, title="", unit="", axis="number", estimate_from=None) -> str:
    return _svg(line_figure(labels, series, title, unit, axis, estimate_from))


def line_png(labels, series, title="", unit="", axis="number", estimate_from=None) -> bytes:
    return _png(line_figure(labels, series, title, unit, axis, estimate_from))
