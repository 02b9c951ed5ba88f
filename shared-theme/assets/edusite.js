/* edusite: the only script of the theme, loaded (deferred) on post pages and pages with embeds.
   It shows the share buttons the browser supports and wires them; without JavaScript the plain
   Facebook and Zalo links still work and the browser's own print and copy remain. Embedded
   video and maps load only when the reader clicks (no third-party request before). */
(function () {
  "use strict";
  var status = document.querySelector(".es-share__status");
  function say(text) { if (status) { status.textContent = text; } }
  function show(selector, supported, onClick) {
    document.querySelectorAll(selector).forEach(function (button) {
      if (!supported) { return; }
      button.hidden = false;
      button.addEventListener("click", function () { onClick(button); });
    });
  }
  show("[data-es-share]", !!navigator.share, function (b) {
    navigator.share({ title: b.getAttribute("data-es-title"), url: b.getAttribute("data-es-share") })
      .catch(function () { /* the reader closed the share sheet */ });
  });
  show("[data-es-copy]", !!(navigator.clipboard && window.isSecureContext), function (b) {
    navigator.clipboard.writeText(b.getAttribute("data-es-copy")).then(
      function () { say("Đã sao chép liên kết bài viết."); },
      function () { say("Không sao chép được, hãy chép địa chỉ trên thanh địa chỉ."); }
    );
  });
  show("[data-es-print]", typeof window.print === "function", function () { window.print(); });
  document.querySelectorAll("[data-es-embed]").forEach(function (box) {
    var src = box.getAttribute("data-es-embed") || "";
    var link = box.querySelector("a");
    if (!/^https:\/\//.test(src) || !link) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = box.getAttribute("data-es-title") || "";
      frame.width = box.getAttribute("data-es-width") || "560";
      frame.height = box.getAttribute("data-es-height") || "315";
      frame.setAttribute("allow", "fullscreen; picture-in-picture");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      box.replaceChild(frame, link);
      frame.focus();
    });
  });
}());
