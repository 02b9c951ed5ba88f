"""The build machinery: many unit sites in warm worker processes, children before parents,
incrementally and atomically (``builder.py``, ``worker.py``, ``cache.py``, ``speedups.py``).
It knows no feature: features declare what they depend on in :mod:`edusite.extensions`."""
