"""Official documents (văn bản): model, validation, list pages, feed and the MkDocs plugin.

Pure modules (``model``, ``load``, ``pages``, ``render``, ``feed``, ``site``) know nothing of
MkDocs; ``plugin`` is the thin MkDocs glue (entry point ``edusite-documents``).
"""

from .model import LAW_RE, SO_HIEU_RE, load_types
from .render import CSS_PATH

__all__ = ["CSS_PATH", "LAW_RE", "SO_HIEU_RE", "load_types"]
