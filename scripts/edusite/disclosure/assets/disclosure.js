/* edusite: filters of the "Công khai" dashboard (cấp học, tình trạng). Without this script the
   form stays hidden and every row shows. No inline script: the page's CSP allows 'self' only. */
(function () {
  "use strict";
  var form = document.querySelector("[data-es-dash-filters]");
  if (!form) return;
  var shown = form.querySelector("[data-es-dash-shown]");
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-es-dash-group]"));
  function apply() {
    var level = form.elements.level.value;
    var status = form.elements.status.value;
    var total = 0;
    var visible = 0;
    groups.forEach(function (group) {
      var rows = group.querySelectorAll("tbody tr");
      var left = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var levels = (row.getAttribute("data-level") || "").split(" ");
        var ok = (!level || levels.indexOf(level) >= 0) && (!status || row.getAttribute("data-status") === status);
        row.hidden = !ok;
        total += 1;
        if (ok) { left += 1; visible += 1; }
      });
      group.hidden = left === 0;
    });
    shown.textContent = "Đang hiện " + visible + "/" + total + " đơn vị.";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.hidden = false;
  apply();
})();
