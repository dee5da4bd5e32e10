// Live reload for `dossier serve` (served at /__dossier/live.js and added to
// HTML responses by the server only; never part of the built site). Polls
// the build status: reloads the page after a rebuild, and shows the build
// error over the page while the build is broken.
(function () {
  'use strict';
  var me = document.currentScript;
  var version = Number(new URL(me.src).searchParams.get('v') || 0);
  var overlay = null;

  function show(error) {
    if (!overlay) {
      var css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/__dossier/live.css';
      document.head.appendChild(css);
      overlay = document.createElement('div');
      overlay.className = 'dossier-build-error';
      overlay.setAttribute('role', 'alert');
      var h = document.createElement('h2');
      h.textContent = 'dossier: the build failed';
      var pre = document.createElement('pre');
      var p = document.createElement('p');
      p.textContent = 'The last good build is still served. Fix the problem and save: this page reloads by itself.';
      overlay.append(h, pre, p);
      document.body.appendChild(overlay);
    }
    overlay.querySelector('pre').textContent = error;
  }

  function poll() {
    fetch('/__dossier/status', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.error) {
          show(s.error);
        } else if (s.version !== version) {
          location.reload();
          return;
        } else if (overlay) {
          overlay.remove();
          overlay = null;
        }
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
