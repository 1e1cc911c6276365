"""Small HTML builders for self-contained pages: inline CSS, no scripts, no requests.

The Content-Security-Policy forbids every load except inline styles and data:
images, so even a future edit that adds an external link cannot make the
page phone home when a competitor opens it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: "DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif;
       margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
.meta { color: #666; font-size: 0.9em; }
.verdict { padding: 0.8em 1.2em; border-radius: 6px; margin: 1em 0; }
.verdict.passed { background: #e3f4e1; border: 2px solid #2e8b3a; }
.verdict.failed { background: #fbe3e1; border: 2px solid #c0392b; }
.verdict strong { font-size: 1.4em; }
.score { font-size: 2.4em; font-weight: bold; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-ok { color: #2e8b3a; font-weight: bold; }
.status-bad { color: #c0392b; font-weight: bold; }
.bar { background: #eee; width: 320px; height: 14px; position: relative; display: inline-block; }
.bar span { display: block; height: 100%; background: #4c72b0; }
.bar span.over { background: #c0392b; }
img { max-width: 100%; display: block; margin: 0.5em 0; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.8em; max-height: 24em; }
.missing { color: #888; font-style: italic; }
"""


def document(title: str, body: Iterable[str]) -> str:
    """A complete page: UTF-8, locked-down CSP, inline style."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def section(title: str, *parts: str, anchor: str | None = None) -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def paragraph(text: str, css_class: str | None = None) -> str:
    attr = f' class="{css_class}"' if css_class else ""
    return f"<p{attr}>{escape(text)}</p>"


def bullets(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def missing(text: str) -> str:
    """A visible note that something is absent, so a blank never reads as 'fine'."""
    return paragraph(text, "missing")


def image(data_uri: str, alt: str) -> str:
    return f'<img src="{escape(data_uri)}" alt="{escape(alt)}">'


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int] = frozenset()
) -> str:
    """Cells are escaped here, except ones given as Raw (already HTML)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            css = ' class="num"' if index in numeric else ""
            cells.append(f"<td{css}>{cell if isinstance(cell, Raw) else escape(str(cell))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


class Raw(str):
    """HTML that is already safe, e.g. a status badge or a bar."""


def status_badge(status: str) -> Raw:
    css = "status-ok" if status == "ok" else "status-bad"
    return Raw(f'<span class="{css}">{escape(status)}</span>')


def bar(fraction: float | None) -> Raw:
    """A horizontal bar for a share of a limit; red when the limit was passed."""
    if fraction is None:
        return Raw('<span class="missing">no limit</span>')
    width = max(0.0, min(fraction, 1.0)) * 100
    css = ' class="over"' if fraction > 1.0 else ""
    return Raw(f'<span class="bar"><span{css} style="width:{width:.1f}%"></span></span>')


def preformatted(lines: Sequence[str]) -> str:
    return f"<pre>{escape(chr(10).join(lines))}</pre>"
