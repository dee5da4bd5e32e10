// dossier search: client-side full-text search over the sharded index in
// search/ (built by src/search.rs). Index files are classic scripts added
// with <script> tags on demand, so search works from file:// without a
// server; each one calls __dossierSearch(kind, n, data).
//
// Ranking: documents matching more query words first, then those with a
// title or entity match (weight >= 6), then by score (sum over words of
// idf x weight). Results link to the best-matching paragraph.
(function () {
  'use strict';
  var current = document.currentScript;
  if (!current) return;
  var ROOT = new URL('../', current.src).href;
  var STRONG = 6;
  var loaded = {}; // key -> data
  var waiting = {}; // key -> promise
  var files = []; // index files loaded, in order (for measurements)

  window.__dossierSearch = function (kind, n, data) {
    loaded[kind + n] = data;
  };

  function load(kind, n) {
    var key = kind + n;
    if (key in loaded) return Promise.resolve(loaded[key]);
    if (waiting[key]) return waiting[key];
    var path = kind === 'manifest' ? 'search/index.js' : 'search/' + (kind === 'terms' ? 't/' : 'd/') + n + '.js';
    waiting[key] = new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = ROOT + path;
      s.async = true;
      s.onload = function () {
        if (key in loaded) {
          files.push(path);
          resolve(loaded[key]);
        } else {
          reject(new Error('search index file ' + path + ' did not register'));
        }
      };
      s.onerror = function () {
        delete waiting[key];
        reject(new Error('cannot load search index file ' + path));
      };
      document.head.appendChild(s);
    });
    return waiting[key];
  }

  // Compares by code point, as Rust orders strings.
  function cmp(a, b) {
    if (a === b) return 0;
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  function shardOf(firsts, term) {
    var lo = 0, hi = firsts.length; // first index with firsts[i] > term
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (cmp(firsts[mid], term) <= 0) lo = mid + 1; else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  // Same as terms() in src/search.rs, without the stop-word filter.
  function words(text) {
    var folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    return folded.split(/[^\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/u).filter(function (t) {
      var n = Array.from(t).length;
      return n >= 2 && n <= 40;
    });
  }

  // Runs a query; resolves to {results: [{doc, para, ...}] best first, groups}.
  function search(query) {
    return load('manifest', 0).then(function (m) {
      var stop = new Set(m.stop);
      var raw = words(query);
      var exact = [];
      raw.forEach(function (t) { if (!stop.has(t) && exact.indexOf(t) < 0) exact.push(t); });
      exact = exact.slice(0, 6); // bounds the shards one query loads
      var last = raw[raw.length - 1];
      var prefix = last && Array.from(last).length >= 3 && /[\p{L}\p{N}]$/u.test(query) ? last : null;
      var want = new Set(exact.map(function (t) { return shardOf(m.shards, t); }));
      var pshards = [];
      if (prefix) {
        var i = shardOf(m.shards, prefix);
        pshards.push(i);
        if (i + 1 < m.shards.length && m.shards[i + 1].indexOf(prefix) === 0) pshards.push(i + 1);
        pshards.forEach(function (s) { want.add(s); });
      }
      return Promise.all(Array.from(want).map(function (s) { return load('terms', s); })).then(function () {
        var groups = exact.map(function (t) {
          var e = (loaded['terms' + shardOf(m.shards, t)] || {})[t];
          return { label: t, terms: e ? [[e, 1]] : [] };
        });
        if (prefix) {
          var g = groups.filter(function (x) { return x.label === prefix; })[0];
          if (!g) { g = { label: prefix, terms: [] }; groups.push(g); }
          var more = [];
          pshards.forEach(function (s) {
            var shard = loaded['terms' + s];
            Object.keys(shard).forEach(function (t) {
              if (t !== prefix && t.indexOf(prefix) === 0) more.push([t, shard[t]]);
            });
          });
          more.sort(function (a, b) { return b[1][0] - a[1][0] || cmp(a[0], b[0]); });
          more.slice(0, 30).forEach(function (x) { g.terms.push([x[1], 0.8]); });
        }
        return { groups: groups, results: rank(groups, m.docs) };
      });
    });
  }

  function rank(groups, n) {
    var docs = new Map();
    groups.forEach(function (g, gi) {
      g.terms.forEach(function (pair) {
        var e = pair[0], factor = pair[1];
        var idf = Math.log(1 + n / Math.max(1, e[0]));
        var p = e[1];
        for (var i = 0; i + 2 < p.length; i += 3) {
          var d = p[i], para = p[i + 1], w = p[i + 2], s = idf * w * factor;
          var r = docs.get(d);
          if (!r) { r = { doc: d, best: new Map(), paras: new Map(), strong: false }; docs.set(d, r); }
          if (w >= STRONG) r.strong = true;
          if ((r.best.get(gi) || 0) < s) r.best.set(gi, s);
          if (para > 0) r.paras.set(para, (r.paras.get(para) || 0) + s);
        }
      });
    });
    var list = Array.from(docs.values()).map(function (r) {
      var score = 0, para = 0, ps = 0;
      r.best.forEach(function (s) { score += s; });
      r.paras.forEach(function (s, k) { if (s > ps || (s === ps && k < para)) { ps = s; para = k; } });
      return { doc: r.doc, para: para, matched: r.best.size, strong: r.strong, score: score };
    });
    list.sort(function (a, b) {
      return b.matched - a.matched || (b.strong - a.strong) || b.score - a.score || a.doc - b.doc;
    });
    return list;
  }

  // Loads the documents of results [from, to).
  function details(results, from, to) {
    return load('manifest', 0).then(function (m) {
      var slice = results.slice(from, to);
      return Promise.all(slice.map(function (r) { return load('docs', Math.floor(r.doc / m.bucket)); })).then(function () {
        return slice.map(function (r) {
          var doc = loaded['docs' + Math.floor(r.doc / m.bucket)][r.doc % m.bucket];
          var para = r.para > 0 ? doc.paragraphs[r.para - 1] : null;
          var url = new URL(doc.url, ROOT).href + (para ? '#' + para[0] : '');
          var text = para ? para[1] : (doc.paragraphs[0] ? doc.paragraphs[0][1] : '');
          return { url: url, title: doc.title, date: doc.date, kind: doc.kind, para: para ? para[0] : null, text: text };
        });
      });
    });
  }

  // ---- display (all text goes in through textContent) ----

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function highlight(text, labels) {
    var frag = document.createDocumentFragment();
    var pats = labels.map(function (l) { return l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).filter(Boolean);
    var re = pats.length ? new RegExp('(^|[^\\p{L}\\p{N}])(' + pats.join('|') + ')', 'giu') : null;
    var start = 0;
    if (re) {
      var first = re.exec(text);
      if (first && first.index > 90) start = text.indexOf(' ', first.index - 70) + 1;
      re.lastIndex = 0;
    }
    var end = Math.min(text.length, start + 240);
    if (end < text.length) { var sp = text.lastIndexOf(' ', end); if (sp > start + 120) end = sp; }
    var piece = text.slice(start, end);
    if (start > 0) frag.appendChild(document.createTextNode('… '));
    var pos = 0, mt;
    if (re) {
      while ((mt = re.exec(piece)) !== null) {
        var at = mt.index + mt[1].length;
        frag.appendChild(document.createTextNode(piece.slice(pos, at)));
        frag.appendChild(el('mark', null, mt[2]));
        pos = at + mt[2].length;
        if (mt[0].length === 0) re.lastIndex++;
      }
    }
    frag.appendChild(document.createTextNode(piece.slice(pos)));
    if (end < text.length) frag.appendChild(document.createTextNode(' …'));
    return frag;
  }

  function item(r, labels) {
    var li = el('li', 'result');
    var a = el('a', null, r.title);
    a.href = r.url;
    li.appendChild(a);
    var meta = [];
    if (r.kind !== 'article') meta.push(r.kind);
    if (r.date) meta.push(r.date);
    if (r.para) meta.push('paragraph ' + r.para.replace(/^p/, ''));
    if (meta.length) li.appendChild(el('span', 'meta', ' · ' + meta.join(' · ')));
    if (r.text) {
      var p = el('p', 'snippet');
      p.appendChild(highlight(r.text, labels));
      li.appendChild(p);
    }
    return li;
  }

  function labelsOf(groups) {
    return groups.map(function (g) { return g.label; });
  }

  var seq = 0;
  function panel(form, input, box) {
    var timer = null;
    function hide() { box.hidden = true; box.textContent = ''; }
    function run() {
      var q = input.value.trim();
      var my = ++seq;
      if (!q) { hide(); return; }
      search(q).then(function (res) {
        return details(res.results, 0, 6).then(function (rows) {
          if (my !== seq) return;
          box.textContent = '';
          box.appendChild(el('p', 'meta', res.results.length ? res.results.length + ' results' : 'No results for “' + q + '”'));
          var ol = el('ol', 'results');
          rows.forEach(function (r) { ol.appendChild(item(r, labelsOf(res.groups))); });
          box.appendChild(ol);
          if (res.results.length) {
            var all = el('a', 'all-results', 'All results for “' + q + '”');
            all.href = ROOT + 'search.html?q=' + encodeURIComponent(q);
            box.appendChild(all);
          }
          box.hidden = false;
        });
      }).catch(function (err) {
        if (my !== seq) return;
        box.textContent = '';
        box.appendChild(el('p', 'meta', 'Search is unavailable: ' + err.message));
        box.hidden = false;
      });
    }
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('keydown', function (e) { if (e.key === 'Escape') { hide(); } });
    document.addEventListener('click', function (e) { if (!form.contains(e.target)) hide(); });
  }

  function page(input) {
    var status = document.getElementById('search-status');
    var list = document.getElementById('search-results');
    var more = document.getElementById('search-more');
    var q = new URLSearchParams(location.search).get('q') || '';
    input.value = q;
    if (!q.trim()) { status.textContent = 'Type words to search for in the box above.'; return; }
    status.textContent = 'Searching…';
    search(q).then(function (res) {
      var shown = 0;
      var n = res.results.length;
      status.textContent = n ? n + (n === 1 ? ' result' : ' results') + ' for “' + q + '”' : 'No results for “' + q + '”';
      function next() {
        more.hidden = true;
        return details(res.results, shown, shown + 10).then(function (rows) {
          rows.forEach(function (r) { list.appendChild(item(r, labelsOf(res.groups))); });
          shown += rows.length;
          more.hidden = shown >= n;
        });
      }
      more.addEventListener('click', next);
      return next();
    }).catch(function (err) { status.textContent = 'Search is unavailable: ' + err.message; });
  }

  window.dossierSearch = { search: search, details: details, words: words, files: files };

  function start() {
    var input = document.getElementById('search-input');
    var form = input && input.form;
    var box = document.getElementById('search-panel');
    if (document.getElementById('search-results')) {
      page(input);
    } else if (form && box) {
      panel(form, input, box);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
