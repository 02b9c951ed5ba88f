"""The results page's markup (``tim-kiem/``): a form, filters, a live status, the result list."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ..structure.network import Unit
from .index import DIR, KIND_NAMES

PAGE_SRC = "tim-kiem/index.md"
PAGE_TITLE = "Tìm kiếm"
JS_PATH = "assets/edusite-search.js"
CSS_PATH = "assets/edusite-search.css"


def render(unit: Unit, *, portal: bool, link: Callable[[str], str]) -> str:
    """The search UI; ``link`` makes a site-relative path relative to the page."""
    scope = "toàn mạng lưới" if portal else "trên trang"
    unit_filter = ""
    if portal:
        unit_filter = (
            '<p class="es-sr-unit"><label for="es-sr-unit">Đơn vị</label> '
            '<select id="es-sr-unit" name="unit"><option value="">Tất cả đơn vị</option>'
            "</select></p>"
        )
    kinds = "".join(
        f'<label class="es-sr-kind"><input type="checkbox" name="kind" value="{k}" checked> '
        f"{escape(name)}</label>"
        for k, name in KIND_NAMES.items()
    )
    return (
        f'<link rel="stylesheet" href="{escape(link(CSS_PATH))}">'
        f'<div class="es-sr" data-index="{escape(link(DIR + "/"))}" '
        f'data-root="{escape(link(""))}">'
        f'<form class="es-sr-form" role="search" aria-label="Tìm kiếm và lọc kết quả" action="{escape(link("tim-kiem/"))}" method="get">'
        f'<p class="es-sr-q"><label for="es-sr-q">Từ khóa tìm kiếm {scope}</label> '
        '<span class="es-sr-row"><input id="es-sr-q" type="search" name="q" autocomplete="off" '
        'spellcheck="false"> <button type="submit">Tìm</button></span></p>'
        f"{unit_filter}"
        f'<fieldset class="es-sr-kinds"><legend>Loại nội dung</legend>{kinds}</fieldset>'
        "</form>"
        '<p class="es-sr-status" id="es-sr-status" role="status" aria-live="polite"></p>'
        '<ol class="es-sr-list" id="es-sr-list" aria-labelledby="es-sr-status"></ol>'
        '<p class="es-sr-more" hidden><button type="button" id="es-sr-more">Xem thêm kết quả</button></p>'
        "<noscript><p>Tìm kiếm cần JavaScript. Bạn vẫn có thể xem mọi bài qua mục "
        f'<a href="{escape(link("tin-tuc/"))}">Tin tức</a>.</p></noscript>'
        "</div>"
        f'<script src="{escape(link(JS_PATH))}" defer></script>'
    )
