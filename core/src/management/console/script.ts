/**
 * The console's script. Every string from the API reaches the page through
 * `textContent` (never innerHTML). Live updates come from `GET /events`,
 * read with fetch so that the token can travel in a header when the API
 * asks for it (EventSource cannot send one). No template literal inside:
 * this file is itself one.
 */
export const CONSOLE_JS = String.raw`'use strict';
(function () {
  var state = { status: null, live: null, alarms: { active: [], cleared: [] }, history: [] };
  var $ = function (id) { return document.getElementById(id); };

  function token() { return $('token').value.trim(); }

  function headers(extra) {
    var h = Object.assign({ accept: 'application/json' }, extra || {});
    var t = token();
    if (t) h.authorization = 'Bearer ' + t;
    return h;
  }

  function say(text, kind) {
    var m = $('message');
    m.textContent = text;
    m.className = kind || '';
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function api(method, path, body) {
    var init = { method: method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }), cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { ok: res.ok, status: res.status, json: json }; });
    });
  }

  function errorText(r) {
    var e = r.json && r.json.error;
    if (e && e.message) return e.message + ' [' + e.code + ']';
    if (r.json && r.json.reason) return r.json.reason;
    return 'HTTP ' + r.status;
  }

  function fmtTime(ms) {
    if (typeof ms !== 'number') return '';
    return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function yesNo(v) { return v === true ? 'yes' : v === false ? 'no' : '—'; }

  // Nodes ------------------------------------------------------------------

  function nodeList() {
    var detailed = (state.status && state.status.nodes) || [];
    var live = (state.live && state.live.nodes) || null;
    if (!live) return detailed;
    return live.map(function (n) {
      var d = detailed.filter(function (x) { return x.id === n.id; })[0] || {};
      // Role, status, term and pid from the live feed; plugin sections from the last /status.
      return Object.assign({}, d, n);
    });
  }

  function renderNodes() {
    var box = $('nodes');
    var arbiter = (state.live && state.live.arbiter) || (state.status && state.status.arbiter);
    var cluster = (state.live && state.live.cluster) || (state.status && state.status.cluster);
    if (cluster) $('cluster').textContent = '— ' + cluster;
    if (arbiter) $('arbiter').textContent = 'arbiter ' + arbiter.kind + ', term ' + arbiter.term + ', primary ' + (arbiter.primary || 'none') + (arbiter.connected ? '' : ' (arbiter unreachable)');
    var cards = nodeList().map(function (n) {
      var card = el('article', null, 'card');
      card.setAttribute('data-node', n.id);
      card.setAttribute('data-role', n.role || '');
      var h = el('h3');
      h.appendChild(el('span', n.id, 'node-id'));
      h.appendChild(el('span', n.role || 'no role', 'badge role ' + (n.role || '')));
      h.appendChild(el('span', n.status, 'badge status ' + n.status));
      card.appendChild(h);
      var dl = el('dl');
      function row(k, v) { dl.appendChild(el('dt', k)); dl.appendChild(el('dd', v)); }
      row('term', n.term);
      row('pid', n.pid === null || n.pid === undefined ? '—' : n.pid);
      row('restarts', n.restarts);
      if (typeof n.lastHeartbeat === 'number') row('last heartbeat', n.lastHeartbeat.toFixed(1) + ' s ago');
      var sip = n.sip;
      if (sip && typeof sip === 'object') {
        row('SIP', sip.host + ':' + sip.port + (sip.listening ? ' listening' : ' NOT listening'));
        row('bindings', sip.bindings);
        if (sip.replication) row('replication', sip.replication.mode + ', in sync ' + yesNo(sip.replication.inSync) + ', lag ' + sip.replication.lag);
      }
      var vip = n.sipIptakeoverMonitoring;
      if (vip && typeof vip === 'object') row('VIP', vip.vip + ' ' + (vip.present ? 'present' : 'absent') + ' (expected ' + vip.expected + ')' + (vip.ok ? '' : ' FAILING'));
      if (Array.isArray(n.monitors) && n.monitors.length > 0) {
        row('monitors', n.monitors.map(function (m) { return m.monitor + ' ' + (m.ok ? 'ok' : 'failed' + (m.reason ? ': ' + m.reason : '')); }).join('; '));
      }
      card.appendChild(dl);
      return card;
    });
    box.replaceChildren.apply(box, cards);
  }

  // Alarms -----------------------------------------------------------------

  function renderAlarms() {
    var table = $('alarms');
    var body = table.tBodies[0];
    var active = state.alarms.active || [];
    $('no-alarms').hidden = active.length > 0;
    table.className = active.length > 0 ? 'filled' : '';
    body.replaceChildren.apply(body, active.map(function (a) {
      var tr = el('tr');
      tr.setAttribute('data-alarm', a.id);
      tr.appendChild(el('td', a.severity, a.severity));
      tr.appendChild(el('td', a.id));
      tr.appendChild(el('td', a.node));
      tr.appendChild(el('td', a.count));
      tr.appendChild(el('td', fmtTime(a.lastSeen)));
      tr.appendChild(el('td', a.message));
      var td = el('td');
      var b = el('button', 'Clear');
      b.type = 'button';
      b.addEventListener('click', function () { clearAlarm(a.id); });
      td.appendChild(b);
      tr.appendChild(td);
      return tr;
    }));
  }

  function clearAlarm(id) {
    if (!token()) { say('Enter the management token to clear an alarm.', 'error'); $('token').focus(); return; }
    api('POST', '/alarms/' + encodeURIComponent(id) + '/clear', { by: 'console' }).then(function (r) {
      if (r.ok) { say('Alarm ' + id + ' cleared.', 'ok'); loadAlarms(); } else say('Clearing ' + id + ' refused: ' + errorText(r), 'error');
    }, function (e) { say('Clearing ' + id + ' failed: ' + e.message, 'error'); });
  }

  // History ----------------------------------------------------------------

  function renderHistory() {
    var table = $('history');
    var body = table.tBodies[0];
    var list = state.history || [];
    $('no-history').hidden = list.length > 0;
    table.className = list.length > 0 ? 'filled' : '';
    body.replaceChildren.apply(body, list.slice(0, 50).map(function (h) {
      var tr = el('tr');
      tr.appendChild(el('td', fmtTime(h.at)));
      tr.appendChild(el('td', h.term));
      tr.appendChild(el('td', h.from));
      tr.appendChild(el('td', h.to));
      tr.appendChild(el('td', h.by === 'arbiter' ? 'arbiter' : h.by + ' (' + h.requester + ')'));
      tr.appendChild(el('td', h.gapMs === null || h.gapMs === undefined ? '—' : h.gapMs + ' ms'));
      tr.appendChild(el('td', h.reason));
      return tr;
    }));
  }

  // Loading ----------------------------------------------------------------

  function unauthorised(r) {
    if (r.status === 401) { say('This API wants the management token for reads too: enter it above.', 'error'); return true; }
    return false;
  }

  function loadStatus() {
    return api('GET', '/status').then(function (r) { if (r.ok) { state.status = r.json; renderNodes(); } else unauthorised(r); }, function () {});
  }
  function loadAlarms() {
    return api('GET', '/alarms').then(function (r) { if (r.ok) { state.alarms = r.json; renderAlarms(); } else unauthorised(r); }, function () {});
  }
  function loadHistory() {
    return api('GET', '/history').then(function (r) { if (r.ok) { state.history = r.json.switchovers; renderHistory(); } else unauthorised(r); }, function () {});
  }

  var statusTimer = null;
  function soonStatus() {
    if (statusTimer) return;
    statusTimer = setTimeout(function () { statusTimer = null; loadStatus(); }, 300);
  }

  function setLive(on) {
    var b = $('live');
    b.textContent = on ? 'live' : 'offline, retrying';
    b.className = 'badge ' + (on ? 'on' : 'off');
  }

  function onEvent(type, data) {
    var value;
    try { value = JSON.parse(data); } catch (e) { return; }
    if (type === 'nodes') { state.live = value; renderNodes(); soonStatus(); }
    else if (type === 'alarms') { state.alarms = value; renderAlarms(); }
    else if (type === 'history') { state.history = value.switchovers; renderHistory(); }
  }

  // Server-sent events over fetch, so a token can go in the Authorization header.
  // One stream at a time: a new one (the token was entered) replaces the old.
  var current = null;
  var retryTimer = null;
  function stream() {
    if (current) current.abort();
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    var controller = new AbortController();
    current = controller;
    var retry = function () {
      if (current !== controller || retryTimer) return;
      setLive(false);
      retryTimer = setTimeout(function () { retryTimer = null; if (current === controller) stream(); }, 1000);
    };
    fetch('/events', { headers: headers({ accept: 'text/event-stream' }), cache: 'no-store', signal: controller.signal }).then(function (res) {
      if (!res.ok || !res.body) { if (res.status === 401) unauthorised(res); return retry(); }
      setLive(true);
      say('');
      loadStatus(); loadAlarms(); loadHistory();
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return retry();
          buffer += decoder.decode(chunk.value, { stream: true });
          var end;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            var frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            var type = 'message', data = [];
            frame.split('\n').forEach(function (line) {
              if (line.indexOf('event: ') === 0) type = line.slice(7);
              else if (line.indexOf('data: ') === 0) data.push(line.slice(6));
            });
            if (data.length > 0) onEvent(type, data.join('\n'));
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () { retry(); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('auth').addEventListener('submit', function (e) { e.preventDefault(); stream(); });
    $('switchover').addEventListener('submit', function (e) {
      e.preventDefault();
      var reason = $('reason').value.trim();
      say('Switchover requested…');
      // Sent even without a token: the API decides, and the page shows its answer.
      api('POST', '/switchover', reason ? { reason: reason } : {}).then(function (r) {
        if (r.ok) say('Switchover done: ' + r.json.primary + ' is primary (term ' + r.json.term + ').', 'ok');
        else say('Switchover refused: ' + errorText(r), 'error');
        loadStatus(); loadHistory();
      }, function (err) { say('Switchover failed: ' + err.message, 'error'); });
    });
    stream();
    setInterval(loadStatus, 5000);
  });
})();
`;
