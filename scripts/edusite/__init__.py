"""edusite: build a whole Vietnamese education website network from Markdown.

The package holds all logic; MkDocs only calls thin hooks in :mod:`edusite.core.plugin`.
"""

__version__ = "0.1.0"
