"""``python -m edusite``."""

from edusite.cli import main

main()
