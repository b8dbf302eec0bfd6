/**
 * The report's script, inlined into index.html. It builds every piece of target data with
 * textContent (never innerHTML), so nothing a server sent can become markup. It reads the JSON in
 * <script id="report-data" type="application/json">, filters the check table and builds expanded
 * rows only when opened, which keeps large runs responsive. The filters and the opened check live
 * in the URL hash (#outcome=fail&level=MUST&q=kickoff&check=ID), so a link opens the same view.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var PAGE = 200;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var CLIENT = data.subject === 'client';
  var exchangesById = {};
  data.exchanges.forEach(function (x) { exchangesById[x.id] = x; });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function headerLines(headers) {
    return Object.keys(headers || {}).map(function (k) { return k + ': ' + headers[k]; }).join('\n');
  }
  function ms(n) { return n === undefined || n === null ? '' : n + ' ms'; }

  // A heading with a copy button over a command in a <pre>.
  function copyable(title, text, className) {
    var wrap = el('div', 'copyable');
    var h = el('h4', null, title);
    var pre = el('pre', className, text);
    var button = el('button', 'copy', 'copy');
    button.type = 'button';
    button.addEventListener('click', function (ev) {
      ev.stopPropagation();
      var range = document.createRange();
      range.selectNodeContents(pre);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      try {
        if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { button.textContent = 'copied'; }, function () { button.textContent = 'selected: press Ctrl+C'; });
        else button.textContent = 'selected: press Ctrl+C';
      } catch (e) { button.textContent = 'selected: press Ctrl+C'; }
    });
    add(h, button);
    return add(wrap, h, pre);
  }

  function exchangeContent(x) {
    var box = el('div');
    var req = x.method + ' ' + x.url + '\n' + headerLines(x.requestHeaders);
    if (x.requestBody) req += '\n\n' + x.requestBody;
    // A client report shows what the client sent and what the mock answered it.
    add(box, el('h4', null, CLIENT ? 'What the client sent' : 'Request'), el('pre', null, req));
    add(box, el('h4', null, CLIENT ? 'What the mock answered' : 'Response'));
    if (x.status === undefined) {
      add(box, el('pre', null, 'no response: ' + (x.error || 'unknown transport failure')));
    } else {
      var res = 'HTTP ' + x.status + '\n' + headerLines(x.responseHeaders);
      if (x.responseBody) res += '\n\n' + x.responseBody;
      add(box, el('pre', null, res));
      var notes = [];
      if (x.bodyOmitted) notes.push('Body left out: it may hold patient data (run with --include-samples to keep it).');
      else if (x.responseBody === undefined && x.bodyBytes) notes.push('Body not recorded (streamed download).');
      if (x.bodyCut) notes.push('Body truncated: the first ' + data.bodyChars + ' characters at most are shown here (report.json keeps more).');
      if (x.bodyBytes !== undefined) notes.push(x.bodyBytes + ' bytes on the wire.');
      if (notes.length) add(box, el('p', 'muted small', notes.join(' ')));
      if (x.error) add(box, el('p', 'muted small', 'Transport problem: ' + x.error));
    }
    add(box, el('p', 'muted small', (x.tls ? 'Over ' + x.tls + ' · ' : '') + 'Started ' + x.startedAt + (x.headersMs !== undefined ? ' · headers after ' + ms(x.headersMs) : '') + ' · complete after ' + ms(x.durationMs)));
    if (CLIENT) {
      // The client's own request: nothing to repeat with curl (the scenario's mock has closed).
    } else if (data.mockCommand) {
      add(box, copyable('Reproduce: start a mock like the run\'s ', data.mockCommand, 'mock-command'),
        el('p', 'muted small', 'The run\'s embedded mock listened on a port that closed when the run ended; this starts one with the same faults and options on port 4010. Get a token from it with the credentials that bcda-conformance mock --list-credentials prints.'));
      add(box, copyable('Reproduce with curl, against that mock ', x.curl, 'curl'));
    } else {
      add(box, copyable('Reproduce with curl ', x.curl, 'curl'));
    }
    add(box, el('p', 'muted small', 'Set BCDA_TOKEN to a bearer token (and BCDA_BASIC to base64 of client_id:client_secret for /auth/token) first.'));
    return box;
  }

  function exchangeBox(id, open) {
    var x = exchangesById[id];
    var d = el('details', 'exchange-box');
    if (!x) { add(d, el('summary', null, id + ' (not recorded)')); return d; }
    add(d, el('summary', null, x.id + ' · ' + x.method + ' ' + x.url + ' → ' + (x.status !== undefined ? x.status : 'no response') + ' · ' + x.label));
    var filled = false;
    d.addEventListener('toggle', function () {
      if (d.open && !filled) { filled = true; d.appendChild(exchangeContent(x)); }
    });
    if (open) d.open = true;
    return d;
  }

  // ref: { text, href, title, note } from payload.ts (links are built from fixed tables, not from the target).
  function refNode(ref) {
    var li = el('li');
    if (ref.href) {
      var a = el('a', null, ref.text);
      a.href = ref.href;
      if (ref.title) a.title = ref.title;
      a.rel = 'noreferrer';
      li.appendChild(a);
    } else {
      li.textContent = ref.text;
    }
    if (ref.note) add(li, el('span', 'muted small', ' (' + ref.note + ')'));
    return li;
  }

  function checkDetail(c) {
    var box = el('div', 'detail');
    add(box, el('p', null, c.description));
    if (c.expected !== undefined) add(box, el('p', null, (CLIENT ? 'What the client should have done: ' : 'Expected: ') + c.expected));
    if (c.actual !== undefined) add(box, el('p', null, (CLIENT ? 'What it did: ' : 'Observed: ') + c.actual));
    if (c.knownDeviation) add(box, el('p', 'note', 'Known deviation of the real server: ' + c.knownDeviation));
    var refs = el('ul');
    c.refs.forEach(function (r) { refs.appendChild(refNode(r)); });
    add(box, el('h4', null, 'References'), refs);
    add(box, el('p', 'muted small', 'Started ' + c.startedAt + ' · took ' + ms(c.durationMs)));
    var evidenceTitle = CLIENT
      ? (c.evidence.length ? 'What the client did, request by request (' + c.evidence.length + ')' : 'No request of the client to show')
      : (c.evidence.length ? 'Evidence (' + c.evidence.length + ' exchange' + (c.evidence.length === 1 ? '' : 's') + ')' : 'Evidence: none recorded');
    add(box, el('h4', null, evidenceTitle));
    c.evidence.forEach(function (id, i) { box.appendChild(exchangeBox(id, i === 0 && c.evidence.length <= 3)); });
    return box;
  }

  function toggleRow(row, build, cols) {
    var next = row.nextElementSibling;
    if (next && next.classList.contains('detail')) {
      next.remove();
      row.setAttribute('aria-expanded', 'false');
      return;
    }
    var tr = el('tr', 'detail');
    var td = el('td');
    td.colSpan = cols;
    add(tr, add(td, build()));
    row.parentNode.insertBefore(tr, row.nextSibling);
    row.setAttribute('aria-expanded', 'true');
  }
  function onActivate(row, fn) {
    row.addEventListener('click', fn);
    row.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); fn(); } });
  }

  // The check table: rows are in the page; details are built on first open.
  var checkRows = Array.prototype.slice.call(document.querySelectorAll('tr.check'));
  var rowById = {};
  var openId = null;
  function isOpen(row) {
    var next = row.nextElementSibling;
    return Boolean(next && next.classList.contains('detail'));
  }
  function toggleCheck(row) {
    var c = data.checks[Number(row.getAttribute('data-i'))];
    toggleRow(row, function () { return checkDetail(c); }, 6);
    // The hash names the check opened last; closing it names another still open, if any.
    if (isOpen(row)) openId = c.id;
    else if (openId === c.id) {
      var still = checkRows.filter(isOpen)[0];
      openId = still ? still.getAttribute('data-id') : null;
    }
    writeHash();
  }
  checkRows.forEach(function (row) {
    rowById[row.getAttribute('data-id')] = row;
    onActivate(row, function () { toggleCheck(row); });
  });

  var outcomeBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name=outcome]'));
  var levelSel = document.getElementById('f-level');
  var areaSel = document.getElementById('f-area');
  var search = document.getElementById('f-search');
  var shown = document.getElementById('f-shown');
  function applyFilters() {
    var outcomes = {};
    outcomeBoxes.forEach(function (b) { if (b.checked) outcomes[b.value] = true; });
    var level = levelSel.value, area = areaSel.value, q = search.value.trim().toLowerCase();
    var n = 0;
    checkRows.forEach(function (row) {
      var ok = outcomes[row.getAttribute('data-outcome')] &&
        (!level || row.getAttribute('data-level') === level) &&
        (!area || row.getAttribute('data-area') === area) &&
        (!q || row.getAttribute('data-search').indexOf(q) >= 0);
      row.classList.toggle('hidden', !ok);
      var next = row.nextElementSibling;
      if (next && next.classList.contains('detail')) next.classList.toggle('hidden', !ok);
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + checkRows.length + ' checks shown';
  }

  // The view in the URL hash. Only what differs from the default is written, so an untouched page
  // has no hash; a hash without "=" is an ordinary anchor (#checks) and is left to the browser.
  function enc(v) { return encodeURIComponent(v).replace(/%2C/g, ','); }
  function viewHash() {
    var parts = [];
    var on = outcomeBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (on.length !== outcomeBoxes.length) parts.push('outcome=' + on.join(','));
    if (levelSel.value) parts.push('level=' + enc(levelSel.value));
    if (areaSel.value) parts.push('area=' + enc(areaSel.value));
    if (search.value.trim()) parts.push('q=' + enc(search.value.trim()));
    if (openId) parts.push('check=' + enc(openId));
    return parts.join('&');
  }
  function writeHash() {
    var h = viewHash();
    var url = location.href.split('#')[0] + (h ? '#' + h : '');
    if (url === location.href) return;
    try { history.replaceState(null, '', url); } catch (e) { /* a browser that refuses keeps the old hash */ }
  }
  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (h.indexOf('=') < 0) return null;
    var view = {};
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i <= 0) return;
      try { view[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' ')); } catch (e) { /* a broken escape is ignored */ }
    });
    return view;
  }
  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    select.value = known ? value : '';
  }
  function showView(view) {
    var outs = view.outcome !== undefined ? view.outcome.split(',') : null;
    outcomeBoxes.forEach(function (b) { b.checked = !outs || outs.indexOf(b.value) >= 0; });
    choose(levelSel, view.level || '');
    choose(areaSel, view.area || '');
    search.value = view.q || '';
    applyFilters();
    var row = view.check ? rowById[view.check] : null;
    openId = row ? view.check : null;
    if (row) {
      if (!isOpen(row)) toggleCheck(row);
      row.scrollIntoView({ block: 'start' });
      row.focus({ preventScroll: true });
    }
    writeHash();
  }

  function filtersChanged() { applyFilters(); writeHash(); }
  outcomeBoxes.forEach(function (b) { b.addEventListener('change', filtersChanged); });
  levelSel.addEventListener('change', filtersChanged);
  areaSel.addEventListener('change', filtersChanged);
  search.addEventListener('input', filtersChanged);
  Array.prototype.slice.call(document.querySelectorAll('button.count')).forEach(function (b) {
    b.addEventListener('click', function () {
      var only = b.getAttribute('data-outcome');
      outcomeBoxes.forEach(function (box) { box.checked = !only || box.value === only; });
      filtersChanged();
      document.getElementById('checks').scrollIntoView();
    });
  });
  // Links to a check (the failure overview) show it in the full table, filters reset.
  Array.prototype.slice.call(document.querySelectorAll('a.check-link')).forEach(function (a) {
    a.addEventListener('click', function (ev) {
      ev.preventDefault();
      showView({ check: a.getAttribute('data-check') });
    });
  });
  window.addEventListener('hashchange', function () {
    var view = readHash();
    if (view) showView(view);
  });
  var initial = readHash();
  if (initial) showView(initial);
  else applyFilters();

  // The exchange list: built in pages so thousands of exchanges stay usable.
  var exBody = document.getElementById('exchange-rows');
  var exSearch = document.getElementById('x-search');
  var exMore = document.getElementById('x-more');
  var exInfo = document.getElementById('x-shown');
  var matching = [], rendered = 0;
  function exchangeRow(x) {
    var tr = el('tr', 'exchange');
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', 'false');
    add(tr, el('td', 'id', x.id), el('td', null, x.method), el('td', 'url', x.url), el('td', null, x.status !== undefined ? x.status : 'none'), el('td', 'text', x.label), el('td', null, ms(x.durationMs)));
    onActivate(tr, function () { toggleRow(tr, function () { return exchangeContent(x); }, 6); });
    return tr;
  }
  function renderMore() {
    var end = Math.min(matching.length, rendered + PAGE);
    var frag = document.createDocumentFragment();
    for (; rendered < end; rendered++) frag.appendChild(exchangeRow(matching[rendered]));
    exBody.appendChild(frag);
    exInfo.textContent = rendered + ' of ' + matching.length + ' exchanges listed' + (matching.length < data.exchanges.length ? ' (' + data.exchanges.length + ' in the run)' : '');
    exMore.classList.toggle('hidden', rendered >= matching.length);
  }
  function filterExchanges() {
    var q = exSearch.value.trim().toLowerCase();
    matching = data.exchanges.filter(function (x) {
      return !q || (x.id + ' ' + x.method + ' ' + x.url + ' ' + x.status + ' ' + x.label + ' ' + (x.operationId || '')).toLowerCase().indexOf(q) >= 0;
    });
    exBody.textContent = '';
    rendered = 0;
    renderMore();
  }
  exSearch.addEventListener('input', filterExchanges);
  exMore.addEventListener('click', renderMore);
  filterExchanges();
})();
`;
