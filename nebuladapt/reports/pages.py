"""Self-contained HTML pages: inline style, relative image links, no scripts, no web fonts.

The pages open offline from a local folder (``file://``) in any browser; the
images are PNG files beside the page.
"""

from __future__ import annotations

import html

__all__ = ["PAGE_STYLE", "html_page", "html_table", "html_figure"]

#: The only style of a report page (inline, no external CSS or fonts).
PAGE_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "max-width:1250px;margin:1.5em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.6em 0;display:block;max-width:100%;overflow-x:auto}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}"
    "figcaption{color:#333;font-size:.95em;margin-top:.3em}.lead{color:#333}.tables{display:flex;gap:2.5em;flex-wrap:wrap}"
    "code{background:#f5f5f5;padding:0 .2em}"
)


def html_page(title: str, body: str) -> str:
    """A complete HTML5 document with :data:`PAGE_STYLE`.

    Parameters
    ----------
    title : str
        Page title (escaped here).
    body : str
        HTML of the body (already escaped by the caller).

    Returns
    -------
    str
        The document. ``<link rel="icon" href="data:,">`` stops browsers
        asking for a ``favicon.ico`` that does not exist.
    """
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<link rel='icon' href='data:,'><title>{html.escape(title)}</title><style>{PAGE_STYLE}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def html_table(header: list[str], rows: list[list[str]], numeric: tuple[int, ...] = ()) -> str:
    """An HTML table of text cells (escaped here).

    Parameters
    ----------
    header : list of str
        Column titles.
    rows : list of list of str
        Cell texts.
    numeric : tuple of int, optional
        Indices of right-aligned (numeric) columns.

    Returns
    -------
    str
        ``<table>`` element.
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f"<td class='num'>{html.escape(c)}</td>" if i in numeric else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_figure(file_name: str, caption: str, alt: str | None = None) -> str:
    """A ``<figure>`` showing a PNG beside the page, with its caption (escaped here).

    Parameters
    ----------
    file_name : str
        Relative path of the image.
    caption : str
        Caption text.
    alt : str, optional
        Alternative text (default the caption).

    Returns
    -------
    str
        ``<figure>`` element.
    """
    alt = caption if alt is None else alt
    return (
        f"<figure><img src='{html.escape(file_name)}' alt='{html.escape(alt)}'>"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )
