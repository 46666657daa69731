// Full-text search over Pagefind's JavaScript API, loaded only when the site is served
// (Pagefind cannot run from file://). Without scripts, or from file://, the page keeps its
// links to people and weeks.
//
// The index comes in two parts (see newsdigest/search.py): pagefind/ holds every entry as of
// its shard's last build, in shards (pagefind/shards.json lists them: the first is loaded, the
// others merged into it), pagefind-recent/ the entries changed since. Both are searched; base
// results for entries listed in pagefind-recent/replaced.json are dropped, the rest merged
// by score.
(function () {
  var box = document.getElementById("search");
  if (!box || location.protocol === "file:") { return; }
  var root = new URL(box.getAttribute("data-root"), location.href);
  var PAGE = 10;
  var engines = null, queue = [], replaced = new Set(), token = 0;

  box.innerHTML =
    '<form class="search-form" role="search">' +
    '<input id="search-input" type="search" aria-label="Search every entry" placeholder="Search every entry" autocomplete="off">' +
    '<button type="submit">Search</button></form>' +
    '<p id="search-status" class="search-status" aria-live="polite"></p>' +
    '<ol id="search-results" class="search-results"></ol>' +
    '<button id="search-more" class="search-more" type="button" hidden>More results</button>';
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");

  async function load(folder, merged) {
    var pf = await import(new URL(folder + "pagefind.js", root).href);
    await pf.options({ baseUrl: root.pathname });
    await pf.init();
    // all shards at once (one round trip, not one per shard); each joins in the order asked
    await Promise.all(merged.map(function (folder) {
      return pf.mergeIndex(new URL(folder, root).pathname, { baseUrl: root.pathname });
    }));
    return pf;
  }

  async function setUp() {
    var listing = await fetch(new URL("pagefind/shards.json", root));
    if (!listing.ok) { throw new Error("no search index"); }
    var shards = (await listing.json()).shards.map(function (name) { return "pagefind/" + name + "/"; });
    var found = shards.length ? [{ pf: await load(shards[0], shards.slice(1)), recent: false }] : [];
    var answer = await fetch(new URL("pagefind-recent/replaced.json", root)).catch(function () { return null; });
    if (answer && answer.ok) {
      var recent = await answer.json();
      recent.replaced.forEach(function (url) { replaced.add(root.pathname + url); });
      if (recent.index) { found.push({ pf: await load("pagefind-recent/", []), recent: true }); }
    }
    return found;
  }

  function show(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    var excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt;  // Pagefind's own escaped text with <mark> around matches
    item.appendChild(link);
    item.appendChild(excerpt);
    list.appendChild(item);
  }

  async function more(mine) {
    var added = 0;
    while (added < PAGE && queue.length) {
      var batch = queue.splice(0, PAGE - added);
      var datas = await Promise.all(batch.map(function (hit) { return hit.result.data(); }));
      if (mine !== token) { return; }
      datas.forEach(function (data, i) {
        if (!batch[i].recent && replaced.has(data.url)) { return; }  // superseded by pagefind-recent/
        show(data);
        added += 1;
      });
    }
    moreButton.hidden = queue.length === 0;
    var shown = list.children.length;
    status.textContent = shown === 0 ? "No entries match “" + input.value.trim() + "”."
      : (queue.length ? "First " + shown + " entries" : shown + (shown === 1 ? " entry" : " entries")) +
        " for “" + input.value.trim() + "”, best match first.";
  }

  async function run(query) {
    var mine = ++token;
    list.innerHTML = "";
    moreButton.hidden = true;
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = "Searching…";
    try {
      engines = engines || await setUp();
    } catch (error) {  // no index yet (the build could not run Pagefind): say so, keep the links
      status.textContent = "Search is not available on this copy of the site.";
      document.getElementById("search-fallback").hidden = false;
      return;
    }
    var hits = [];
    for (var i = 0; i < engines.length; i++) {
      var search = await engines[i].pf.search(query);
      (search ? search.results : []).forEach(function (result) { hits.push({ result: result, recent: engines[i].recent }); });
    }
    if (mine !== token) { return; }
    hits.sort(function (a, b) { return b.result.score - a.result.score; });
    queue = hits;
    await more(mine);
  }

  box.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    run(input.value);
  });
  moreButton.addEventListener("click", function () { more(token); });
  document.getElementById("search-fallback").hidden = true;
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
