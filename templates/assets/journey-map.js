/* Waymark journey map on a phone. The map shows one stage at a time beside the row labels, and far
   down (evidence, KPIs, handoffs) the stage's name is a screen or two above: each cell gets its
   stage's name at its top. Drawn only on narrow screens; without script the map is as it was. */
(function () {
  "use strict";
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : null;
  if (!narrow) return;
  function label() {
    var grids = document.querySelectorAll(".journey-grid");
    for (var g = 0; g < grids.length; g++) {
      var grid = grids[g];
      if (grid.getAttribute("data-stage-labels")) continue;
      grid.setAttribute("data-stage-labels", "1");
      var heads = grid.querySelectorAll("thead th .grid-stage");
      var rows = grid.querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        var cells = [];
        for (var c = rows[r].firstElementChild; c; c = c.nextElementSibling) if (c.tagName === "TD") cells.push(c);
        if (cells.length !== heads.length) continue;  // the emotion curve spans every stage
        for (var k = 0; k < cells.length; k++) {
          var name = document.createElement("span");
          name.className = "grid-cell-stage";
          name.setAttribute("aria-hidden", "true");  // screen readers have the column's header
          name.textContent = heads[k].textContent;
          cells[k].insertBefore(name, cells[k].firstChild);
        }
      }
    }
  }
  if (narrow.matches) label();
  else if (narrow.addEventListener) narrow.addEventListener("change", function (e) { if (e.matches) label(); });
})();
