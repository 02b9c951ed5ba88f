"""Template context for the "Công khai" index, section pages and portal dashboards.

The templates are also rendered (with a stub ``main.html``) to check their HTML: tables with a
caption and header scopes, status written as text.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest
from edusite.disclosure import (
    dashboard_context,
    disclosure_index_context,
    get_rules,
    section_context,
    template_for,
)
from edusite.structure.network import get_network

REPO = Path(__file__).resolve().parent.parent
NET = Path(__file__).resolve().parent / "networks" / "disclosure"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def network():
    return get_network(NET)


@pytest.fixture(scope="module")
def rules(network):
    return get_rules(network.root, network.settings)


def test_index_context(network, rules) -> None:
    unit = network["mn-a"]
    ctx = disclosure_index_context(unit, unit.docs_dir, TODAY, rules)
    assert ctx["current_school_year"] == "2026-2027"
    assert [y["school_year"] for y in ctx["years"]] == ["2026-2027"]
    items = {i["slug"]: i for i in ctx["years"][0]["sections"]}
    assert list(items) == [
        "thong-tin-chung",
        "thu-chi-tai-chinh",
        "dieu-kien-bao-dam-chat-luong",
        "ke-hoach-va-ket-qua",
        "bao-cao-thuong-nien",
        "thuc-don",
        "ke-hoach-thang",
        "ke-hoach-tuan",
    ]
    first = items["thong-tin-chung"]
    # each status its own icon on pages (✗ was used for missing, late and error alike)
    assert (first["status"], first["status_text"], first["mark"]) == ("late", "trễ hạn", "◷")
    assert first["url"] == "2026-2027/thong-tin-chung/"
    assert first["site_path"] == "cong-khai/2026-2027/thong-tin-chung/"
    assert (first["due_text"], first["published_text"]) == ("30/06/2026", "15/07/2026")
    assert items["thu-chi-tai-chinh"]["status"] == "warning"
    assert items["bao-cao-thuong-nien"]["attachment_count"] == 1
    menu = items["thuc-don"]
    assert [(p["label"], p["status_text"], p["url"]) for p in menu["periods"]] == [
        ("2026-W48", "thiếu", None),
        ("2026-W47", "đạt", "2026-2027/thuc-don/2026-W47/"),
        ("2026-W46", "đạt", "2026-2027/thuc-don/2026-W46/"),
    ]
    flat = disclosure_index_context(unit, unit.docs_dir, TODAY, rules, directory_urls=False)
    assert flat["years"][0]["sections"][0]["url"] == "2026-2027/thong-tin-chung.html"
    th_g = network["th-g"]
    years = disclosure_index_context(th_g, th_g.docs_dir, TODAY, rules)["years"]
    assert [y["school_year"] for y in years] == ["2026-2027", "2025-2026", "2024-2025", "2023-2024"]
    assert years[-1]["sections"][0]["forms"] == "Biểu mẫu 05, 06"
    assert years[-1]["complete"] is False and years[0]["complete"] is True


def test_section_context(network, rules) -> None:
    unit = network["mn-a"]
    page = unit.docs_dir / "cong-khai/2026-2027/bao-cao-thuong-nien.md"
    ctx = section_context(unit, page, {"title": "x"}, rules)
    assert ctx["section_title"] == "Báo cáo thường niên"
    assert (ctx["school_year"], ctx["report_year"], ctx["status"]) == ("2026-2027", 2025, "ok")
    assert (ctx["published_text"], ctx["as_of_text"], ctx["due_text"]) == (
        "25/06/2026",
        "31/12/2025",
        "30/06/2026",
    )
    (att,) = ctx["attachments"]
    assert att["type"] == "PDF" and att["readable"] and att["size_text"].endswith(" KB")
    assert att["url"] == "../bao-cao-thuong-nien/bao-cao-2025.pdf"
    assert att["site_path"] == "cong-khai/2026-2027/bao-cao-thuong-nien/bao-cao-2025.pdf"
    assert ctx["index_url"] == "../../"

    broken = network["thcs-b"]
    ctx = section_context(
        broken, broken.docs_dir / "cong-khai/2026-2027/thu-chi-tai-chinh.md", {}, rules
    )
    assert ctx["status"] == "error" and not ctx["attachments"][0]["readable"]
    week = section_context(
        unit, unit.docs_dir / "cong-khai/2026-2027/ke-hoach-thang/2026-11.md", {}, rules
    )
    assert (week["period"], week["status_text"], week["on_time"]) == ("2026-11", "trễ hạn", False)
    assert week["period_text"] == "tháng 11/2026" and week["index_url"] == "../../../"


def test_dashboard_context(network, rules) -> None:
    ctx = dashboard_context(network, "pgd", TODAY, rules)
    assert ctx["school_year"] == "2026-2027"
    assert [r["unit"]["id"] for r in ctx["rows"]] == ["mn-a", "th-a", "th-g", "thcs-b"]
    assert [c["slug"] for c in ctx["columns"]] == [
        "thong-tin-chung",
        "thu-chi-tai-chinh",
        "dieu-kien-bao-dam-chat-luong",
        "ke-hoach-va-ket-qua",
        "bao-cao-thuong-nien",
        "thuc-don",
        "ke-hoach-thang",
        "ke-hoach-tuan",
        "huong-nghiep",
    ]
    rows = {r["unit"]["id"]: r for r in ctx["rows"]}
    assert [c["status"] for c in rows["th-g"]["cells"]][:5] == ["ok"] * 5
    assert rows["th-g"]["cells"][5] == {
        "slug": "thuc-don",
        "owed": False,
        "status": "",
        "status_text": "không áp dụng",
        "mark": "–",
        "url": None,
    }
    assert rows["th-g"]["status"] == "ok"
    assert rows["th-a"]["cells"][4]["url"] == "https://thu.edu.vn/th-a/cong-khai/"
    assert (
        rows["th-a"]["cells"][0]["url"]
        == "https://thu.edu.vn/th-a/cong-khai/2026-2027/thong-tin-chung/"
    )
    assert (
        rows["th-a"]["cells"][5]["url"]
        == "https://thu.edu.vn/th-a/cong-khai/2026-2027/thuc-don/2026-W48/"
    )
    assert rows["mn-a"]["status"] == "missing"
    assert ctx["units_ok"] == 1
    so = dashboard_context(network, "so", TODAY, rules)
    assert len(so["rows"]) == 7


def test_template_for(network) -> None:
    school, portal = network["th-a"], network["pgd"]
    assert template_for(school, "cong-khai/index.md") == "disclosure-index.html"
    assert template_for(portal, "cong-khai/index.md") == "disclosure-dashboard.html"
    assert (
        template_for(school, "cong-khai/2026-2027/thu-chi-tai-chinh.md")
        == "disclosure-section.html"
    )
    assert (
        template_for(school, "cong-khai/2026-2027/thuc-don/2026-W47.md")
        == "disclosure-section.html"
    )
    assert template_for(school, "cong-khai/2026-2027/index.md") is None
    assert template_for(school, "tin-tuc/index.md") is None


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br", "img", "input", "meta", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()


def render(name: str, disclosure: dict[str, Any], strict: bool = True) -> tuple[str, _Html]:
    """Render like MkDocs does; ``strict`` also fails on any undefined name (typos)."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({"main.html": "{% block content %}{% endblock %}"}),
            jinja2.FileSystemLoader(str(REPO / "shared-theme")),
        ]
    )
    undefined = jinja2.StrictUndefined if strict else jinja2.Undefined
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=undefined)
    env.filters["url"] = lambda value: value
    page = {"title": "Công khai", "content": "<p>Giới thiệu.</p>"}
    html = env.get_template(name).render(disclosure=disclosure, page=page)
    parser = _Html()
    parser.feed(html)
    assert parser.stack == []
    return html, parser


