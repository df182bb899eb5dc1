// 展厅大屏 (pages/screen.py, docs/screen.md): inlined into the page by civic/app/screen/html.py, which puts the
// configuration object in place of CFG. Keeps the clock, picks the layout from the viewport, reloads nightly,
// and reloads the page when the scene stops advancing while the server answers /_stcore/health.
(function (cfg) {
  var W = window;
  document.documentElement.lang = cfg.html_lang;
  var url = new URL(W.location.href);
  // 1. layout from the viewport when the URL does not name a valid one (one reload, then it is in the URL)
  var lay = url.searchParams.get('layout');
  if (cfg.layouts.indexOf(lay) < 0) {
    var w = W.innerWidth, h = W.innerHeight;
    var pick = (w / h >= 2.4) ? 'wide' : ((w >= 2560 || h >= 1440) ? '4k' : ((w < 1800 || h < 1000) ? '768p' : '1080p'));
    if (lay !== null || pick !== cfg.layout) {
      url.searchParams.set('layout', pick);
      W.location.replace(url.toString());
      return;
    }
  }
  if (W.__cvTimer) { W.clearInterval(W.__cvTimer); }
  W.__cvLoadedAt = W.__cvLoadedAt || Date.now();
  var health = new URL('_stcore/health', W.location.href).toString();
  var reloading = false;
  function reloadIfHealthy(why) {
    if (reloading) return;
    reloading = true;
    fetch(health, {cache: 'no-store'}).then(function (r) {
      if (r.ok) { console.info('screen: reload (' + why + ')'); W.location.reload(); }
      else { reloading = false; }
    }).catch(function () { reloading = false; });
  }
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  var lastTick = null, lastChange = Date.now();
  function tick() {
    var d = new Date();
    var hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    var wd = cfg.weekdays[(d.getDay() + 6) % 7];
    var ds = cfg.lang === 'zh' ? (d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + wd)
                               : (wd + ' ' + d.getDate() + ' ' + cfg.months[d.getMonth()] + ' ' + d.getFullYear());
    document.querySelectorAll('.cv-clock').forEach(function (el) { if (el.textContent !== hm) el.textContent = hm; });
    document.querySelectorAll('.cv-date').forEach(function (el) { if (el.textContent !== ds) el.textContent = ds; });
    // 2. watchdog: the scene marker must keep changing; if not and the server answers, reload
    var m = document.querySelector('.cv-marker');
    var tk = m ? m.getAttribute('data-tick') : null;
    if (tk !== lastTick) { lastTick = tk; lastChange = Date.now(); }
    else if (Date.now() - lastChange > cfg.watchdog_ms) { lastChange = Date.now(); reloadIfHealthy('watchdog'); }
    // 3. nightly reload (frees browser memory); only when the server is up, so no error page is shown
    if (cfg.reload_at && hm === cfg.reload_at && Date.now() - W.__cvLoadedAt > 120000) {
      reloadIfHealthy('nightly');
    }
  }
  tick();
  W.__cvTimer = W.setInterval(tick, 1000);
})(CFG);
