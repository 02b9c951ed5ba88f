"""The web editor's network settings (``extra.network.cms`` in the base ``mkdocs.yml``) and a
unit's editors (``extra.unit.editors``): plain data, validated, bilingual problems.

```yaml
extra:
  network:
    cms:
      admins: ["@so-gddt/quan-tri-mang"]    # may change everything (CODEOWNERS, edusite guard)
      backend:                               # absent: no admin page is published
        name: gitlab                         # github | gitlab | gitea | forgejo
        repo: so-gddt/website
        branch: main
        base_url: https://git.lamgiang.edu.vn
        api_root: https://git.lamgiang.edu.vn/api/v4
        auth_type: pkce
        app_id: 0123abcd…
      publish_mode: editorial_workflow       # or simple (commits straight to the branch)
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem, problem
from ..security.urls import WEB, safe_url
from ..structure.network import EDITOR_RE, Unit

BACKENDS = ("github", "gitlab", "gitea", "forgejo")
#: Backend keys passed to the CMS as they are (anything else is refused: it is the base config,
#: trusted, but a typo should be named, not ignored).
BACKEND_KEYS = (
    "name",
    "repo",
    "branch",
    "base_url",
    "api_root",
    "auth_type",
    "app_id",
    "auth_endpoint",
    "site_domain",
    "cms_label_prefix",
    "squash_merges",
    "use_graphql",
)
#: Default API and sign-in hosts of each backend (for the admin page's Content-Security-Policy).
DEFAULT_API = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com/api/v4",
    "gitea": "https://try.gitea.io/api/v1",
    "forgejo": "https://codeberg.org/api/v1",
}
#: Where each backend's avatars come from besides the API host (shown in the editor's header).
AVATAR_HOSTS = {
    "github": ("https://avatars.githubusercontent.com",),
    "gitlab": ("https://secure.gravatar.com",),
    "gitea": (),
    "forgejo": (),
}
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+){1,4}$")


@dataclass(frozen=True)
class CmsSettings:
    """What the base config says about the web editor."""

    backend: Mapping[str, Any] | None = None  # None: no published admin page
    admins: tuple[str, ...] = ()
    publish_mode: str = "editorial_workflow"
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def enabled(self) -> bool:
        return self.backend is not None

    def origins(self) -> tuple[str, ...]:
        """Every origin the editor talks to for this backend: API, sign-in server, avatars."""
        if not self.backend:
            return ()
        name = self.backend["name"]
        found = [DEFAULT_API[name]] if "api_root" not in self.backend else []
        for key in ("api_root", "base_url"):
            value = self.backend.get(key)
            if isinstance(value, str):
                found.append(value)
        found += AVATAR_HOSTS[name]
        out: list[str] = []
        for url in found:
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in out:
                out.append(origin)
        return tuple(out)


def account(value: str) -> str:
    """``hoa.nguyen`` or ``@hoa.nguyen`` → ``@hoa.nguyen`` (how CODEOWNERS writes it)."""
    value = value.strip()
    return value if value.startswith("@") else f"@{value}"


def unit_editors(unit: Unit) -> tuple[str, ...]:
    """The unit's ``extra.unit.editors`` (validated by the network), as ``@accounts``."""
    raw = unit.raw.get("editors") if isinstance(unit.raw, dict) else None
    if not isinstance(raw, list):
        return ()
    return tuple(dict.fromkeys(account(e) for e in raw if isinstance(e, str) and e.strip()))


def load_settings(settings: Mapping[str, Any], file: str | Path = "mkdocs.yml") -> CmsSettings:
    """``extra.network.cms`` of the base config (``settings`` = ``extra.network``)."""
    raw = settings.get("cms")
    found: list[Problem] = []

    def err(key: str, vi: str, en: str) -> None:
        found.append(problem(file, f"extra.network.cms.{key}", vi, en))

    if raw is None:
        return CmsSettings()
    if not isinstance(raw, dict):
        err("", "phải là một bảng", "must be a mapping")
        return CmsSettings(problems=tuple(found))
    admins: list[str] = []
    value = raw.get("admins", [])
    if not isinstance(value, list):
        err("admins", "cần danh sách tài khoản", "expected a list of accounts")
    else:
        for i, a in enumerate(value):
            if isinstance(a, str) and EDITOR_RE.match(a.strip()):
                admins.append(account(a))
            else:
                err(f"admins[{i}]", "không phải tài khoản hay nhóm", "not an account or team")
    mode = raw.get("publish_mode", "editorial_workflow")
    if mode not in ("editorial_workflow", "simple"):
        err(
            "publish_mode",
            "cần editorial_workflow hoặc simple",
            "expected editorial_workflow or simple",
        )
        mode = "editorial_workflow"
    backend = raw.get("backend")
    clean: dict[str, Any] | None = None
    if backend is not None:
        if not isinstance(backend, dict):
            err("backend", "phải là một bảng", "must be a mapping")
        else:
            clean = {}
            for key, v in backend.items():
                if key not in BACKEND_KEYS:
                    err(
                        f"backend.{key}",
                        f"khóa không hỗ trợ; dùng: {', '.join(BACKEND_KEYS)}",
                        f"unknown key; expected: {', '.join(BACKEND_KEYS)}",
                    )
                elif key in ("base_url", "api_root"):
                    # The address as checked (safe_url's form), not as written.
                    url = safe_url(v, schemes=WEB, relative=False)
                    if url is None:
                        err(
                            f"backend.{key}",
                            "cần địa chỉ https:// hợp lệ",
                            "expected a valid https:// address",
                        )
                    else:
                        clean[key] = url
                else:
                    clean[key] = v
            if clean.get("name") not in BACKENDS:
                err(
                    "backend.name",
                    f"cần một trong: {', '.join(BACKENDS)}",
                    f"expected one of: {', '.join(BACKENDS)}",
                )
                clean = None
            elif not isinstance(clean.get("repo"), str) or not _REPO_RE.match(clean["repo"]):
                err(
                    "backend.repo",
                    "cần kho dạng to-chuc/ten-kho",
                    "expected a repository as owner/name",
                )
                clean = None
            elif clean.get("auth_type") == "pkce" and not clean.get("app_id"):
                err(
                    "backend.app_id",
                    "đăng nhập PKCE cần app_id của ứng dụng OAuth",
                    "PKCE sign-in needs the OAuth application's app_id",
                )
                clean = None
    if found:
        clean = None
    return CmsSettings(
        backend=clean, admins=tuple(dict.fromkeys(admins)), publish_mode=mode, problems=tuple(found)
    )
