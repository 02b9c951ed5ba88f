"""What stops untrusted input (unit editors' content and config, member feeds, remote servers).

The trust model is written down in ``docs/security.md``. Each module here enforces one rule and
is used by every feature that needs it, so a rule is never re-implemented with a gap:

* :mod:`.urls` — every URL that comes from content, a unit's config or a feed: parsed, limited
  to ``http``/``https`` (``mailto``/``tel`` where meaningful), re-serialised percent-encoded.
* :mod:`.markup` — post and page bodies through an nh3 allow-list (embeds click-to-load), and
  plain-text fields with every tag and escape removed.
* :mod:`.confine` — nothing outside a unit's content folder is read or published (symlinks,
  ``image:``/attachment paths), and only allowed file types, whose bytes match their extension.
* :mod:`.csp` — the Content-Security-Policy and referrer policy every page carries.

Everything here is pure Python, independent of MkDocs.
"""
