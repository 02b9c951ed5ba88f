"""What crawlers and visitors find at the root of a published network.

MkDocs already writes ``sitemap.xml`` (and ``.gz``) per site from its ``site_url``, listing every
page, posts included. This module checks those files and writes what one MkDocs run cannot: the
network's sitemap index (``sitemap.xml`` at the network root, listing every site's sitemap),
``robots.txt`` pointing at it, and the network index page listing every unit. Output is
deterministic (sorted, no timestamps) so an unchanged network publishes unchanged bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from ..structure.network import KINDS, LEVELS, Network, Unit
from ..text import fold

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def sitemap_index(sitemap_urls: Iterable[str]) -> str:
    """A sitemap index (sitemaps.org 0.9) listing ``sitemap_urls`` (sorted, de-duplicated)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<sitemapindex xmlns="{SITEMAP_NS}">',
    ]
    for url in sorted(set(sitemap_urls)):
        lines.append(f"  <sitemap><loc>{escape(url)}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def robots_txt(sitemap_url: str) -> str:
    """``robots.txt`` allowing every crawler and naming the sitemap (index)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"


def sitemap_locs(path: Path) -> list[str]:
    """The ``<loc>`` URLs of a sitemap or sitemap index file (parsed with defusedxml)."""
    tree = ElementTree.parse(str(path))
    return [el.text or "" for el in tree.getroot().iter(f"{{{SITEMAP_NS}}}loc")]


def check_site_sitemap(site_dir: Path, site_url: str) -> list[str]:
    """Problems with a built site's ``sitemap.xml`` (``vi / en`` each); empty when it is right.

    It must exist, parse, list the home page, and list only URLs below ``site_url``.
    """
    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return [f"thiếu {path.name} / {path.name} is missing"]
    try:
        locs = sitemap_locs(path)
    except Exception as exc:  # defusedxml raises several types for broken or hostile XML
        return [f"{path.name} không đọc được / cannot be parsed: {exc}"]
    problems = []
    outside = [u for u in locs if not u.startswith(site_url)]
    if outside:
        problems.append(
            f"{path.name}: {len(outside)} địa chỉ ngoài {site_url} (ví dụ {outside[0]})"
            f" / {len(outside)} URLs outside {site_url} (e.g. {outside[0]})"
        )
    if site_url not in locs:
        problems.append(
            f"{path.name} thiếu trang chủ {site_url} / does not list the home page {site_url}"
        )
    return problems


def _label(unit: Unit) -> str:
    """``Trường học · Tiểu học`` style description of a unit."""
    kind = KINDS.get(unit.kind, unit.kind)
    if unit.kind == "so":
        return "Sở Giáo dục và Đào tạo"
    if unit.kind == "portal":
        return "Cổng thông tin"
    level = ", ".join(LEVELS.get(lv, lv) for lv in unit.school_levels)
    return f"{kind} · {level}" if level else kind


def render_network_index(network: Network, local: set[str]) -> str:
    """The network's home page: every unit, nested as the network is, with a link to its site.

    Vietnamese, one small inline stylesheet, no script, no external request; units published
    elsewhere (their own domain) link to their ``site_url``.
    """
    settings = network.settings
    roots = [u for u in network if u.parent is None]
    title = str(settings.get("name") or (roots[0].name if roots else "Mạng website giáo dục"))
    colour = str(settings.get("primary") or "")
    colour = colour if _COLOUR.match(colour) else "#0b4f8a"
    total = len(network.units)

    def order(u: Unit) -> tuple[int, str, str]:
        return (0 if u.is_portal else 1, fold(u.name), u.id)

    def item(unit: Unit, depth: int) -> list[str]:
        href = f"{unit.id}/" if unit.id in local else unit.site_url
        pad = "  " * depth
        head = (
            f'{pad}<li><a href="{html.escape(href)}">{html.escape(unit.name)}</a>'
            f' <span class="k">{html.escape(_label(unit))}</span>'
        )
        children = sorted(network.children(unit.id), key=order)
        if not children:
            return [head + "</li>"]
        lines = [head, f"{pad}  <ul>"]
        for child in children:
            lines += item(child, depth + 2)
        return [*lines, f"{pad}  </ul>", f"{pad}</li>"]

    body: list[str] = []
    for root in sorted(roots, key=order):
        body += item(root, 2)
    esc_title = html.escape(title)
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc_title} – Danh sách trang thông tin điện tử</title>
<meta name="description" content="Danh sách {total} trang thông tin điện tử của {esc_title}.">
<style>
body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}}
header{{background:{colour};color:#fff;padding:1.25rem 1rem}}
header h1{{margin:0;font-size:1.5rem}}
header p{{margin:.25rem 0 0}}
main{{max-width:60rem;margin:0 auto;padding:1rem}}
a{{color:{colour}}}
a:focus{{outline:3px solid #b3261e;outline-offset:2px}}
ul{{list-style:none;padding-left:1.25rem;margin:.25rem 0}}
main>nav>ul{{padding-left:0}}
li{{margin:.25rem 0}}
.k{{color:#555;font-size:.875rem}}
.skip{{position:absolute;left:-999px}}
.skip:focus{{left:1rem;top:1rem;background:#fff;color:#1a1a1a;padding:.5rem}}
footer{{max-width:60rem;margin:0 auto;padding:1rem;border-top:1px solid #ddd;font-size:.875rem}}
</style>
</head>
<body>
<a class="skip" href="#ds">Bỏ qua, đến danh sách đơn vị</a>
<header>
<h1>{esc_title}</h1>
<p>Danh sách {total} trang thông tin điện tử trong mạng</p>
</header>
<main id="ds">
<nav aria-label="Danh sách đơn vị">
<ul>
{chr(10).join(body)}
</ul>
</nav>
</main>
<footer><p><a href="sitemap.xml">Sơ đồ trang (sitemap.xml)</a></p></footer>
</body>
</html>
"""
