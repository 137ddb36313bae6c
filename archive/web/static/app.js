// Optional enhancements; every page works without this file.
(function () {
  "use strict";
  // Choosing a sort order or the exact-mode box re-runs the search at once (without JS: press Search).
  var form = document.getElementById("search-form");
  if (form) {
    var controls = form.querySelectorAll("#sort, input[name=mode]");
    Array.prototype.forEach.call(controls, function (el) {
      el.addEventListener("change", function () { form.submit(); });
    });
  }
  // "/" jumps to the search box, as on many search sites.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key !== "/" || /^(INPUT|TEXTAREA|SELECT)$/.test(tag) || event.ctrlKey || event.metaKey) return;
    var box = document.getElementById("q") || document.getElementById("header-q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
