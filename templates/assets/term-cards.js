/* Waymark glossary hover cards. Each auto-linked word is <a class="term-link" href="…term page…">;
   glossary/cards.js (written by every build, window.WaymarkTermCards) holds each term's name,
   definition and what each department calls it, once for the whole site, keyed by the term page's
   address below the site's root. This script finds each link's card by the address the link
   resolves to (so it works at a server root, under a sub-path and from disk, where links end in
   index.html), puts the card after the link and ties it to the link by aria-describedby; the
   stylesheet shows it on hover and on keyboard focus. On touch screens the first tap opens the card and a second tap follows the link.
   Escape closes an open card, and the pointer can move onto a card without closing it (WCAG 1.4.13). Cards are built from DOM text nodes: nothing from the
   card file is parsed as HTML. With JavaScript off the words are plain links to the term pages. */
(function () {
  "use strict";

  var cards = window.WaymarkTermCards;
  if (!cards) return;
  var script = document.currentScript;
  // The site's root, from this script's own address (…/assets/term-cards.js).
  var root = script && script.src ? script.src.replace(/assets\/term-cards\.js(?:[?#].*)?$/, "") : document.baseURI;
  var byAddress = {};
  for (var key in cards) {
    if (!Object.prototype.hasOwnProperty.call(cards, key)) continue;
    try {
      var address = new URL(key, root).href;
      byAddress[address] = cards[key];
      byAddress[address + "index.html"] = cards[key];
    } catch (e) { /* not an address: no card */ }
  }
  var count = 0;
  var open = null;

  function card(data) {
    var el = document.createElement("span");
    el.className = "term-card";
    el.setAttribute("role", "tooltip");
    el.id = "wm-term-" + (++count);
    var name = document.createElement("strong");
    name.textContent = data[0];
    el.appendChild(name);
    el.appendChild(document.createTextNode(": " + data[1]));
    if (data[2]) {
      var words = document.createElement("span");
      words.className = "term-card-synonyms";
      words.textContent = data[2];
      el.appendChild(document.createTextNode(" "));
      el.appendChild(words);
    }
    if (data[3]) {
      var careful = document.createElement("span");
      careful.className = "term-card-homonym";
      careful.textContent = data[3];
      el.appendChild(document.createTextNode(" "));
      el.appendChild(careful);
    }
    return el;
  }

  // A card is placed against the window (position: fixed), so a table or map that scrolls sideways
  // cannot cut it off: below its word, moved left near the right edge, and above the word near the
  // bottom of the window. It touches its word (an invisible strip of the card covers the gap), so
  // the pointer can move onto it without closing it (WCAG 1.4.13).
  function place(wrap) {
    var el = wrap && wrap.lastChild;
    var link = wrap && wrap.firstChild;
    if (!el || !el.classList || !el.classList.contains("term-card") || !link) return;
    el.classList.remove("term-card--above");
    el.style.left = "0px";
    el.style.top = "0px";
    var rect = el.getBoundingClientRect();
    if (!rect.width) return;
    var lines = link.getClientRects();
    var word = lines.length ? lines[0] : link.getBoundingClientRect();
    var width = Math.min(document.documentElement.clientWidth, window.innerWidth || Infinity);
    var height = window.innerHeight || document.documentElement.clientHeight;
    var left = Math.max(8, Math.min(word.left, width - rect.width - 8));
    var top = word.bottom + 4;
    if (top + rect.height > height - 8 && word.top - rect.height - 4 > 8) {
      top = word.top - rect.height - 4;
      el.classList.add("term-card--above");
    }
    el.style.left = left + "px";
    el.style.top = top + "px";
  }

  // The card showing now, if any: hovered, opened by a tap, or on the focused word.
  function shown() {
    var wrap = document.querySelector(".term:hover, .term--open");
    var focused = document.activeElement && document.activeElement.parentNode;
    if (!wrap && focused && focused.classList && focused.classList.contains("term")) wrap = focused;
    return wrap;
  }

  function close() {
    if (open) open.classList.remove("term--open");
    open = null;
  }

  var links = document.querySelectorAll("a.term-link");
  for (var i = 0; i < links.length; i++) {
    var link = links[i];
    var data = Object.prototype.hasOwnProperty.call(byAddress, link.href) ? byAddress[link.href] : null;
    if (!data || !link.parentNode) continue;
    var wrap = document.createElement("span");
    wrap.className = "term";
    link.parentNode.insertBefore(wrap, link);
    wrap.appendChild(link);
    var el = card(data);
    wrap.appendChild(el);
    link.setAttribute("aria-describedby", el.id);
  }

  document.addEventListener("focusin", function (event) {
    var wrap = event.target.parentNode;
    if (wrap && wrap.classList && wrap.classList.contains("term")) place(wrap);
  });
  document.addEventListener("mouseover", function (event) {
    var wrap = event.target.closest ? event.target.closest(".term") : null;
    if (wrap) place(wrap);
  });

  var touched = false;
  document.addEventListener("pointerdown", function (event) {
    touched = event.pointerType === "touch";
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.term-link") : null;
    var wrap = link && link.parentNode;
    if (!wrap || !wrap.classList.contains("term")) { close(); return; }
    // A first tap on a touch screen opens the card; the second follows the link. A click from the
    // keyboard (Enter: no pointer, `detail` 0) follows the link, even after a tap elsewhere.
    if (touched && event.detail !== 0 && open !== wrap) {
      event.preventDefault();
      close();
      wrap.classList.add("term--open");
      open = wrap;
      place(wrap);
    }
  });
  // Escape closes the card however it opened: by hover, by focus or by a tap (WCAG 1.4.13).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var wraps = document.querySelectorAll(".term:hover");
    for (var k = 0; k < wraps.length; k++) wraps[k].classList.add("term--closed");
    var wrap = document.activeElement && document.activeElement.parentNode;
    if (wrap && wrap.classList && wrap.classList.contains("term")) wrap.classList.add("term--closed");
    close();
  });
  // A card placed against the window follows its word when the page or a table scrolls.
  document.addEventListener("scroll", function () {
    var wrap = shown();
    if (wrap) place(wrap);
  }, { capture: true, passive: true });
  window.addEventListener("resize", function () {
    var wrap = shown();
    if (wrap) place(wrap);
  });
  document.addEventListener("focusout", function (event) {
    var wrap = event.target.parentNode;
    if (wrap && wrap.classList && wrap.classList.contains("term--closed")) wrap.classList.remove("term--closed");
  });
  document.addEventListener("mouseout", function (event) {
    var wrap = event.target.closest ? event.target.closest(".term--closed") : null;
    if (wrap && !wrap.contains(event.relatedTarget)) wrap.classList.remove("term--closed");
  });
})();
