"""Vietnamese-aware static search: build-time chunked index, tiny self-hosted script.

See ``docs/search.md``. :func:`cache_inputs` tells the build cache which members' index files a
portal's search depends on (no MkDocs import needed).
"""

from __future__ import annotations

from .index import cache_inputs

__all__ = ["cache_inputs"]
