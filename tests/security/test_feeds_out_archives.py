"""Feeds out: every document our feed writer makes from hostile posts, RFC 5005 archives and
category feeds included (the hostile network's school has too few posts for archives, so
tests/security/test_outputs.py never sees one). Rules: each document obeys the oracle
(tests/security/hostile.py: well-formed, no DTD, text fields without markup, HTML fields
without active content, http(s) links that break out of nothing); hostile text is escaped,
not lost; every Atom id is a ``tag:`` URI within RFC 4151's grammar."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import defusedxml.ElementTree as DET
from edusite.core.feeds import FeedSettings, tag_uri, write_feeds
from edusite.security.markup import sanitize_body
from edusite.structure.posts import Post, load_post
from hostile import CONFIG_TEXT, PAYLOADS, front, xml_problems

SITE = "https://truong.example.vn/th-kim-dong/"
CATEGORIES = {"thong-bao": f"Thông báo {CONFIG_TEXT}", "tin-tuc-su-kien": f"Sự kiện {CONFIG_TEXT}"}
#: RFC 4151: tag:<authority>,<date>:<specific>, the specific part RFC 3986 pchar, "/" and "?".
TAG_RE = re.compile(
    r"tag:[a-z0-9.-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-F]{2})*"
)
ATOM = "{http://www.w3.org/2005/Atom}"


def hostile_posts(root: Path, count: int) -> list[Post]:
    """``count`` posts written by a hostile editor, read by the real loader (as a build does),
    with the body the real sanitiser leaves of every payload."""
    body = sanitize_body("\n".join(f"<p>{p}</p>" for p in PAYLOADS))
    posts = []
    for n in range(count):
        folder = root / f"tin-tuc/2026/2026-11-{n + 1:02d}-bai-{n}"
        folder.mkdir(parents=True)
        (folder / "anh.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        meta = {
            "title": f"{PAYLOADS[n % len(PAYLOADS)]} Bài {n} {CONFIG_TEXT}",
            "date": f"2026-11-{n + 1:02d} 08:00",
            "summary": f"Tóm tắt {PAYLOADS[(n + 1) % len(PAYLOADS)]} {CONFIG_TEXT}",
            "author": f"Tác giả {PAYLOADS[(n + 2) % len(PAYLOADS)]}",
            "image": "anh.jpg",
            "image_alt": f'Ảnh "{n}" {PAYLOADS[1]}',
            "categories": ["thong-bao"] if n % 2 else ["tin-tuc-su-kien", "thong-bao"],
            "featured": n % 3 == 0,
        }
        (folder / "index.md").write_text(front(meta) + "Nội dung.\n", encoding="utf-8")
        post, problems = load_post(
            folder / "index.md",
            str((folder / "index.md").relative_to(root)),
            unit_id="th-kim-dong",
            categories=CATEGORIES,
        )
        if post is not None:  # else refused (a title that is all markup): also the rule
            posts.append(replace(post, content_html=body))
    assert len(posts) >= count - 2
    return sorted(posts, key=Post.sort_key)


def test_every_document_archives_included_obeys_the_rules(tmp_path: Path) -> None:
    posts = hostile_posts(tmp_path / "docs", 12)
    out = tmp_path / "site"
    written = write_feeds(
        out,
        posts,
        site_url=SITE,
        site_name=f"Trường Kim Đồng {CONFIG_TEXT}",
        description=f"Mô tả {CONFIG_TEXT}",
        categories=CATEGORIES,
        settings=FeedSettings(items=2, full_content=True),
        unit_id="th-kim-dong",
    )
    archives = [w for w in written if "-archive/" in w]
    assert (
        "feed-archive/1.xml" in archives
        and "tin-tuc/chuyen-muc/thong-bao/atom-archive/2.xml" in archives
    )
    found = {rel: xml_problems((out / rel).read_bytes()) for rel in written}
    assert {rel: p for rel, p in found.items() if p} == {}
    # Escaped, not lost: the site's name comes back exactly, in every archive's title too.
    for rel in archives:
        root = DET.fromstring((out / rel).read_bytes(), forbid_dtd=True)
        title = root.findtext("channel/title") or root.findtext(f"{ATOM}title") or ""
        assert f"Trường Kim Đồng {CONFIG_TEXT}" in title, (rel, title)
        if root.tag == f"{ATOM}feed":
            ids = [root.findtext(f"{ATOM}id")] + [
                e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")
            ]
            assert ids and all(i and TAG_RE.fullmatch(i) for i in ids), ids


def test_tag_ids_stay_in_the_grammar_whatever_the_key() -> None:
    """``tag:`` ids are built from the unit id and a post or document key: whatever those hold
    (the writer's callers validate them, but the writer is the one that must not break a
    reader), the id is one URI in RFC 4151's grammar."""
    for value in [*PAYLOADS, CONFIG_TEXT, "a b/c#d?e", "ngữ văn", "\u202e\x00"]:
        tag = tag_uri("truong.example.vn,2026-01-01", value, value)
        assert TAG_RE.fullmatch(tag), tag
