/* Progressive enhancement only: without JavaScript every section is in the page and <details> works natively. */
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  var items = document.getElementById("items");
  if (bar && items) {
    bar.hidden = false;
    items.classList.add("filtering");
    var only = document.getElementById("f-failing");
    var kind = document.getElementById("f-kind");
    var query = document.getElementById("f-search");
    var shown = document.getElementById("shown");
    var sections = Array.prototype.map.call(items.querySelectorAll("details.tbl"), function (d) {
      return { el: d, open: d.open, title: (d.getAttribute("data-t") || "").toLowerCase(),
               rows: Array.prototype.slice.call(d.querySelectorAll("tr.it")), texts: null };
    });
    var apply = function () {
      var failing = only.checked, k = kind.value, q = query.value.trim().toLowerCase();
      var active = failing || k !== "" || q !== "", total = 0;
      sections.forEach(function (s) {
        var titleHit = q !== "" && s.title.indexOf(q) !== -1, visible = 0;
        if (q !== "" && !titleHit && s.texts === null) {
          // Text is read once, on the first search, so typing stays fast on large reports.
          s.texts = s.rows.map(function (r) { return r.textContent.toLowerCase(); });
        }
        s.rows.forEach(function (r, i) {
          var show = (!failing || r.classList.contains("f")) && (k === "" || r.getAttribute("data-k") === k) &&
                     (q === "" || titleHit || s.texts[i].indexOf(q) !== -1);
          r.hidden = !show;
          if (show) { visible += 1; }
        });
        s.el.hidden = visible === 0;
        // Open what a filter found; restore the page's own choice when filters are cleared.
        s.el.open = active && (q !== "" || k !== "") ? visible > 0 : s.open;
        total += visible;
      });
      shown.textContent = active ? total + " items shown" : "";
    };
    var timer = null;
    var later = function () { clearTimeout(timer); timer = setTimeout(apply, 150); };
    only.addEventListener("change", apply);
    kind.addEventListener("change", apply);
    query.addEventListener("input", later);
  }

  // Following a link to a collapsed table opens it.
  var openTarget = function () {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; }
  };
  window.addEventListener("hashchange", openTarget);
  openTarget();

  // Copy button for the fix script; falls back to a selection when the clipboard API is refused (file://).
  var sql = document.getElementById("fix-sql");
  if (sql) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy fix script";
    var done = function (text) { button.textContent = text; setTimeout(function () { button.textContent = "Copy fix script"; }, 1500); };
    var fallback = function () {
      var range = document.createRange();
      range.selectNodeContents(sql);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok ? "Copied" : "Selected: press Ctrl+C");
    };
    button.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(sql.textContent).then(function () { done("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
    sql.parentNode.insertBefore(button, sql);
  }
}());
