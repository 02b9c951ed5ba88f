"""URLs from untrusted places: parsed, scheme-limited and re-serialised percent-encoded.

A URL that passes :func:`safe_url` contains only characters that can never end an HTML
attribute, an XML attribute, a JSON string or a CSS ``url()`` (no quotes, angle brackets,
backslashes, spaces, backticks or control characters), so it stays harmless even where an
output forgot to escape it. Templates escape it anyway.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

#: Schemes a link may use on a page; media (images, feeds, embeds) only ``WEB``.
WEB = frozenset({"http", "https"})
LINK = frozenset({"http", "https", "mailto", "tel"})

#: Longest URL kept (browsers and feed readers cut near 2,000 to 8,000).
MAX_URL = 2048

_CONTROL_RE = re.compile(
    r"[\x00-\x1f\x7f\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
#: Characters kept as they are in each part (everything else is percent-encoded; existing
#: ``%xx`` escapes are kept, a stray ``%`` is encoded).
_PATH_SAFE = "/:@!$&*+,;=~-._%"
_QUERY_SAFE = "/:@!$&*+,;=~-._?%"
_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_RE = re.compile(r"^[a-z0-9.-]+$")
_TEL_RE = re.compile(r"^\+?[0-9().\- ]{2,40}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def _encode(part: str, safe: str) -> str:
    return quote(_PCT_RE.sub("%25", part), safe=safe)


def _host(hostname: str) -> str | None:
    """The host in ASCII (IDNA for Vietnamese domain names), or ``None`` if it is not one."""
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return ascii_host if ascii_host and _HOST_RE.match(ascii_host) else None


def safe_url(
    value: object,
    *,
    base: str = "",
    schemes: frozenset[str] = LINK,
    relative: bool = True,
) -> str | None:
    """``value`` as a harmless URL, or ``None`` when it cannot be one.

    * Absolute URLs must use one of ``schemes``; ``http(s)`` ones need a host and may not carry
      a user name or password (``https://bank@evil/`` tricks readers).
    * Relative URLs are resolved against ``base`` when one is given; without a base they are
      kept (site-relative links) when ``relative`` is true, refused otherwise.
    * ``mailto:`` must hold one e-mail address, ``tel:`` a phone number.
    * The result is percent-encoded (``"``, ``<``, ``>``, ``'``, spaces, backslashes, non-ASCII
      path characters …) with an IDNA host, and at most :data:`MAX_URL` characters.
    """
    if not isinstance(value, str):
        return None
    text = _CONTROL_RE.sub("", value).strip()
    if not text or len(text) > MAX_URL * 2:
        return None
    text = text.replace("\\", "/")  # browsers read a backslash as a slash in http(s) URLs
    m = _SCHEME_RE.match(text)
    if not m:
        if text.startswith("//"):  # protocol-relative: another host, whatever the page's scheme
            text = "https:" + text
        elif base:
            text = urljoin(base, text)
        elif not relative:
            return None
        m = _SCHEME_RE.match(text)
    if m is None:
        return _relative(text)
    scheme = m.group(1).lower()
    if scheme not in schemes:
        return None
    if scheme == "mailto":
        address = text[len("mailto:") :].split("?", 1)[0]
        return f"mailto:{address}" if _EMAIL_RE.match(address) else None
    if scheme == "tel":
        number = text[len("tel:") :]
        return "tel:" + re.sub(r"[^0-9+]", "", number) if _TEL_RE.match(number) else None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # an unbalanced IPv6 bracket, a port that is not a number
        return None
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return None
    host = _host(parts.hostname)
    if host is None:
        return None
    netloc = host if port is None else f"{host}:{port}"
    out = urlunsplit(
        (
            scheme,
            netloc,
            _encode(parts.path, _PATH_SAFE) or "/",
            _encode(parts.query, _QUERY_SAFE),
            _encode(parts.fragment, _QUERY_SAFE),
        )
    )
    return out if len(out) <= MAX_URL else None


def _relative(text: str) -> str | None:
    """A site-relative URL (``../x/``, ``/a/b``, ``?q``, ``#id``), percent-encoded."""
    path, _, fragment = text.partition("#")
    path, _, query = path.partition("?")
    if ":" in path.split("/", 1)[0]:  # "a:b/…" would read as a scheme in some places
        return None
    out = _encode(path, _PATH_SAFE)
    if query:
        out += "?" + _encode(query, _QUERY_SAFE)
    if fragment or text.endswith("#"):
        out += "#" + _encode(fragment, _QUERY_SAFE)
    return out if out and len(out) <= MAX_URL else None


def is_email(value: str) -> bool:
    """True for one plain e-mail address (what ``mailto:`` links are made of)."""
    return bool(_EMAIL_RE.match(value))


def is_phone(value: str) -> bool:
    """True for a phone number as people write it (digits, spaces, ``+ . - ( )``)."""
    return bool(_TEL_RE.match(value))