def check_tables(parser: _Html) -> None:
    tags = [t for t, _ in parser.tags]
    assert tags.count("table") >= 1
    assert tags.count("caption") == tags.count("table")
    assert all(a.get("scope") in ("col", "row") for t, a in parser.tags if t == "th")


def test_templates_render_accessible_tables(network, rules) -> None:
    unit = network["mn-a"]
    html, parser = render(
        "disclosure-index.html", disclosure_index_context(unit, unit.docs_dir, TODAY, rules)
    )
    check_tables(parser)
    assert "trễ hạn" in html and 'href="cong-khai/2026-2027/thong-tin-chung/"' in html
    page = unit.docs_dir / "cong-khai/2026-2027/bao-cao-thuong-nien.md"
    html, parser = render("disclosure-section.html", section_context(unit, page, {}, rules))
    # the attachments are a list of files (type, size, a download button), not a table
    assert "Tệp đính kèm" in html and ">PDF</abbr>" in html and " KB</span>" in html
    assert 'class="es-button"' in html and ">Tải về<" in html
    html, parser = render(
        "disclosure-dashboard.html", dashboard_context(network, "pgd", TODAY, rules)
    )
    check_tables(parser)
    assert "không áp dụng" in html and "https://thu.edu.vn/th-a/cong-khai/" in html
    html, _ = render("disclosure-index.html", {}, strict=False)
    assert "Chưa có nội dung công khai." in html
