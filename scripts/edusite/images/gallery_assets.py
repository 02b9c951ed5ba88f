"""The album lightbox: its dialog markup, script (about 1.5 KB) and styles, self-hosted.

The thumbnails are links to the full photo, so albums work without JavaScript; with it, a
``<dialog>`` opens (Escape closes it, focus returns to the thumbnail, arrow keys browse). The
dialog's ``<picture>`` is made by the script when a photo is shown (an empty ``<picture>``, with
no ``<img>``, is invalid HTML).
"""

from __future__ import annotations

DIALOG = """<dialog class="es-lightbox" aria-label="Xem ảnh">
<div class="es-lightbox__bar"><p class="es-lightbox__count" aria-live="polite"></p>
<button type="button" class="es-lightbox__close" data-es-close aria-label="Đóng (Esc)">×</button></div>
<figure class="es-lightbox__figure"><div class="es-lightbox__picture"></div><figcaption class="es-lightbox__caption"></figcaption></figure>
<button type="button" class="es-lightbox__prev" data-es-prev aria-label="Ảnh trước">‹</button>
<button type="button" class="es-lightbox__next" data-es-next aria-label="Ảnh sau">›</button>
</dialog>"""

GALLERY_JS = """/* edusite photo album lightbox: <dialog> (Escape closes, focus returns), arrows browse. */
(function () {
  var d = document.querySelector("dialog.es-lightbox");
  if (!d || typeof d.showModal !== "function") return;
  var links = [].slice.call(document.querySelectorAll("a.es-gallery__link"));
  var pic = d.querySelector(".es-lightbox__picture"), cap = d.querySelector(".es-lightbox__caption");
  var count = d.querySelector(".es-lightbox__count"), opener = null, at = 0;
  function show(i) {
    at = (i + links.length) % links.length;
    var a = links[at], thumb = a.querySelector("img");
    var s = document.createElement("source"), im = document.createElement("img");
    s.type = "image/webp"; s.srcset = a.getAttribute("data-es-webp"); s.sizes = "100vw";
    im.className = "es-lightbox__img"; im.srcset = a.getAttribute("data-es-srcset");
    im.sizes = "100vw"; im.src = a.href; im.alt = thumb ? thumb.alt : "";
    var p = document.createElement("picture");
    p.append(s, im);
    pic.replaceChildren(p);
    cap.textContent = a.getAttribute("data-es-caption") || "";
    count.textContent = "Ảnh " + (at + 1) + "/" + links.length;
  }
  links.forEach(function (a, i) {
    a.addEventListener("click", function (e) {
      if (e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault(); opener = a; show(i); d.showModal();
      d.querySelector("[data-es-close]").focus();
    });
  });
  d.addEventListener("click", function (e) {
    var t = e.target;
    if (t === d || t.closest("[data-es-close]")) d.close();
    else if (t.closest("[data-es-prev]")) show(at - 1);
    else if (t.closest("[data-es-next]")) show(at + 1);
  });
  d.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { e.preventDefault(); show(at - 1); }
    else if (e.key === "ArrowRight") { e.preventDefault(); show(at + 1); }
  });
  d.addEventListener("close", function () { pic.replaceChildren(); if (opener) opener.focus(); });
})();
"""

GALLERY_CSS = """/* edusite photo albums */
.es-album__meta{color:#4a5560;font-size:.8rem}
.es-gallery,.md-typeset ul.es-gallery{list-style:none;margin:1rem 0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
.es-gallery li,.md-typeset ul.es-gallery li{margin:0;list-style:none}
.es-gallery__item{margin:0}
.es-gallery__link{display:block;border-radius:.3rem;overflow:hidden}
.es-gallery__link:focus-visible{outline:3px solid #b3261e;outline-offset:2px}
.es-gallery__img{display:block;width:100%;height:auto}
.es-gallery__caption{font-size:.7rem;margin-top:.2rem;color:#4a5560}
.es-lightbox{width:100vw;height:100vh;max-width:100vw;max-height:100vh;margin:0;padding:0;border:0;background:#111;color:#fff}
.es-lightbox::backdrop{background:rgba(0,0,0,.85)}
.es-lightbox__bar{display:flex;justify-content:space-between;align-items:center;padding:.5rem 1rem}
.es-lightbox__count{margin:0}
.es-lightbox__figure{margin:0;display:flex;flex-direction:column;align-items:center;justify-content:center;height:calc(100vh - 4.5rem)}
.es-lightbox__img{max-width:100vw;max-height:calc(100vh - 8rem);width:auto;height:auto}
.es-lightbox__caption{padding:.5rem 1rem;text-align:center}
.es-lightbox button{background:rgba(0,0,0,.65);color:#fff;border:2px solid #fff;border-radius:.3rem;font-size:1.5rem;line-height:1;min-width:44px;min-height:44px;cursor:pointer}
.es-lightbox button:focus-visible{outline:3px solid #ffd54f;outline-offset:2px}
.es-lightbox__prev,.es-lightbox__next{position:absolute;top:50%;transform:translateY(-50%)}
.es-lightbox__prev{left:.5rem}
.es-lightbox__next{right:.5rem}
@media (prefers-reduced-motion:no-preference){.es-gallery__link img{transition:opacity .2s}.es-gallery__link:hover img{opacity:.85}}
"""
