"""``edusite new post ID "Tiêu đề"``: write a correctly named post bundle.

``edusite new disclosure ID SECTION [--year 2026-2027]``: write a 3 công khai section page with
every required item as a heading to fill in (:func:`edusite.disclosure.section_page`).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from .common import load_network, root_option


def new_post_path(docs_dir: Path, title: str, when) -> Path:  # noqa: ANN001 - datetime
    """``<docs>/tin-tuc/<yyyy>/<yyyy-mm-dd>-<slug>/index.md`` for ``title`` on ``when``."""
    from ..text import slugify

    return (
        docs_dir
        / "tin-tuc"
        / f"{when:%Y}"
        / f"{when:%Y-%m-%d}-{slugify(title, max_length=60)}"
        / "index.md"
    )


def post_template(title: str, when, unit_id: str) -> str:  # noqa: ANN001 - datetime
    """Front matter and a short body guide for a new post."""
    import yaml

    meta = {
        "title": title,
        "date": when.strftime("%Y-%m-%d %H:%M"),
        "summary": "",
        "categories": ["tin-tuc-su-kien"],
        "author": "",
        "group": "",
        "featured": False,
        "draft": True,
        "id": f"{unit_id}-{when:%Y%m%d}-{uuid.uuid4().hex[:8]}",
    }
    fm = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return (
        f"---\n{fm}---\n\n"
        "<!-- Viết nội dung bài ở đây. Ảnh: đặt tệp ảnh vào cùng thư mục, thêm image: và image_alt: ở trên.\n"
        "     Bỏ draft: true (hoặc đặt false) khi bài đã được duyệt. -->\n\n"
    )


@click.group("new")
def command() -> None:
    """Tạo nội dung mới / create new content."""


@command.command("post")
@click.argument("unit_id")
@click.argument("title")
@root_option
@click.option(
    "--date",
    "date_text",
    default=None,
    help="yyyy-mm-dd [HH:MM]; mặc định: bây giờ / default: now.",
)
def new_post(unit_id: str, title: str, root: Path, date_text: str | None) -> None:
    """Viết một bài tin mới / write a new news post bundle for UNIT_ID."""
    from ..text import nfc, now, parse_datetime

    network = load_network(root, [unit_id])
    unit = network[unit_id]
    try:
        when = parse_datetime(date_text) if date_text else now().replace(second=0, microsecond=0)
    except ValueError:
        raise click.BadParameter(
            f"ngày '{date_text}' không hợp lệ; cần yyyy-mm-dd [HH:MM] hoặc dd/mm/yyyy"
            f" / invalid date '{date_text}'; expected yyyy-mm-dd [HH:MM] or dd/mm/yyyy",
            param_hint="--date",
        ) from None
    title = nfc(title).strip()
    docs = network.content_dir(unit)
    path = new_post_path(docs, title, when)
    if path.exists():
        click.echo(f"Đã có bài này / already exists: {path}", err=True)
        sys.exit(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(post_template(title, when, unit_id), encoding="utf-8")
    click.echo(str(path))


@command.command("disclosure")
@click.argument("unit_id")
@click.argument("section")
@root_option
@click.option(
    "--year",
    "year_text",
    default=None,
    metavar="2026-2027",
    help="Năm học; mặc định: năm học sắp đến hạn công khai / school year (default: the one due next).",
)
def new_disclosure(unit_id: str, section: str, root: Path, year_text: str | None) -> None:
    """Viết trang mục công khai có sẵn các nội dung bắt buộc / write a disclosure section page
    with every required item of SECTION as a heading to fill in (for UNIT_ID's levels)."""
    from ..disclosure import get_rules, index_page, section_page
    from ..disclosure.dates import parse_school_year
    from ..errors import EdusiteError
    from ..text import now

    network = load_network(root, [unit_id])
    unit = network[unit_id]
    if unit.is_portal:
        raise click.BadParameter(
            f"'{unit_id}' là cổng thông tin, không phải trường / is a portal, not a school",
            param_hint="UNIT_ID",
        )
    year = None
    if year_text is not None:
        try:
            year = parse_school_year(year_text)
        except ValueError:
            raise click.BadParameter(
                f"năm học '{year_text}' không hợp lệ; cần dạng 2026-2027"
                f" / invalid school year '{year_text}'; expected e.g. 2026-2027",
                param_hint="--year",
            ) from None
    docs = network.content_dir(unit)
    try:
        rules = get_rules(network.root, network.settings)
        page = section_page(unit, docs, section, rules, year=year, today=now().date())
    except EdusiteError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if page.path.exists():
        click.echo(f"Đã có trang này / already exists: {page.path}", err=True)
        sys.exit(1)
    for new in (index_page(docs), page):
        if new is None:
            continue
        new.path.parent.mkdir(parents=True, exist_ok=True)
        new.path.write_text(new.text, encoding="utf-8")
        click.echo(str(new.path))
