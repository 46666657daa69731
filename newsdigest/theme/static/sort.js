// Makes the people table sortable. The table is complete without this script.
(function () {
  var table = document.getElementById("people");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, col, kind) {
    var text = row.cells[col].textContent.trim();
    return kind === "number" ? parseFloat(text) : text.toLocaleLowerCase();
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    var kind = th.getAttribute("data-sort");
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var down = th.getAttribute("aria-sort") !== (kind === "number" ? "descending" : "ascending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, col, kind), y = key(b, col, kind);
        var order = x < y ? -1 : x > y ? 1 : 0;
        return (kind === "number") === down ? -order : order;
      });
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", (kind === "number") === down ? "descending" : "ascending");
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
