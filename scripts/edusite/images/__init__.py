"""Photos and attachments: a Pillow image pipeline that makes pages light and protects privacy.

Pure modules (no MkDocs):

* :mod:`.settings` - processing settings and their cache fingerprint;
* :mod:`.process` - checking and rendering one image with Pillow (orientation, metadata,
  colour modes, sizes, crops, WebP and JPEG/PNG);
* :mod:`.cache` - the on-disk cache of rendered variants, keyed by content and settings;
* :mod:`.pipeline` - every image of a site: naming, cache look-ups, parallel processing;
* :mod:`.roles` - which variants each image needs (covers, album photos);
* :mod:`.markup` - rewriting ``<img>`` tags into ``<picture>``/``srcset`` markup;
* :mod:`.feeds` - pointing RSS/Atom enclosures and content at published files;
* :mod:`.srcset` - which candidate a browser picks (tests, benchmark);
* :mod:`.albums`, :mod:`.gallery_assets` - photo albums ("Thư viện ảnh") and their lightbox;
* :mod:`.attachments`, :mod:`.slugs` - URL-safe names and "(PDF, 245 KB)" link labels.

:mod:`.plugin` is the thin MkDocs glue (``plugins: edusite-images:``).
"""
