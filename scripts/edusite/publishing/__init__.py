"""Getting built sites out: ``publish.py`` (targets, the gate, git/ghp-import), ``shard.py``
(CI shards and their merge), ``sitemaps.py`` (per-site and network sitemaps, robots.txt)."""
