// Full-text search with Pagefind, loaded only when the site is served (Pagefind cannot run
// from file://). Without scripts, or from file://, the page keeps its links to people and weeks.
(function () {
  var box = document.getElementById("search");
  if (!box || location.protocol === "file:") { return; }
  var bundle = box.getAttribute("data-bundle");
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = function () {
    document.getElementById("search-fallback").hidden = true;
    var root = new URL(bundle.replace(/pagefind\/$/, ""), location.href).pathname;
    var ui = new PagefindUI({ element: "#search", bundlePath: bundle, baseUrl: root, showImages: false, resetStyles: false });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { ui.triggerSearch(q); }
  };
  document.head.appendChild(script);
})();
