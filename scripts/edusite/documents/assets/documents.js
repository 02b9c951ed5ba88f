/* edusite documents: sort and filter the documents tables in the browser.
 * A progressive enhancement: without JavaScript the server-rendered pages per type, year,
 * field and issuer (van-ban/loai/…, van-ban/nam/…) do the filtering. No dependencies. */
(function () {
  "use strict";
  var FILTERS = [
    ["loai", "Loại văn bản"],
    ["co-quan", "Cơ quan ban hành"],
    ["nam", "Năm"],
    ["linh-vuc", "Lĩnh vực"]
  ];
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  /* "Đại học" -> "dai hoc": search with or without Vietnamese marks. */
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function field(form, id, text, control) {
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = text;
    control.id = id;
    var wrap = document.createElement("span");
    wrap.className = "es-docs-field";
    wrap.appendChild(label);
    wrap.appendChild(control);
    form.appendChild(wrap);
  }

  function enhance(table, index) {
    var body = table.tBodies[0];
    var rows = Array.prototype.filter.call(body.rows, function (r) { return r.cells.length > 1; });
    if (!rows.length) return;
    var form = document.createElement("form");
    form.className = "es-docs-form";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Tìm và lọc văn bản");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var selects = [];
    FILTERS.forEach(function (f) {
      var seen = {};
      rows.forEach(function (r) { var v = r.getAttribute("data-" + f[0]); if (v) seen[v] = true; });
      var values = Object.keys(seen);
      if (values.length < 2) return;
      values.sort(function (a, b) { return f[0] === "nam" ? b.localeCompare(a) : a.localeCompare(b, "vi"); });
      var select = document.createElement("select");
      select.name = f[0];
      select.add(new Option("Tất cả", ""));
      values.forEach(function (v) { select.add(new Option(v, v)); });
      select.addEventListener("change", apply);
      field(form, "es-docs-" + index + "-" + f[0], f[1], select);
      selects.push(select);
    });
    var query = document.createElement("input");
    query.type = "search";
    query.addEventListener("input", apply);
    field(form, "es-docs-" + index + "-q", "Tìm (có dấu hoặc không dấu)", query);
    var status = document.createElement("p");
    status.className = "es-docs-status";
    status.setAttribute("role", "status");
    form.appendChild(status);
    var outer = table.closest(".md-typeset__scrollwrap") || table;
    outer.parentNode.insertBefore(form, outer);

    function apply() {
      var q = fold(query.value.trim());
      var shown = 0;
      rows.forEach(function (r) {
        var ok = selects.every(function (s) { return !s.value || r.getAttribute("data-" + s.name) === s.value; });
        ok = ok && (!q || fold(r.textContent).indexOf(q) !== -1);
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = "Hiển thị " + shown + "/" + rows.length + " văn bản";
    }

    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, col) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "es-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      if (kind === "date") th.setAttribute("aria-sort", "descending"); /* server order */
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var key = function (r) {
          var cell = r.cells[col];
          return kind === "date" ? cell.getAttribute("data-value") || "" : cell.textContent.trim();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var d = kind === "date" ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y, "vi", { numeric: true });
          return ascending ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    apply();
  }

  each(document.querySelectorAll("table[data-es-docs]"), enhance);
})();
