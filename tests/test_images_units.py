"""The pure modules of the image pipeline, without MkDocs: Pillow rendering, errors, cache,
HTML rewriting, srcset choice, attachment names and labels."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from edusite.errors import EdusiteError
from edusite.images.attachments import Attachment, label_links, plan_names
from edusite.images.cache import ImageCache
from edusite.images.feeds import rewrite_feed
from edusite.images.markup import (
    Match,
    Options,
    Resolver,
    rewrite_body,
    rewrite_page,
    site_path,
)
from edusite.images.pipeline import STATS, process_images
from edusite.images.process import base_widths, check, crop_box, render
from edusite.images.roles import cover_refs
from edusite.images.settings import Settings
from edusite.images.slugs import safe_path
from edusite.images.srcset import pick_candidate
from edusite.text import human_size
from PIL import Image, ImageCms
from test_images import FAKE_HEIC, alpha_png, photo_jpeg, png_header_bomb, rotated_gps_jpeg

S = Settings()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


# -- rendering --------------------------------------------------------------------------------


def test_widths_are_never_upscaled() -> None:
    assert base_widths(4000, (480, 960, 1600)) == [480, 960, 1600]
    assert base_widths(1200, (480, 960, 1600)) == [480, 960, 1200]
    assert base_widths(1600, (480, 960, 1600)) == [480, 960, 1600]
    assert base_widths(300, (480, 960, 1600)) == [300]
    assert crop_box((1000, 1000), (16, 9), (0.5, 0.5)) == (0, 219, 1000, 781)
    assert crop_box((4000, 1000), (16, 9), (0.5, 0.4)) == (1111, 0, 2889, 1000)


def test_rotated_jpeg_is_upright_and_carries_no_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jpg", rotated_gps_jpeg((1200, 800)))
    out = render(path, ["base", "card", "thumb", "og"], S)
    assert (out.width, out.height) == (800, 1200) and out.original == (800, 1200)
    assert {(o.label, o.format) for o in out.outputs} >= {("480", "webp"), ("800", "jpeg")}
    for o in out.outputs:
        img = decode(o.data)
        assert (img.width, img.height) == (o.width, o.height)
        assert not {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(img.info)
        assert b"Exif" not in o.data and b"SecretCam" not in o.data and b"secret" not in o.data
    full = decode(next(o.data for o in out.outputs if o.label == "800" and o.format == "webp"))
    assert full.convert("RGB").getpixel((790, 5))[2] > 180  # blue block now top-right


def test_alpha_png_keeps_transparency_and_og_is_flattened_on_white(tmp_path: Path) -> None:
    path = write(tmp_path, "a.png", alpha_png())
    out = render(path, ["base", "card", "og"], S)
    assert out.alpha
    formats = {o.format for o in out.outputs if o.group != "og"}
    assert formats == {"webp", "png"}
    for o in out.outputs:
        img = decode(o.data)
        if o.group == "base":
            rgba = img.convert("RGBA")
            assert rgba.getpixel((2, 2))[3] == 0  # transparent corner stays transparent
            x = round(600 * o.width / 800)
            assert 100 <= rgba.getpixel((x, o.height // 2))[3] <= 156  # half-transparent strip
    og = decode(next(o.data for o in out.outputs if o.group == "og"))
    assert og.format == "JPEG" and og.mode == "RGB"
    assert min(og.getpixel((2, 2))) > 240  # transparent -> white, not black


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("CMYK", (640, 480), (0, 255, 255, 0)).save(buf, "JPEG")  # pure red in CMYK
    out = render(write(tmp_path, "cmyk.jpg", buf.getvalue()), ["base"], S)
    for o in out.outputs:
        img = decode(o.data)
        assert img.mode == "RGB"
        r, g, b = img.getpixel((10, 10))
        assert r > 200 and g < 60 and b < 60


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    img = Image.new("I;16", (600, 400), 32896)  # mid grey in 16 bits
    img.paste(65535, (0, 0, 100, 400))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert Image.open(io.BytesIO(buf.getvalue())).mode.startswith("I")
    out = render(write(tmp_path, "g16.png", buf.getvalue()), ["base"], S)
    grey = decode(out.outputs[-1].data).convert("L")
    assert 120 <= grey.getpixel((400, 200)) <= 136 and grey.getpixel((10, 200)) >= 250


def test_palette_png_with_transparency(tmp_path: Path) -> None:
    img = Image.new("P", (500, 300), 0)
    img.putpalette([255, 255, 255, 0, 0, 255] + [0] * 762)
    img.paste(1, (100, 100, 400, 200))
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=0)
    out = render(write(tmp_path, "p.png", buf.getvalue()), ["base"], S)
    assert out.alpha
    for o in out.outputs:
        rgba = decode(o.data).convert("RGBA")
        assert rgba.getpixel((5, 5))[3] == 0
        assert rgba.getpixel((250, 150))[2] > 200 and rgba.getpixel((250, 150))[3] == 255


def test_icc_profile_is_applied_then_dropped(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", (500, 300), (10, 120, 200)).save(buf, "JPEG", icc_profile=srgb)
    out = render(write(tmp_path, "icc.jpg", buf.getvalue()), ["base", "og"], S)
    for o in out.outputs:
        assert b"ICC_PROFILE" not in o.data and b"ICCP" not in o.data
        assert "icc_profile" not in decode(o.data).info


def test_animated_gif_keeps_frames_and_drops_comment(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (120, 80), c) for c in ("red", "green", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0,
                   comment=b"gif-secret")  # fmt: skip
    assert b"gif-secret" in buf.getvalue()
    path = write(tmp_path, "anim.gif", buf.getvalue())
    assert check(path, S).animated
    out = render(path, ["base"], S)
    [anim] = out.outputs
    assert anim.label == "anim" and anim.format == "gif" and b"gif-secret" not in anim.data
    assert getattr(decode(anim.data), "n_frames", 1) == 3


# -- errors -----------------------------------------------------------------------------------


def message(exc: pytest.ExceptionInfo[EdusiteError]) -> str:
    return str(exc.value)


def test_truncated_file_names_the_file(tmp_path: Path) -> None:
    data = photo_jpeg((800, 600))
    path = write(tmp_path, "cat.jpg", data[: len(data) // 2])
    with pytest.raises(EdusiteError) as exc:
        check(path, S)
        render(path, ["base"], S)
    assert "cat.jpg" in message(exc) and "bị cắt cụt" in message(exc)
    assert "truncated or corrupt" in message(exc)


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        ((20_000, 20_000), "400 triệu"),
        ((10_000, 10_000), "100 triệu"),
        ((9_000, 8_000), "72 triệu"),
    ],
)  # Pillow's error, Pillow's warning, our own 60 MP limit
def test_bombs_are_refused_before_decoding(tmp_path: Path, size, shown: str) -> None:
    path = write(tmp_path, "bom.png", png_header_bomb(*size))
    start = time.perf_counter()
    with pytest.raises(EdusiteError) as exc:
        check(path, S)
    assert time.perf_counter() - start < 0.5
    assert "bom.png" in message(exc) and shown in message(exc)
    assert "decompression bomb" in message(exc) and "tối đa 60 triệu" in message(exc)


def test_heic_is_unsupported_with_the_fix(tmp_path: Path) -> None:
    for name in ("iphone.heic", "doi-ten.jpg"):  # by extension, and by content under a .jpg name
        path = write(tmp_path, name, FAKE_HEIC)
        with pytest.raises(EdusiteError) as exc:
            check(path, S)
        assert name in message(exc) and "HEIC" in message(exc)
        assert "xuất ảnh sang JPEG" in message(exc) and "export as JPEG" in message(exc)


def test_not_an_image(tmp_path: Path) -> None:
    path = write(tmp_path, "ghi-chu.png", b"day la van ban\n")
    with pytest.raises(EdusiteError) as exc:
        check(path, S)
    assert "ghi-chu.png" in message(exc) and "không phải tệp ảnh" in message(exc)
    assert "not an image" in message(exc)


# -- pipeline and cache -----------------------------------------------------------------------


def test_pipeline_caches_dedupes_and_reports(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "cache")
    same = photo_jpeg((700, 500))
    jobs = [
        ("a/x.jpg", write(tmp_path, "x.jpg", same), ["base"]),
        ("b/Ảnh Y.jpg", write(tmp_path, "y.jpg", same), ["base", "card", "og"]),
        ("c/z.png", write(tmp_path, "z.png", b"not an image"), ["base"]),
    ]
    STATS.reset()
    records, problems = process_images(jobs, S, cache, threads=2)
    assert STATS.processed == 1  # one content, rendered once with the union of groups
    assert len(problems) == 1 and "z.png" in str(problems[0])
    y = records["b/Ảnh Y.jpg"]
    assert {v.path.split(".")[0] for v in y.variants} == {"b/anh-y"}
    assert [v.width for v in y.group("base", "jpeg")] == [480, 700]
    assert y.largest("og").size == y.group("og")[0].size and y.fallback_format() == "jpeg"
    STATS.reset()
    again, _ = process_images(jobs[:2], S, cache)
    assert STATS.processed == 0 and again["a/x.jpg"].variants == records["a/x.jpg"].variants


def test_cache_rejects_damaged_entries(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path)
    out = render(write(tmp_path, "a.jpg", photo_jpeg((600, 400))), ["base"], S)
    key = cache.key("abc", S.fingerprint("base"))
    entry = cache.store(key, width=600, height=400, alpha=False, animated=False,
                        original=(600, 400), outputs=out.outputs)  # fmt: skip
    assert cache.load(key) == entry
    entry.variants[0].file.write_bytes(b"short")
    assert cache.load(key) is None and cache.corrupt == 1
    assert not cache.folder(key).exists()  # removed, so the next build rewrites it
    assert S.fingerprint("base") != Settings(jpeg_quality=70).fingerprint("base")
    assert S.fingerprint("base") == Settings(max_pixels=1).fingerprint("base")


def test_cover_refs_from_front_matter() -> None:
    text = "---\ntitle: A\nimage: 'Ảnh bìa.jpg'\ncover: ../x/b.png\n---\nimage: not.jpg\n"
    assert cover_refs("tin-tuc/2026/p/index.md", text) == [
        "tin-tuc/2026/p/Ảnh bìa.jpg",
        "tin-tuc/2026/x/b.png",
    ]


# -- markup -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    tmp = tmp_path_factory.mktemp("img")
    jobs = [
        ("news/p/photo.jpg", write(tmp, "p.jpg", photo_jpeg((2000, 1500))), ["base", "card", "og"]),
        ("logo.png", write(tmp, "logo.png", alpha_png((200, 200))), ["base"]),
    ]
    records, problems = process_images(jobs, S, ImageCache(tmp / "cache"))
    assert not problems
    lookup = {}
    for rec in records.values():
        lookup[rec.src_uri] = Match(rec)
        for v in rec.variants:
            lookup[v.path] = Match(rec, v.group)
    links = {"news/p/Kế hoạch.pdf": "news/p/ke-hoach.pdf"}
    return Resolver(lookup.get, links.get, "https://x.edu.vn/th-a/")


def test_site_path_resolution() -> None:
    assert site_path("../b/c.jpg?v=1#x", "news/p/", "") == "news/b/c.jpg"
    assert site_path("c%20d.jpg", "", "") == "c d.jpg"
    assert site_path("/th-a/news/a.jpg", "x/", "https://x.edu.vn/th-a/") == "news/a.jpg"
    assert site_path("https://x.edu.vn/th-a/a.jpg", "x/", "https://x.edu.vn/th-a/") == "a.jpg"
    assert site_path("https://other.vn/th-a/a.jpg", "x/", "https://x.edu.vn/th-a/") is None
    assert site_path("../../../a.jpg", "x/", "") is None
    assert site_path("data:image/png;base64,AA", "", "") is None


PAGE = """<html><head>
<meta property="og:image" content="https://x.edu.vn/th-a/news/p/photo.jpg">
<meta property="og:image:width" content="2000"><meta property="og:image:height" content="1500">
<script type="application/ld+json">{"image": "https://x.edu.vn/th-a/news/p/photo.jpg"}</script>
</head><body><header><img class="es-brand__logo" src="../../logo.png" alt="" width="200" height="200"></header>
<div class="md-content" data-md-component="content">
<img class="es-post__cover" src="photo.jpg" alt="Ảnh > bìa &amp; lễ" width="2000" height="1500">
<p>Giữ nguyên   khoảng trắng <b>và</b> thẻ.</p>
<img src="photo.jpg" alt="hai" fetchpriority="high" loading="lazy">
<img src="https://cdn.example/other.jpg" alt="ngoài">
<picture><source srcset="x.avif"><img src="photo.jpg" alt="của tác giả"></picture>
<a href="photo.jpg">gốc</a> <a href="Kế hoạch.pdf">KH</a>
<script>var s = '<img src="photo.jpg">';</script>
</div></body></html>"""


def test_rewrite_page_makes_pictures_and_leaves_the_rest_alone(resolver: Resolver) -> None:
    out = rewrite_page(PAGE, "news/p/", resolver, Options())
    cover, second = [out.split("<picture>")[i].split("</picture>")[0] for i in (2, 3)]
    assert '<source type="image/webp" srcset="photo.480.' in cover
    assert 'alt="Ảnh &gt; bìa &amp; lễ"' in cover and 'width="1600" height="1200"' in cover
    assert 'fetchpriority="high"' in cover and "loading" not in cover  # the LCP candidate
    assert 'loading="lazy" decoding="async"' in second or (
        'loading="lazy"' in second and 'decoding="async"' in second
    )
    assert "fetchpriority" not in second
    logo = out.split("<picture>")[1].split("</picture>")[0]  # header: not lazy, own sizes
    assert 'sizes="64px"' in logo and "loading" not in logo and "fetchpriority" not in logo
    assert 'content="https://x.edu.vn/th-a/news/p/photo.og.' in out
    assert '<meta property="og:image:width" content="1200">' in out
    assert '"image": "https://x.edu.vn/th-a/news/p/photo.og.' in out
    assert '<img src="https://cdn.example/other.jpg" alt="ngoài">' in out
    assert (
        '<picture><source srcset="x.avif"><img src="photo.jpg" alt="của tác giả"></picture>' in out
    )
    assert '<a href="photo.1600.' in out and '<a href="ke-hoach.pdf">KH</a>' in out
    assert "var s = '<img src=\"photo.jpg\">';" in out
    assert "<p>Giữ nguyên   khoảng trắng <b>và</b> thẻ.</p>" in out
    assert out.count("<picture>") == 4


def test_rewrite_body_uses_light_variants_and_reports_alt(resolver: Resolver) -> None:
    html = '<p><img alt="" src="photo.jpg" /> <img src="../../logo.png" alt="Logo" width="50"></p>'
    res = rewrite_body(html, "news/p/", resolver, Options())
    assert res.missing_alt == ["photo.jpg"]
    assert 'src="photo.960.' in res.html and 'width="1600" height="1200"' in res.html
    assert 'width="50" height="50"' in res.html  # the author's display width is kept


def test_feed_enclosures_and_content_point_at_published_files(resolver: Resolver) -> None:
    xml = (
        '<rss><item><enclosure url="https://x.edu.vn/th-a/news/p/photo.jpg" length="9" '
        'type="image/jpeg"/><description><![CDATA[<p><img src="https://x.edu.vn/th-a/news/p/'
        'photo.jpg" alt=""> <a href="https://x.edu.vn/th-a/news/p/Kế hoạch.pdf">KH</a></p>]]>'
        "</description><link>https://x.edu.vn/th-a/news/p/</link></item></rss>"
    )
    out = rewrite_feed(xml, resolver)
    og = resolver.images("news/p/photo.jpg").image.group("og")[0]
    assert (
        f'<enclosure url="https://x.edu.vn/th-a/{og.path}" length="{og.size}" type="image/jpeg"/>'
        in out
    )
    assert '<img src="https://x.edu.vn/th-a/news/p/photo.960.' in out
    assert '<a href="https://x.edu.vn/th-a/news/p/ke-hoach.pdf">KH</a>' in out
    assert "<link>https://x.edu.vn/th-a/news/p/</link>" in out


def test_browser_candidate_choice() -> None:
    srcset = "a-480.webp 480w, a-960.webp 960w, a-1600.webp 1600w"
    sizes = Options().sizes
    assert pick_candidate(srcset, sizes, 375, 2) == "a-960.webp"  # 750 device px
    assert pick_candidate(srcset, sizes, 1440, 1) == "a-960.webp"  # 800 px column
    assert pick_candidate(srcset, sizes, 1440, 2) == "a-1600.webp"
    assert pick_candidate(srcset, "(min-width: 600px) 50vw, 100vw", 320, 1) == "a-480.webp"


# -- attachments and names --------------------------------------------------------------------


def test_attachment_names_and_labels() -> None:
    assert safe_path("văn bản/Kế hoạch Đội 2026.PDF") == "van-ban/ke-hoach-doi-2026.pdf"
    planned = plan_names([("Kế hoạch.pdf", 10), ("ke-hoach.pdf", 20)], taken=["a.pdf"])
    assert {a.src_uri: a.dest_uri for a in planned} == {
        "ke-hoach.pdf": "ke-hoach.pdf",  # already URL-safe: keeps its name
        "Kế hoạch.pdf": "ke-hoach-2.pdf",
    }
    assert human_size(532) == "532 B" and human_size(250_009) == "244 KB"
    assert human_size(3_565_158) == "3,4 MB"
    att = {"x/ke-hoach.pdf": Attachment("x/Kế hoạch.pdf", "x/ke-hoach.pdf", 250_009)}
    html = (
        '<a href="ke-hoach.pdf">Kế hoạch</a> <a href="ke-hoach.pdf">Tải (PDF, 244 KB)</a> '
        '<a href="ke-hoach.pdf">KH</a> (PDF) <a href="khac.html">khác</a> '
        '<td><a href="ke-hoach.pdf">Tải về</a></td><td><span>PDF (244 KB)</span></td>'
    )
    out = label_links(html, "x/", att.get)
    assert out.count('<span class="es-file-meta">(PDF, 244 KB)</span>') == 1
    assert '<a href="ke-hoach.pdf">Kế hoạch <span class="es-file-meta">' in out
