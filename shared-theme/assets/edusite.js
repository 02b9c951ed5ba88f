/* edusite: the only script of the theme, loaded (deferred) on post pages. It shows the share
   buttons the browser supports and wires them; without JavaScript the plain Facebook and Zalo
   links still work and the browser's own print and copy remain. No third-party request. */
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
}());
