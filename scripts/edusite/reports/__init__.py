"""Communication reports: counting what units published and checking quotas.

``periods`` (months, quarters, school years, weeks by their Thursday), ``collect`` (posts via
the one Post model, photos, videos, albums), ``quotas`` (rules as data and their evaluation),
``report`` (the per-unit counts), ``output`` (terminal, CSV with BOM, XLSX), ``chart`` (SVG bars)
and ``page`` (the portals' ``bao-cao/`` page). Used by ``edusite report`` and the
``edusite-documents`` plugin.
"""

from .page import ReportPage, portal_report, render_page, valid_until

__all__ = ["ReportPage", "portal_report", "render_page", "valid_until"]
