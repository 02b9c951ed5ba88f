"""``edusite new post ID "Tiêu đề"``: write a correctly named post bundle."""

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
