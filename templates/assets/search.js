/* Waymark search: runs in the browser over search/index.js (window.WaymarkSearchIndex), written by
   every build. Nothing is fetched: both scripts come from the site itself by <script src>, which also
   works when the site is opened from disk. Results are built from DOM nodes; matched words are
   wrapped in <mark> elements around text nodes, so no text from the index is ever parsed as HTML.

   Ranking: every word of the query must match a word of the page (the last word may be the start
   of one, so results come while typing); a page whose file is named after the query counts most,
   then a title match, then keywords (glossary
   synonyms, stages, touchpoints, headings, tags), then the text. Accents and case are ignored.

   The index carries the start of each page's text. Every other word is in the shards under
   search/words/, one script per first two letters of a word (search/words/ch.js for "champion"),
   loaded as the words are typed; a page found only there ranks below the others, and its result
   links to the words with a text fragment (#:~:text=champion), which browsers scroll to and mark. */
(function () {
  "use strict";

  var script = typeof document !== "undefined" ? document.currentScript : null;
  // The site's root, from this script's own address (…/assets/search.js): right on a server, under a
  // sub-path and from disk alike.
  var root = script && script.src ? script.src.replace(/assets\/search\.js(?:[?#].*)?$/, "") : "";
  var MAX_RESULTS = 50;
  var MAX_SECTIONS = 3;
  var SNIPPET_WORDS = 30;
  /* Results whose passage is fetched from their page when a word is only further down it. */
  var PASSAGE_RESULTS = 10;
  var WORD_SOURCE = "[\\p{L}\\p{N}]+";
  var WORD_FLAGS = "gu";
  try { new RegExp(WORD_SOURCE, WORD_FLAGS); } catch (e) { WORD_SOURCE = "[A-Za-z0-9\\u00C0-\\uFFFF]+"; WORD_FLAGS = "g"; }

  /* Accents dropped, lower case, and Greek's final sigma as any other (SearchWords.fold in Swift). */
  function fold(s) {
    return (s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase() : s.toLowerCase()).replace(/\u03c2/g, "\u03c3");
  }

  function decode(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  function words(s) {
    return s.match(new RegExp(WORD_SOURCE, WORD_FLAGS)) || [];
  }

  var JOINER = /[-\u2010\u2011]/;

  /* Words joined by hyphens ("e-mail", "check-in"), in order: each group of two or more as
     {parts: ["e", "mail"], joined: "email"}, after its last part in `out` when one is given. */
  function compounds(s, out) {
    var re = new RegExp(WORD_SOURCE, WORD_FLAGS), found = [], parts = [], end = -1, m;
    function close() {
      if (parts.length > 1) {
        found.push({ parts: parts, joined: parts.join("") });
        if (out) out.push(parts.join(""));
      }
      parts = [];
    }
    while ((m = re.exec(s))) {
      if (!(parts.length && m.index === end + 1 && JOINER.test(s.charAt(end)))) close();
      if (out) out.push(m[0]);
      parts.push(m[0]);
      end = m.index + m[0].length;
    }
    close();
    return found;
  }

  /* A page's words as the index has them (SearchWords in Swift): each word, and after the last part
     of words joined by hyphens the parts run together ("e-mail": e, mail, email), so that a query
     for either spelling finds the other. */
  function indexWords(s) {
    var out = [];
    compounds(s, out);
    return out;
  }

  /* A query word with its simple singular ("journeys" also finds "journey"). */
  function variants(term) {
    var list = [term];
    if (term.length > 4 && term.slice(-3) === "ies") list.push(term.slice(0, -3) + "y");
    else if (term.length > 3 && term.slice(-1) === "s" && term.slice(-2) !== "ss") list.push(term.slice(0, -1));
    return list;
  }

  /* 2: the word is the term; 1: the word starts with it (terms of two letters or more); 0: no match. */
  function match(word, terms) {
    var best = 0;
    for (var i = 0; i < terms.length; i++) {
      var vs = terms[i];
      for (var j = 0; j < vs.length; j++) {
        if (word === vs[j]) return 2;
        if (vs[j].length >= 2 && word.lastIndexOf(vs[j], 0) === 0) best = 1;
      }
    }
    return best;
  }

  function prepare(data) {
    var types = data.types || [];
    return (data.pages || []).map(function (p, index) {
      var keywords = (p[3] || []).map(function (k) {
        return typeof k === "string" ? { text: k, anchor: null } : { text: String(k[0]), anchor: String(k[1]) };
      });
      var title = String(p[0]), text = String(p[4] || "");
      var name = String(p[1]).replace(/(^|\/)index\.html$/, "").replace(/\/$/, "").split("/").pop();
      return {
        index: index,
        slug: words(fold(decode(name))).join(" "),
        title: title, url: String(p[1]), type: types[p[2]] || ["page", "Page"], keywords: keywords, text: text,
        titleFolded: fold(title), textFolded: fold(text),
        titleWords: indexWords(fold(title)), textWords: indexWords(fold(text)),
        keywordFolded: keywords.map(function (k) { return fold(k.text); }),
        keywordWords: keywords.map(function (k) { return indexWords(fold(k.text)); })
      };
    });
  }

  /* The shard a folded word is in, and its file under search/words/ (SearchWords.fileName in Swift):
     the first two characters; a–z and 0–9 as they are, any other as "_" and six hex digits. */
  function shardKey(term) {
    return Array.from(term).slice(0, 2).join("");
  }

  function shardFile(key) {
    return Array.from(key).map(function (c) {
      return /^[a-z0-9]$/.test(c) ? c : "_" + ("00000" + c.codePointAt(0).toString(16)).slice(-6);
    }).join("");
  }

  /* The query's words, each with the forms that count as it: its singular, and for a part of words
     joined by hyphens the whole run together ("e-mail": e and mail each also match "email"). */
  function queryTerms(query) {
    var folded = fold(query), terms = [], forms = {};
    words(folded).forEach(function (t) { if (terms.indexOf(t) < 0) { terms.push(t); forms[t] = variants(t); } });
    compounds(folded).forEach(function (c) {
      c.parts.forEach(function (p) { if (forms[p].indexOf(c.joined) < 0) forms[p].push(c.joined); });
    });
    return terms.map(function (t) { return { word: t, forms: forms[t] }; });
  }

  /* The pages whose text has a word matching one of a term's forms (exactly, or as its start), from
     the forms' shards: {page index: [2 or 1, the word]}. null while a shard is loading. */
  function deepMatches(shards, term) {
    var vs = [term.forms], found = {}, loading = false;
    var keys = term.forms.map(shardKey).filter(function (k, i, all) { return all.indexOf(k) === i; });
    keys.forEach(function (key) {
      var shard = shards[key];
      if (shard === "loading") { loading = true; return; }
      if (!shard) return;
      Object.keys(shard).forEach(function (word) {
        var m = match(word, vs);
        if (!m) return;
        var page = 0, gaps = shard[word];
        for (var i = 0; i < gaps.length; i++) {
          page += gaps[i];
          var seen = found[page];
          if (!seen || m > seen[0] || (m === seen[0] && word.length < seen[1].length)) found[page] = [m, word];
        }
      });
    });
    return loading ? null : found;
  }

  /* How well one query word matches a page, and which keywords it matched. `deep` is the word's
     matches in the whole text (deepMatches). */
  function termScore(doc, term, deep) {
    var vs = [term.forms];
    var score = 0, hits = [], i, j, m;
    for (i = 0; i < doc.titleWords.length; i++) {
      m = match(doc.titleWords[i], vs);
      if (m) score = Math.max(score, m === 2 ? 10 : 6);
    }
    for (i = 0; i < doc.keywordWords.length; i++) {
      for (j = 0; j < doc.keywordWords[i].length; j++) {
        m = match(doc.keywordWords[i][j], vs);
        if (m) { score += m === 2 ? 4 : 2; hits.push(i); break; }
      }
    }
    var inText = 0;
    for (i = 0; i < doc.textWords.length && inText < 5; i++) {
      m = match(doc.textWords[i], vs);
      if (m) { score += m === 2 ? 1 : 0.5; inText++; }
    }
    var further = null;
    if (!score && deep && deep[doc.index]) {
      score = deep[doc.index][0] === 2 ? 0.5 : 0.25;
      further = deep[doc.index][1];
    }
    return { score: score, hits: hits, further: further };
  }

  /* `shards` maps a shard's key to its words, "loading", or nothing when the word has no shard. */
  function search(docs, query, shards) {
    var terms = queryTerms(query);
    if (!terms.length) return { terms: [], results: [], partial: false };
    var phrase = terms.map(function (t) { return t.word; }).join(" ");
    var deep = terms.map(function (t) { return deepMatches(shards || {}, t); });
    var all = [], some = [];
    docs.forEach(function (doc) {
      var score = 0, matched = 0, hits = [], further = [];
      terms.forEach(function (t, k) {
        var s = termScore(doc, t, deep[k]);
        if (s.score > 0) { matched++; score += s.score; hits = hits.concat(s.hits); }
        if (s.further) further.push(s.further);
      });
      if (!matched) return;
      // The page's own name (`journeys/asthma` for "asthma") first.
      if (doc.slug === phrase) score += 8;
      if (terms.length > 1) {
        if (doc.titleFolded.indexOf(phrase) >= 0) score += 12;
        else if (doc.keywordFolded.some(function (k) { return k.indexOf(phrase) >= 0; })) score += 8;
        else if (doc.textFolded.indexOf(phrase) >= 0) score += 3;
      }
      var result = { doc: doc, score: score, matched: matched, hits: hits, further: further };
      (matched === terms.length ? all : some).push(result);
    });
    var partial = !all.length;
    var results = partial ? some : all;
    results.sort(function (a, b) {
      return b.matched - a.matched || b.score - a.score || a.doc.title.localeCompare(b.doc.title);
    });
    return { terms: terms.map(function (t) { return t.forms; }), results: results, partial: partial && results.length > 0,
             loading: deep.some(function (d) { return d === null; }) };
  }

  /* Edits between two words (insert, delete, replace, swap two neighbours), or more than `limit`. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
        cur.push(d);
        if (d < best) best = d;
      }
      if (best > limit) return limit + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  /* For a query that finds nothing: the same query with each word no page has replaced by the nearest
     word that one has (one edit for words of up to four letters, two for longer: "adherance" →
     "adherence", "touchpint" → "touchpoint"), from the words of titles and keywords and of the word's
     loaded shards; the word on more pages wins a tie. null when no word needs or finds a change. */
  function suggest(docs, query, shards) {
    var terms = queryTerms(query);
    if (!terms.length) return null;
    var changed = false;
    var titled = {};  // a word of titles and keywords → on how many pages
    docs.forEach(function (doc) {
      doc.titleWords.forEach(function (w) { titled[w] = (titled[w] || 0) + 1; });
      doc.keywordWords.forEach(function (ws) { ws.forEach(function (w) { titled[w] = (titled[w] || 0) + 1; }); });
    });
    var out = terms.map(function (t) {
      var known = Object.assign({}, titled);
      var keys = t.forms.map(shardKey);
      keys.forEach(function (key) {
        var shard = shards && shards[key];
        if (!shard || shard === "loading") return;
        Object.keys(shard).forEach(function (w) { known[w] = Math.max(known[w] || 0, shard[w].length); });
      });
      if (t.forms.some(function (f) { return known[f]; })) return t.word;
      var limit = t.word.length <= 4 ? 1 : 2, best = null, bestD = limit + 1, bestN = 0;
      if (t.word.length < 3) return t.word;
      Object.keys(known).forEach(function (w) {
        if (w.length < 3) return;
        var d = distance(t.word, w, limit);
        if (d < bestD || (d === bestD && d <= limit && known[w] > bestN)) { best = w; bestD = d; bestN = known[w]; }
      });
      if (best === null || bestD > limit) return t.word;
      changed = true;
      return best;
    });
    return changed ? out.join(" ") : null;
  }

  function el(name, className) {
    var node = document.createElement(name);
    if (className) node.className = className;
    return node;
  }

  /* Appends `text` to `parent` as text nodes, with the words that match `terms` in <mark>. */
  function highlight(parent, text, terms) {
    var re = new RegExp(WORD_SOURCE, WORD_FLAGS), last = 0, m;
    while ((m = re.exec(text))) {
      if (!match(fold(m[0]), terms)) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = el("mark");
      mark.textContent = m[0];
      parent.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /* About SNIPPET_WORDS words of the page's text around its first match (or its start). */
  function snippet(text, terms) {
    var re = new RegExp(WORD_SOURCE, WORD_FLAGS), tokens = [], m, first = -1;
    while ((m = re.exec(text))) {
      tokens.push([m.index, m.index + m[0].length]);
      if (first < 0 && match(fold(m[0]), terms)) first = tokens.length - 1;
    }
    if (!tokens.length) return text;
    var start = first < 0 ? 0 : Math.max(0, first - 8);
    var end = Math.min(tokens.length, start + SNIPPET_WORDS);
    var cut = text.slice(start === 0 ? 0 : tokens[start][0], end === tokens.length ? text.length : tokens[end - 1][1]);
    return (start > 0 ? "… " : "") + cut.trim() + (end < tokens.length ? " …" : "");
  }

  /* The same, or null when no word of the text matches. */
  function passage(text, terms) {
    var re = new RegExp(WORD_SOURCE, WORD_FLAGS), m;
    while ((m = re.exec(text))) {
      if (match(fold(m[0]), terms)) return snippet(text, terms);
    }
    return null;
  }

  /* A result page's own text, fetched once (served pages only: a page opened from disk cannot fetch
     another). Parsed without running anything; navigation, the table of contents and the
     backlinks are left out, so the passage is one the page says itself. */
  var pageTexts = {};
  function pageText(url) {
    if (!pageTexts[url]) {
      pageTexts[url] = fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var main = page.querySelector("main") || page.body;
          if (!main) return "";
          main.querySelectorAll("nav, .toc, .breadcrumbs, .backlinks, script, style, svg").forEach(function (n) { n.remove(); });
          return (main.textContent || "").replace(/\s+/g, " ").trim();
        })
        .catch(function () { return ""; });
    }
    return pageTexts[url];
  }

  function href(url, anchor) {
    return root + url + (anchor ? "#" + anchor : "");
  }

  function renderResult(result, terms) {
    var doc = result.doc;
    var item = el("li", "search-result");
    var heading = el("h2", "search-result__title");
    var link = el("a");
    link.href = href(doc.url);
    highlight(link, doc.title, terms);
    heading.appendChild(link);
    item.appendChild(heading);

    var meta = el("p", "search-result__meta");
    var badge = el("span", "badge");
    badge.setAttribute("data-type", doc.type[0]);
    badge.textContent = doc.type[1];
    meta.appendChild(badge);
    var path = doc.url.replace(/(^|\/)index\.html$/, "").replace(/\/$/, "");
    if (path) {
      var where = el("span", "search-result__path");
      where.textContent = " " + decode(path).split("/").join(" › ");
      meta.appendChild(where);
    }
    item.appendChild(meta);

    if (doc.text) {
      var text = el("p", "search-result__snippet");
      highlight(text, snippet(doc.text, terms), terms);
      item.appendChild(text);
    }

    // Words found only further into the page: a link that takes the reader to the first of them.
    if (result.further.length) {
      var further = el("p", "search-result__further");
      var jump = el("a");
      jump.href = href(doc.url) + "#:~:" + result.further.map(function (w) { return "text=" + encodeURIComponent(w); }).join("&");
      jump.appendChild(document.createTextNode("Further down: "));
      result.further.forEach(function (w, n) {
        if (n) jump.appendChild(document.createTextNode(", "));
        var mark = el("mark");
        mark.textContent = w;
        jump.appendChild(mark);
      });
      further.appendChild(jump);
      item.appendChild(further);
      // On a server, the passage where the words are replaces the page's first lines (MkDocs-like).
      if (/^https?:$/.test(location.protocol) && window.fetch && window.DOMParser && result.rank < PASSAGE_RESULTS) {
        pageText(href(doc.url)).then(function (full) {
          var found = full && passage(full, terms);
          if (!found) return;
          var text = item.querySelector(".search-result__snippet");
          if (!text) {
            text = el("p", "search-result__snippet");
            item.insertBefore(text, further);
          }
          while (text.firstChild) text.removeChild(text.firstChild);
          highlight(text, found, terms);
        });
      }
    }

    // Keywords that matched: sections (stages, touchpoints, headings) as links, other words as a line.
    var seen = {}, sections = [], other = [];
    result.hits.forEach(function (i) {
      if (seen[i]) return;
      seen[i] = true;
      (doc.keywords[i].anchor ? sections : other).push(doc.keywords[i]);
    });
    if (other.length) {
      var also = el("p", "search-result__also");
      also.appendChild(document.createTextNode("Matches: "));
      other.slice(0, 4).forEach(function (k, n) {
        if (n) also.appendChild(document.createTextNode(", "));
        highlight(also, k.text, terms);
      });
      item.appendChild(also);
    }
    if (sections.length) {
      var list = el("ul", "search-result__sections");
      list.setAttribute("aria-label", "Matching sections of " + doc.title);
      sections.slice(0, MAX_SECTIONS).forEach(function (k) {
        var li = el("li"), a = el("a");
        a.href = href(doc.url, k.anchor);
        highlight(a, k.text, terms);
        li.appendChild(a);
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    return item;
  }

  function start() {
    var form = document.getElementById("wm-search-form");
    var input = document.getElementById("wm-search-input");
    var status = document.getElementById("wm-search-status");
    var list = document.getElementById("wm-search-results");
    if (!form || !input || !status || !list) return;
    var data = window.WaymarkSearchIndex;
    if (!data || !data.pages) {
      status.textContent = "The search index (search/index.js) could not be loaded; rebuild the site.";
      return;
    }
    var docs = prepare(data);
    var baseTitle = document.title;
    var timer = null;
    var current = null;

    // The word shards: which exist (search/words/index.js lists them), and those loaded or loading.
    var wordIndex = window.WaymarkSearchWords || { shards: [], version: "" };
    var exists = {}, shards = {};
    (wordIndex.shards || []).forEach(function (key) { exists[key] = true; });

    function load(key, query) {
      if (!exists[key] || shards[key]) return;
      shards[key] = "loading";
      var tag = document.createElement("script");
      tag.src = root + "search/words/" + shardFile(key) + ".js?v=" + encodeURIComponent(wordIndex.version || "");
      function done() {
        var loaded = window.WaymarkSearchShards && window.WaymarkSearchShards[key];
        // A shard that cannot be loaded counts as empty: the results from the index stay.
        shards[key] = loaded || {};
        if (current === query) run(query, false);
      }
      tag.onload = done;
      tag.onerror = done;
      document.head.appendChild(tag);
    }

    function run(query, remember) {
      current = query;
      queryTerms(query).forEach(function (t) { t.forms.forEach(function (f) { load(shardKey(f), query); }); });
      var found = search(docs, query, shards);
      while (list.firstChild) list.removeChild(list.firstChild);
      var q = query.trim();
      document.title = q ? "\u201c" + q + "\u201d \u2013 " + baseTitle : baseTitle;
      if (remember) {
        try { history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (e) { /* file:// may refuse */ }
      }
      if (!found.terms.length) { status.textContent = ""; return; }
      var n = found.results.length;
      var shown = found.results.slice(0, MAX_RESULTS);
      shown.forEach(function (r, k) { r.rank = k; list.appendChild(renderResult(r, found.terms)); });
      var quoted = "\u201c" + q + "\u201d";
      if (!n && found.loading) status.textContent = "Searching\u2026";
      else if (!n) {
        status.textContent = "No results for " + quoted + ".";
        var better = suggest(docs, q, shards);
        if (better) {
          // "Did you mean adherence?": a link that searches for it.
          status.appendChild(document.createTextNode(" Did you mean "));
          var again = el("a");
          again.href = "?q=" + encodeURIComponent(better);
          again.textContent = better;
          again.addEventListener("click", function (event) {
            event.preventDefault();
            input.value = better;
            run(better, true);
            input.focus();
          });
          status.appendChild(again);
          status.appendChild(document.createTextNode("?"));
        } else {
          status.appendChild(document.createTextNode(" Try fewer words, or another department's word for it."));
        }
      }
      else if (found.partial) status.textContent = "No page has all of " + quoted + "; " + n + " page" + (n === 1 ? " has" : "s have") + " some of the words.";
      else status.textContent = n + " result" + (n === 1 ? "" : "s") + " for " + quoted + (n > shown.length ? "; showing the first " + shown.length : "") + ".";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run(input.value, true);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value, true); }, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown") return;
      var first = list.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    });
    // Arrow keys move through every link in the results; Escape goes back to the search box.
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Escape") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      event.preventDefault();
      if (event.key === "Escape") { input.focus(); return; }
      var next = event.key === "ArrowDown" ? i + 1 : i - 1;
      if (next < 0) input.focus();
      else if (next < links.length) links[next].focus();
    });

    var initial = new URLSearchParams(location.search).get("q") || "";
    if (initial) {
      input.value = initial;
      run(initial, false);
    }
    // The field has the focus, as after a search from the header: the query can be changed at once,
    // and the results are one Tab or arrow key away (not eleven Tabs through the page's header).
    try {
      input.focus({ preventScroll: true });
      input.setSelectionRange(input.value.length, input.value.length);
    } catch (e) { /* an old browser: no focus */ }
  }

  // Outside a browser (the test suite runs it in Node) the searching itself is what is wanted.
  if (typeof document === "undefined") {
    if (typeof module !== "undefined") {
      module.exports = { fold: fold, words: words, indexWords: indexWords, prepare: prepare, search: search, suggest: suggest, shardKey: shardKey, shardFile: shardFile };
    }
    return;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
