/* edusite search: Vietnamese-aware, loads only the index shards and record chunks it needs. */
(function () {
  "use strict";
  var box = document.querySelector(".es-sr");
  if (!box || !window.fetch) return;
  var base = new URL(box.getAttribute("data-index"), location.href);
  var siteRoot = new URL(box.getAttribute("data-root") || "./", location.href);
  var $ = function (id) { return document.getElementById(id); };
  var input = $("es-sr-q"), status = $("es-sr-status"), list = $("es-sr-list");
  var unitSel = $("es-sr-unit"), more = $("es-sr-more");
  var kinds = [].slice.call(box.querySelectorAll('input[name="kind"]'));
  var cache = {}, M = null, hits = [], shown = 0, words = {}, query = "", t0 = 0;
  var PAGE = 20;

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
      .replace(/Đ/g, "D").normalize("NFC").toLowerCase();
  }
  function tokens(s) { return fold(s).match(/[\p{L}\p{N}]+/gu) || []; }
  /* The shard of term t: its first n characters (code points), those outside [A-Za-z0-9] as
     "_", padded with "_"; "all" when n is 0 (one file). As shard_key() in index.py. */
  function shardKey(t, n) {
    if (!n) return "all";
    var cs = Array.from(t), k = "";
    for (var i = 0; i < n; i++) k += i < cs.length && /^[A-Za-z0-9]$/.test(cs[i]) ? cs[i] : "_";
    return k;
  }
  function get(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        return r.ok ? r.json() : null;
      }).catch(function () { return null; });
    }
    return cache[path];
  }
  /* The shard file of term t. Format 3 (big network indexes): the longest key present among
     shardKey(t, maxprefix … 1), shards being split where they grew large; before: one prefix. */
  function keyOf(t, have) {
    if ((M.version || 1) < 3) return shardKey(t, M.prefix == null ? 2 : M.prefix);
    for (var n = M.maxprefix || 4; n > 0; n--) {
      var k = shardKey(t, n);
      if (have[k]) return k;
    }
    return null;
  }
  window.edusiteFold = fold;
  window.edusiteTokens = tokens;
  window.edusiteShardKey = shardKey;
  window.edusiteKeyOf = function (t) {
    var have = {};
    M.shards.forEach(function (k) { have[k] = 1; });
    return keyOf(t, have);
  };

  /* Query → groups of alternatives (a synonym phrase and its equivalents), each a token list. */
  function parse(q) {
    var toks = tokens(q), groups = [], i = 0, syn = M.synonyms;
    while (i < toks.length) {
      var hit = 0;
      for (var n = Math.min(6, toks.length - i); n > 0 && !hit; n--) {
        var ph = toks.slice(i, i + n).join(" ");
        if (Object.prototype.hasOwnProperty.call(syn, ph)) {
          groups.push([ph].concat(syn[ph]).map(function (p) { return p.split(" "); }));
          hit = n;
        }
      }
      if (!hit) { groups.push([[toks[i]]]); hit = 1; }
      i += hit;
    }
    return { toks: toks, groups: groups };
  }

  function pairs(a) {
    var out = [];
    for (var i = 0; i + 1 < a.length; i++) out.push(a[i] + " " + a[i + 1]);
    return out;
  }

  function search(q) {
    var p = parse(q), need = {};
    words = {};
    p.groups.forEach(function (g) {
      g.forEach(function (alt) {
        alt.concat(pairs(alt)).forEach(function (t) { need[t] = 1; });
        words[alt.join(" ")] = alt.length;
      });
    });
    pairs(p.toks).forEach(function (t) { need[t] = 1; });
    var keys = {}, have = {};
    M.shards.forEach(function (k) { have[k] = 1; });
    Object.keys(need).forEach(function (t) { var k = keyOf(t, have); if (k) keys[k] = 1; });
    var wanted = Object.keys(keys).filter(function (k) { return have[k]; });
    var compact = (M.version || 1) >= 3; /* [id gap, score, …] + meta.json (unit*4+kind) */
    var loads = wanted.map(function (k) { return get("index/" + k + ".json"); });
    if (compact) loads.unshift(get(M.meta || "meta.json"));
    return Promise.all(loads)
      .then(function (shards) {
        var post = {}, meta = compact ? shards.shift() || [] : null;
        shards.forEach(function (s) {
          if (!s) return;
          Object.keys(need).forEach(function (t) {
            var a = s[t];
            if (!a || post[t]) return;
            var m = {}, i, id = 0;
            if (compact) {
              for (i = 0; i < a.length; i += 2) { id += a[i]; m[id] = [a[i + 1], meta[id]]; }
            } else {
              for (i = 0; i < a.length; i += 3) m[a[i]] = [a[i + 1], a[i + 2]];
            }
            post[t] = m;
          });
        });
        return rank(p, post);
      });
  }

  function rank(p, post) {
    if (!p.groups.length) return [];
    var cand = {}, meta = {};
    p.groups[0].forEach(function (alt) {
      var m = post[alt[0]] || {};
      Object.keys(m).forEach(function (id) { cand[id] = 1; meta[id] = m[id][1]; });
    });
    var out = [];
    Object.keys(cand).forEach(function (id) {
      var total = 0;
      for (var g = 0; g < p.groups.length; g++) {
        var best = -1;
        var alts = p.groups[g];
        alts.forEach(function (alt) {
          var s = 0, i, m;
          for (i = 0; i < alt.length; i++) {
            m = post[alt[i]];
            if (!m || !m[id]) return;
            s += m[id][0];
          }
          if (alts.length > 1 && alt.length > 1) {
            /* a synonym phrase: its syllables must be adjacent; it counts as one term */
            var low = Infinity, bi = pairs(alt);
            for (i = 0; i < bi.length; i++) {
              m = post[bi[i]];
              if (!m || !m[id]) return;
              low = Math.min(low, m[id][0]);
            }
            s = low / (M.bigram || 2);
          }
          if (s > best) best = s;
        });
        if (best < 0) return;
        total += best;
      }
      pairs(p.toks).forEach(function (t) { if (post[t] && post[t][id]) total += post[t][id][0]; });
      out.push([+id, total, meta[id]]);
    });
    out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return out;
  }

  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  /* Wrap the words whose folded form is a query word in <mark>; optionally cut around the first. */
  function mark(text, cut) {
    var f = "", map = [], chars = Array.from(text), pos = 0;
    chars.forEach(function (ch) {
      var x = fold(ch);
      for (var j = 0; j < x.length; j++) map.push(pos);
      f += x;
      pos += ch.length;
    });
    map.push(text.length);
    var re = /[\p{L}\p{N}]+/gu, m, toks = [], spans = [];
    while ((m = re.exec(f))) toks.push([m[0], map[m.index], map[m.index + m[0].length]]);
    for (var i = 0; i < toks.length; i++) {
      for (var n = 6; n > 0; n--) {
        if (i + n > toks.length) continue;
        var ph = toks.slice(i, i + n).map(function (t) { return t[0]; }).join(" ");
        if (words[ph] === n) { spans.push([toks[i][1], toks[i + n - 1][2]]); i += n - 1; break; }
      }
    }
    var start = 0, end = text.length, pre = "", post = "";
    if (cut && text.length > cut) {
      if (spans.length && spans[0][0] > cut / 2) {
        start = text.lastIndexOf(" ", spans[0][0] - 40) + 1;
        pre = "… ";
      }
      if (end - start > cut) {
        end = text.lastIndexOf(" ", start + cut);
        if (end <= start) end = start + cut;
        post = " …";
      }
    }
    var out = "", at = start;
    spans.forEach(function (s) {
      if (s[0] < at || s[1] > end) return;
      out += esc(text.slice(at, s[0])) + "<mark>" + esc(text.slice(s[0], s[1])) + "</mark>";
      at = s[1];
    });
    return pre + out + esc(text.slice(at, end)) + post;
  }

  function filtered() {
    var u = unitSel ? unitSel.value : "", on = {};
    kinds.forEach(function (k, i) { if (k.checked) on[i] = 1; });
    var ui = -1;
    if (u) M.units.forEach(function (x, i) { if (x[0] === u) ui = i; });
    return hits.filter(function (h) {
      return on[h[2] % 4] && (ui < 0 || Math.floor(h[2] / 4) === ui);
    });
  }

  function show(reset) {
    var rows = filtered();
    if (reset) { list.innerHTML = ""; shown = 0; }
    var page = rows.slice(shown, shown + PAGE);
    var chunks = {};
    page.forEach(function (h) { chunks[Math.floor(h[0] / M.chunk)] = 1; });
    var names = Object.keys(chunks);
    return Promise.all(names.map(function (n) { return get("docs/" + n + ".json"); }))
      .then(function (got) {
        var docs = {};
        names.forEach(function (n, i) { docs[n] = got[i] || []; });
        page.forEach(function (h) {
          var r = docs[Math.floor(h[0] / M.chunk)][h[0] % M.chunk];
          if (!r) return;
          var href = new URL(r[0], siteRoot);
          if (href.protocol !== "http:" && href.protocol !== "https:") return;
          var li = document.createElement("li");
          li.className = "es-sr-item";
          var unit = M.units[r[2]] ? M.units[r[2]][1] : "";
          var kind = M.kinds[r[4]] ? M.kinds[r[4]][1] : "";
          li.innerHTML = '<h2 class="es-sr-title"><a href="' +
            esc(href.href) + '">' + mark(r[1]) + "</a></h2>" +
            '<p class="es-sr-meta">' + esc(kind) + (unit ? " · " + esc(unit) : "") +
            (r[3] ? ' · <time>' + esc(r[3]) + "</time>" : "") + "</p>" +
            '<p class="es-sr-snip">' + mark(r[5], 220) + "</p>";
          list.appendChild(li);
        });
        shown += page.length;
        more.parentNode.hidden = shown >= rows.length;
        status.textContent = rows.length
          ? rows.length + " kết quả cho “" + query + "”"
          : "Không tìm thấy kết quả nào cho “" + query + "”.";
        box.setAttribute("data-ms", String(Math.round(performance.now() - t0)));
        box.setAttribute("data-state", "done");
      });
  }

  function syncUrl() {
    var u = new URL(location.href), s = u.searchParams;
    if (unitSel) s.set("unit", unitSel.value);
    s.delete("kind");
    if (kinds.some(function (k) { return !k.checked; })) {
      kinds.forEach(function (k) { if (k.checked) s.append("kind", k.value); });
    }
    history.replaceState(null, "", u.href);
  }

  function run() {
    query = input.value.trim();
    box.setAttribute("data-state", "busy");
    t0 = performance.now();
    if (!tokens(query).length) {
      hits = [];
      list.innerHTML = "";
      more.parentNode.hidden = true;
      status.textContent = query ? "Không tìm thấy kết quả nào cho “" + query + "”." : "Nhập từ khóa để tìm kiếm.";
      box.setAttribute("data-state", "done");
      return;
    }
    status.textContent = "Đang tìm…";
    search(query).then(function (h) { hits = h; return show(true); });
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  var wantKinds = params.getAll("kind");
  if (wantKinds.length) kinds.forEach(function (k) { k.checked = wantKinds.indexOf(k.value) >= 0; });
  get("manifest.json").then(function (m) {
    if (!m) { status.textContent = "Không tải được chỉ mục tìm kiếm."; return; }
    M = m;
    if (unitSel) {
      m.units.forEach(function (u) {
        var o = document.createElement("option");
        o.value = u[0];
        o.textContent = u[1];
        unitSel.appendChild(o);
      });
      unitSel.value = params.get("unit") || "";
      unitSel.addEventListener("change", function () { syncUrl(); if (query) { t0 = performance.now(); show(true); } });
    }
    kinds.forEach(function (k) {
      k.addEventListener("change", function () { syncUrl(); if (query) { t0 = performance.now(); show(true); } });
    });
    more.addEventListener("click", function () { show(false); });
    box.addEventListener("submit", function (e) {
      e.preventDefault();
      var u = new URL(location.href);
      u.searchParams.set("q", input.value);
      history.pushState(null, "", u.href);
      syncUrl();
      run();
    });
    run();
  });
})();
