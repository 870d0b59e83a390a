/* Waymark scroll regions. A wide table or journey map sits in a region that scrolls sideways, and
   the region is a tab stop (tabindex="0") so a keyboard can scroll it. Where it fits the screen
   there is nothing to scroll: the stop is taken away (and given back when the window narrows), so
   Tab does not stop on every table of a page for nothing. Without script every region stays one. */
(function () {
  "use strict";
  var selector = ".table-wrap[role=region], .table-scroller[role=region], .map-scroller[role=region]";
  function update() {
    var regions = document.querySelectorAll(selector);
    for (var k = 0; k < regions.length; k++) {
      var region = regions[k];
      if (!region.hasAttribute("data-wm-scroll")) {
        // Only regions the theme made focusable are managed.
        if (region.getAttribute("tabindex") !== "0") continue;
        region.setAttribute("data-wm-scroll", "");
      }
      var scrolls = region.scrollWidth > region.clientWidth + 1 || region.scrollHeight > region.clientHeight + 1;
      if (scrolls) {
        if (region.getAttribute("tabindex") !== "0") region.setAttribute("tabindex", "0");
      } else if (region.hasAttribute("tabindex") && region !== document.activeElement) {
        region.removeAttribute("tabindex");
      }
    }
  }
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    (window.requestAnimationFrame || window.setTimeout)(function () { pending = false; update(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
  window.addEventListener("resize", later);
  window.addEventListener("load", later);  // images and fonts may widen a table
  window.WaymarkScrollRegions = { update: update };
})();
