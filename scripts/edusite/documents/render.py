"""HTML of the documents section, rendered in Python (the theme needs no template for it).

Every function takes ``link``, which turns a site-relative URL (``van-ban/2026/x/``) into one
relative to the page being rendered (MkDocs' ``url`` filter does the same in templates);
absolute URLs pass through. All text is escaped. Tables carry a ``<caption>`` and ``scope``
on every header cell; the download links say what they download.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from pathlib import PurePosixPath

from ..text import format_date, slugify
from .feed import UpperDocument
from .model import DOCS_DIR, Attachment, Document
from .pages import FACETS, UPPER_DIR, DocPage, FacetValue

Link = Callable[[str], str]

#: The tiny script and stylesheet every list page loads (generated into the site).
JS_PATH = "assets/edusite-documents.js"
CSS_PATH = "assets/edusite-documents.css"

_HEAD = (
    '<thead><tr><th scope="col" data-sort="text">Số hiệu</th>'
    '<th scope="col" data-sort="date">Ngày ban hành</th>'
    '<th scope="col" data-sort="text">Trích yếu</th>'
    '<th scope="col" data-sort="text">Cơ quan ban hành</th>'
    '<th scope="col">Tải về</th></tr></thead>'
)


def _wrap(table: str) -> str:
    """Material's wrappers for wide tables (below 640 px the rows become cards, see
    ``documents.css``; no sideways scrolling)."""
    return f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">{table}</div></div>'


def _time(value: date) -> str:
    return f'<time datetime="{value.isoformat()}">{format_date(value)}</time>'


def download_links(so_hieu: str, files: Sequence[Attachment], link: Link) -> str:
    """Links to the files; each accessible name repeats the number (``Tải về 141/KH… PDF``).

    With several files each link shows its file name, so the links can be told apart.
    """
    out = []
    for f in files:
        text = f.label if len(files) == 1 else f"{PurePosixPath(f.name).name} ({f.label})"
        name = escape(f"Tải về {so_hieu} {text}")
        out.append(f'<a href="{escape(link(f.url))}" aria-label="{name}">{escape(text)}</a>')
    return "<br>".join(out) if out else "–"


def _row(
    data: dict[str, str],
    so_hieu: str,
    issued: date,
    title: str,
    href: str,
    issuer: str,
    downloads: str,
) -> str:
    """One table row; ``data`` holds the facet labels the script filters on."""
    attrs = "".join(f' data-{k}="{escape(v)}"' for k, v in data.items() if v)
    return (
        f"<tr{attrs}>"
        f'<th scope="row">{escape(so_hieu)}</th>'
        f'<td data-label="Ngày ban hành" data-value="{issued.isoformat()}">{_time(issued)}</td>'
        f'<td data-label="Trích yếu"><a href="{escape(href)}">{escape(title)}</a></td>'
        f'<td data-label="Cơ quan ban hành">{escape(issuer)}</td>'
        f'<td data-label="Tải về" class="es-docs-download">{downloads}</td>'
        "</tr>"
    )


def _doc_row(doc: Document, link: Link) -> str:
    data = {f.key: v[1] for f in FACETS if (v := f.value(doc)) is not None}
    return _row(
        data,
        doc.so_hieu,
        doc.ngay_ban_hanh,
        doc.trich_yeu,
        link(doc.url),
        doc.co_quan_ban_hanh,
        download_links(doc.so_hieu, doc.files, link),
    )


def _upper_row(d: UpperDocument) -> str:
    files = [Attachment(d.file_url, d.file_url, d.file_size)] if d.file_url else []
    data = {
        "loai": d.loai,
        "nam": str(d.ngay_ban_hanh.year),
        "linh-vuc": d.linh_vuc,
        "co-quan": d.co_quan_ban_hanh,
    }
    downloads = download_links(d.so_hieu, files, lambda url: url)
    return _row(
        data, d.so_hieu, d.ngay_ban_hanh, d.trich_yeu, d.link, d.co_quan_ban_hanh, downloads
    )


def _table(rows: Sequence[str], caption: str) -> str:
    body = "".join(rows) or '<tr><td colspan="5">Chưa có văn bản.</td></tr>'
    return _wrap(
        f"<table data-es-docs><caption>{escape(caption)} "
        f'<span class="es-docs-count">({len(rows)} văn bản)</span></caption>'
        f"{_HEAD}<tbody>{body}</tbody></table>"
    )


def documents_table(docs: Sequence[Document], caption: str, link: Link) -> str:
    """The documents table (newest first); JavaScript may sort and filter it."""
    return _table([_doc_row(d, link) for d in docs], caption)


def facet_nav(
    values: dict[str, list[FacetValue]], link: Link, *, current: str = "", upper: bool = False
) -> str:
    """Server-rendered filters: link lists per type, year, field and issuer (no JS needed)."""
    parts = ['<nav class="es-docs-filters" aria-label="Lọc văn bản">']
    here = f"{DOCS_DIR}/"
    mark = ' aria-current="page"' if current == here else ""
    parts.append(f'<p><a href="{escape(link(here))}"{mark}>Tất cả văn bản</a>')
    if upper:
        up = f"{DOCS_DIR}/{UPPER_DIR}/"
        mark = ' aria-current="page"' if current == up else ""
        parts.append(f' · <a href="{escape(link(up))}"{mark}>Văn bản cấp trên</a>')
    parts.append("</p>")
    for facet in FACETS:
        items = values.get(facet.key) or []
        if not items:
            continue
        links = []
        for fv in items:
            mark = ' aria-current="page"' if current == fv.url else ""
            links.append(
                f'<li><a href="{escape(link(fv.url))}"{mark}>{escape(fv.label)}</a> ({fv.count})</li>'
            )
        parts.append(
            f'<div class="es-docs-facet"><span class="es-docs-facet__title">{escape(facet.title)}:'
            f"</span> <ul>{''.join(links)}</ul></div>"
        )
    parts.append("</nav>")
    return "".join(parts)


def assets(link: Link) -> str:
    """The stylesheet and the deferred script of the list pages."""
    return (
        f'<link rel="stylesheet" href="{escape(link(CSS_PATH))}">'
        f'<script src="{escape(link(JS_PATH))}" defer></script>'
    )


def list_page(
    page: DocPage,
    values: dict[str, list[FacetValue]],
    link: Link,
    *,
    upper: bool = False,
) -> str:
    """Body of the index or of one filter page: filters, then the table."""
    caption = "Danh sách văn bản" if page.kind == "index" else page.title
    return (
        assets(link)
        + facet_nav(values, link, current=page.url, upper=upper)
        + documents_table(page.documents, caption, link)
    )


def metadata_table(doc: Document, link: Link) -> str:
    """The table injected at the top of a document's own page."""

    def facet_link(key: str, slug: str, label: str) -> str:
        return f'<a href="{escape(link(f"{DOCS_DIR}/{key}/{slug}/"))}">{escape(label)}</a>'

    rows = [
        ("Số hiệu", escape(doc.so_hieu)),
        ("Loại văn bản", facet_link("loai", doc.loai.slug, doc.loai.name)),
        ("Ngày ban hành", _time(doc.ngay_ban_hanh)),
    ]
    if doc.hieu_luc:
        rows.append(("Ngày hiệu lực", _time(doc.hieu_luc)))
    rows.append(
        (
            "Cơ quan ban hành",
            facet_link("co-quan", slugify(doc.co_quan_ban_hanh), doc.co_quan_ban_hanh),
        )
    )
    if doc.linh_vuc:
        rows.append(("Lĩnh vực", facet_link("linh-vuc", slugify(doc.linh_vuc), doc.linh_vuc)))
    rows.append(("Trích yếu", escape(doc.trich_yeu)))
    rows.append(("Tệp đính kèm", download_links(doc.so_hieu, doc.files, link)))
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    table = (
        f"<table data-es-doc-meta><caption>Thông tin văn bản</caption><tbody>{body}</tbody></table>"
    )
    back = f'<p><a href="{escape(link(f"{DOCS_DIR}/"))}">« Danh sách văn bản</a></p>'
    return f'<link rel="stylesheet" href="{escape(link(CSS_PATH))}">' + _wrap(table) + back


def upper_page(
    groups: Sequence[tuple[str, Sequence[UpperDocument]]],
    values: dict[str, list[FacetValue]],
    link: Link,
) -> str:
    """``van-ban/cap-tren/``: one table per level above (``(unit name, documents)``)."""
    parts = [assets(link), facet_nav(values, link, current=f"{DOCS_DIR}/{UPPER_DIR}/", upper=True)]
    parts.append(
        '<p class="es-docs-note">Danh sách lấy từ nguồn tin văn bản của đơn vị cấp trên '
        "và được cập nhật mỗi lần trang web được xây dựng.</p>"
    )
    if not groups:
        parts.append("<p>Chưa có văn bản cấp trên.</p>")
    for name, docs in groups:
        parts.append(f"<h2>{escape(name)}</h2>")
        parts.append(_table([_upper_row(d) for d in docs], f"Văn bản của {name}"))
    return "".join(parts)
