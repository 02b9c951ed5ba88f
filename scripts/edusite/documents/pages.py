"""The documents section's generated pages, as pure data.

``van-ban/`` lists every document; server-rendered filter pages list the documents of one type
(``van-ban/loai/<slug>/``), year (``van-ban/nam/<yyyy>/``), field (``van-ban/linh-vuc/<slug>/``)
or issuer (``van-ban/co-quan/<slug>/``), so filtering works without JavaScript;
``van-ban/cap-tren/`` lists the documents of the levels above, read from their feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..text import fold, slugify
from .model import DOCS_DIR, Document, DocumentType

UPPER_DIR = "cap-tren"


@dataclass(frozen=True)
class Facet:
    """One way to filter documents: its URL folder, titles and how to read a document's value."""

    key: str  # URL folder below van-ban/, e.g. "loai"
    title: str  # heading of its link list, "Loại văn bản"
    page_title: str  # prefix of its pages' titles, "Văn bản:"
    value: Callable[[Document], tuple[str, str] | None]  # (slug, label)


FACETS: tuple[Facet, ...] = (
    Facet("loai", "Loại văn bản", "Văn bản:", lambda d: (d.loai.slug, d.loai.name)),
    Facet("nam", "Năm ban hành", "Văn bản năm", lambda d: (str(d.year), str(d.year))),
    Facet(
        "linh-vuc",
        "Lĩnh vực",
        "Văn bản lĩnh vực",
        lambda d: (slugify(d.linh_vuc), d.linh_vuc) if d.linh_vuc else None,
    ),
    Facet(
        "co-quan",
        "Cơ quan ban hành",
        "Văn bản của",
        lambda d: (slugify(d.co_quan_ban_hanh), d.co_quan_ban_hanh),
    ),
)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its page: ``Kế hoạch`` → ``van-ban/loai/ke-hoach/`` (3)."""

    facet: str
    slug: str
    label: str
    count: int

    @property
    def url(self) -> str:
        return f"{DOCS_DIR}/{self.facet}/{self.slug}/"


@dataclass
class DocPage:
    """A generated page of the documents section."""

    kind: str  # "index" | "facet" | "upper"
    title: str
    url: str  # site-relative, "van-ban/loai/ke-hoach/"
    documents: list[Document] = field(default_factory=list)
    facet: str = ""
    key: str = ""

    @property
    def src_uri(self) -> str:
        """Virtual Markdown source path MkDocs sees for this page."""
        return self.url + "index.md"


def facet_values(
    docs: Sequence[Document], types: Sequence[DocumentType]
) -> dict[str, list[FacetValue]]:
    """Every facet's used values with counts, in reading order.

    Types follow the controlled list, years run newest first, fields and issuers are sorted
    alphabetically ignoring tones. Values whose labels differ only in spelling but share a slug
    are merged under the first label met (documents are newest first).
    """
    out: dict[str, list[FacetValue]] = {}
    type_order = {t.slug: i for i, t in enumerate(types)}
    for facet in FACETS:
        labels: dict[str, str] = {}
        counts: dict[str, int] = {}
        for doc in docs:
            value = facet.value(doc)
            if value is None or not value[0]:
                continue
            slug, label = value
            labels.setdefault(slug, label)
            counts[slug] = counts.get(slug, 0) + 1
        if facet.key == "loai":
            order = sorted(labels, key=lambda s: type_order.get(s, len(type_order)))
        elif facet.key == "nam":
            order = sorted(labels, reverse=True)
        else:
            order = sorted(labels, key=lambda s: (fold(labels[s]), s))
        out[facet.key] = [FacetValue(facet.key, s, labels[s], counts[s]) for s in order]
    return out


def get_pages(
    docs: Sequence[Document], types: Sequence[DocumentType], *, upper: bool = False
) -> list[DocPage]:
    """All generated pages: the index, one page per facet value, and ``cap-tren/`` if ``upper``.

    ``docs`` must be sorted newest first; each page keeps that order.
    """
    pages = [DocPage("index", "Văn bản", f"{DOCS_DIR}/", list(docs))]
    values = facet_values(docs, types)
    for facet in FACETS:
        for fv in values[facet.key]:
            chosen = [d for d in docs if (facet.value(d) or ("", ""))[0] == fv.slug]
            pages.append(
                DocPage(
                    "facet",
                    f"{facet.page_title} {fv.label}",
                    fv.url,
                    chosen,
                    facet=facet.key,
                    key=fv.slug,
                )
            )
    if upper:
        pages.append(DocPage("upper", "Văn bản cấp trên", f"{DOCS_DIR}/{UPPER_DIR}/"))
    return pages
