"""Server-rendered charts (SVG through matplotlib): the one chart module that pages, the
dashboard and the reports all use, so the same numbers give the same picture everywhere."""

import io
import math
import re
from html import escape

_STYLE = {
    "font.family": ["Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "svg.fonttype": "none",
}


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


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg_without_inline_style(svg[svg.index("<svg") :])


def _png(fig, dpi=150) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(_STYLE)
    return plt


def radar_figure(labels: list[str], percents: list[float], title: str = "", series_label: str = ""):
    """A radar of percentages (0-100), one axis per label (e.g. the 7 PAR fields)."""
    plt = _pyplot()
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)] + [0]
    values = [*percents, percents[0]] if percents else []
    fig = plt.figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(polar=True)
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_xticks(angles[:-1], labels)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], color="#444")
    if values:
        ax.plot(angles, values, color="#0b3d91", linewidth=2, label=series_label or None)
        ax.fill(angles, values, color="#0b3d91", alpha=0.2)
    if title:
        ax.set_title(title, pad=18)
    return fig


def bar_figure(
    labels: list[str], values: list[float], title: str = "", unit: str = "", horizontal=False
):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    if horizontal:
        ax.barh(labels, values, color="#0b3d91")
        ax.invert_yaxis()
    else:
        ax.bar(labels, values, color="#0b3d91")
        ax.tick_params(axis="x", labelrotation=30)
    if unit:
        (ax.set_xlabel if horizontal else ax.set_ylabel)(unit)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def line_figure(labels: list[str], series: dict[str, list[float]], title: str = "", unit: str = ""):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for name, values in series.items():
        ax.plot(labels, values, marker="o", label=name)
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


def bar_svg(labels, values, title="", unit="", horizontal=False) -> str:
    return _svg(bar_figure(labels, values, title, unit, horizontal))


def bar_png(labels, values, title="", unit="", horizontal=False) -> bytes:
    return _png(bar_figure(labels, values, title, unit, horizontal))


def line_svg(labels, series, title="", unit="") -> str:
    return _svg(line_figure(labels, series, title, unit))


def line_png(labels, series, title="", unit="") -> bytes:
    return _png(line_figure(labels, series, title, unit))
