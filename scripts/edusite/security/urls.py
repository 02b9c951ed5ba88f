"""URLs from untrusted places: parsed, scheme-limited and re-serialised percent-encoded.

One implementation for every URL that comes from content, a unit's config or a member's feed.
A URL that passes :func:`safe_url` is ASCII and contains none of ``"'<> ``, a backtick, a
backslash or a control character, so it stays harmless even where an output forgot to escape
it (templates escape it anyway): it can end no HTML or XML attribute, JSON string or CSS
``url()``.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import idna  # IDNA 2008 with UTS #46 mapping (Vietnamese domain names)

#: Schemes a link may use on a page; media (images, feeds, embeds) only ``WEB``.
WEB = frozenset({"http", "https"})
LINK = frozenset({"http", "https", "mailto", "tel"})
#: Longest URL kept (browsers and feed readers cut between 2,000 and 8,000).
MAX_URL = 8_192

#: Bidi embeddings/overrides/isolates and marks, zero-width characters, BOM: invisible, and able
#: to make text or a link read differently from what it is ("Trojan Source").
INVISIBLE = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
#: What URLs lose: every control character (tabs and newlines included, as browsers do) and
#: every invisible character.
_URL_JUNK_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{INVISIBLE}]")
#: A host name after IDNA: letters, digits, hyphens, dots (underscores exist in the wild).
_HOST_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_.])?")
#: Every character a kept URL may contain: nothing that can end or break an HTML attribute
#: (no quotes, angle brackets, backtick, space, backslash, braces, pipe or caret), ASCII only.
_SAFE_URL_RE = re.compile(r"[A-Za-z0-9\-._~!$&()*+,;=:@/?#%\[\]]+")
_STRAY_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PATH_SAFE = "/:@!$&()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$&()*+,;=-._~%"
_OPAQUE_SAFE = ":@!$&()*+,;=-._~%/?"
_TEL_RE = re.compile(r"^\+?[0-9().\- ]{2,40}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def safe_url(
    value: object,
    base: str = "",
    schemes: frozenset[str] = LINK,
    *,
    relative: bool = False,
) -> str | None:
    """``value`` as a harmless URL (made absolute against ``base``), or ``None``.

    * Absolute URLs must use one of ``schemes``. ``http``/``https`` ones need a host and may not
      carry a user name or password (``https://school.edu.vn@evil.example/``); the host is
      lower-cased and IDNA-encoded (an IPv6 literal re-written compressed), a default port
      dropped. ``mailto:``/``tel:`` keep their form, percent-encoded.
    * A relative URL is resolved against ``base`` when ``base`` is itself an acceptable
      ``http(s)`` URL; without one it is kept as a site-relative URL (``../x/``, ``/a``,
      ``#id``) when ``relative`` is true, refused otherwise.
    * Control, bidi and zero-width characters are removed everywhere; the path, query and
      fragment are percent-encoded (quotes, ``<``, ``>``, backtick, space, backslash and every
      non-ASCII character), existing ``%XX`` escapes kept, a stray ``%`` encoded. URLs longer
      than :data:`MAX_URL` are refused.
    """
    if not isinstance(value, str):
        return None
    return _safe_url(value, str(base), frozenset(schemes), relative)


@lru_cache(maxsize=4096)
def _safe_url(value: str, base: str, schemes: frozenset[str], relative: bool) -> str | None:
    value = _URL_JUNK_RE.sub("", value).strip(" ")
    if not value or len(value) > MAX_URL:
        return None
    try:
        parts = urlsplit(value)
        if not parts.scheme:
            absolute_base = _safe_url(base, "", WEB, False) if base else None
            if absolute_base is not None:
                parts = urlsplit(urljoin(absolute_base, value))
            elif value.startswith("//"):  # another host, whatever the page's scheme
                parts = urlsplit("https:" + value)
            elif relative:
                return _relative(value)
            else:
                return None
        scheme = parts.scheme.lower()
        if scheme not in schemes:
            return None
        web = scheme in ("http", "https")
        out = _web_url(scheme, parts) if web else _opaque_url(scheme, parts)
    except (ValueError, UnicodeError, idna.IDNAError):
        return None
    if out is None or len(out) > MAX_URL or not _SAFE_URL_RE.fullmatch(out):
        return None
    return out


def _quote(text: str, safe: str) -> str:
    return quote(_STRAY_PERCENT_RE.sub("%25", text), safe=safe)


def _relative(text: str) -> str | None:
    """A site-relative URL (``../x/``, ``/a/b``, ``?q``, ``#id``), percent-encoded."""
    if _SCHEME_RE.match(text):  # "a:b" reads as a scheme
        return None
    path, _, fragment = text.partition("#")
    path, _, query = path.partition("?")
    out = _quote(path, _PATH_SAFE)
    if query:
        out += "?" + _quote(query, _QUERY_SAFE)
    if fragment or text.endswith("#"):
        out += "#" + _quote(fragment, _QUERY_SAFE)
    if not out or _SCHEME_RE.match(out) or not _SAFE_URL_RE.fullmatch(out):
        return None
    return out


def _web_url(scheme: str, parts) -> str | None:  # parts: urllib.parse.SplitResult
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname or ""
    port = parts.port  # raises ValueError when not a number in range
    if not host:
        return None
    if ":" in host:  # an IPv6 literal (urlsplit removed the brackets)
        netloc = f"[{ipaddress.IPv6Address(host).compressed}]"
    else:
        if not host.isascii():
            host = idna.encode(host, uts46=True).decode("ascii")
        host = host.lower()
        if not _HOST_RE.fullmatch(host):
            return None
        netloc = host
    if port is not None and port != (80 if scheme == "http" else 443):
        netloc = f"{netloc}:{port}"
    return urlunsplit(
        (
            scheme,
            netloc,
            _quote(parts.path, _PATH_SAFE),
            _quote(parts.query, _QUERY_SAFE),
            _quote(parts.fragment, _QUERY_SAFE),
        )
    )


def _opaque_url(scheme: str, parts) -> str | None:  # mailto:, tel:
    if parts.netloc or not parts.path:
        return None
    out = f"{scheme}:{_quote(parts.path, _OPAQUE_SAFE)}"
    if parts.query:
        out += f"?{_quote(parts.query, _QUERY_SAFE)}"
    return out


def is_email(value: str) -> bool:
    """True for one plain e-mail address (what ``mailto:`` links are made of)."""
    return bool(_EMAIL_RE.match(value))


def is_phone(value: str) -> bool:
    """True for a phone number as people write it (digits, spaces, ``+ . - ( )``)."""
    return bool(_TEL_RE.match(value))
