// The trace viewer: builds the page from the JSON in #retrace-trace. Every string from the
// trace goes through textContent, never innerHTML.
//
// Sized for runs of 10k+ messages: the timeline and the searches table draw only the rows in
// view (fixed-height rows, positioned in a spacer as tall as the whole list), a job's steps are
// one row until it is opened, and a message's body is drawn in the detail pane when it is picked.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('retrace-trace').textContent);
  var app = document.getElementById('app');
  var ROW = 22;
  var OVERSCAN = 12;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'className') e.className = attrs[k];
        else if (k === 'style') e.setAttribute('style', attrs[k]);
        else e.setAttribute(k, attrs[k]);
      }
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function ms(x) { return '+' + x.toFixed(1) + ' ms'; }
  function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' kB' : (n / 1048576).toFixed(1) + ' MB'; }
  function fixed(x, d) { return typeof x === 'number' ? x.toFixed(d) : '–'; }

  // A scrolling box that draws only the items in view. `draw(item, index)` makes an item's row.
  function virtualList(box, draw) {
    var spacer = el('div', { className: 'spacer' });
    box.appendChild(spacer);
    var items = [];
    var shown = {};
    var pending = false;
    function paint() {
      pending = false;
      var top = Math.max(0, box.scrollTop - spacer.offsetTop);
      var height = box.clientHeight || 600;
      var first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
      var last = Math.min(items.length, Math.ceil((top + height) / ROW) + OVERSCAN);
      Object.keys(shown).forEach(function (k) {
        var i = Number(k);
        if (i < first || i >= last) { spacer.removeChild(shown[k]); delete shown[k]; }
      });
      for (var i = first; i < last; i++) {
        if (shown[i]) continue;
        var row = draw(items[i], i);
        row.style.top = (i * ROW) + 'px';
        spacer.appendChild(row);
        shown[i] = row;
      }
    }
    box.addEventListener('scroll', function () {
      if (!pending) { pending = true; requestAnimationFrame(paint); }
    });
    return {
      set: function (next) {
        items = next;
        Object.keys(shown).forEach(function (k) { spacer.removeChild(shown[k]); });
        shown = {};
        spacer.style.height = (items.length * ROW) + 'px';
        box.setAttribute('data-items', String(items.length));
        paint();
      },
      redraw: function () {
        Object.keys(shown).forEach(function (k) { spacer.removeChild(shown[k]); });
        shown = {};
        paint();
      },
      items: function () { return items; },
    };
  }

  // Summary of the run's starts and of the copies left out.
  var notes = [];
  if (model.starts.length > 1) notes.push(model.starts.length + ' starts (resumed)');
  if (model.duplicates > 0) notes.push(model.duplicates + ' duplicate copies not shown (redeliveries, publishes sent again)');
  if (notes.length) app.appendChild(el('p', { className: 'muted', id: 'notes', text: notes.join(' · ') }));

  // Agents
  var lanes = model.agents.map(function (a) { return a.name; });
  var laneOf = {};
  lanes.forEach(function (name, i) { laneOf[name] = i; });
  app.appendChild(el('h2', { text: 'Agents' }));
  var agentRows = model.agents.map(function (a) {
    return el('tr', { className: 'agent', 'data-agent': a.name }, [
      el('td', { className: 'mono', text: a.name }), el('td', { text: String(a.sent) }), el('td', { text: String(a.received) }),
    ]);
  });
  app.appendChild(el('table', { className: 'agents' }, [
    el('tr', null, [el('th', { text: 'agent' }), el('th', { text: 'sent' }), el('th', { text: 'received' })]),
  ].concat(agentRows)));

  // Timeline
  var title = el('h2', { text: 'Messages (' + model.messages.length + ')' });
  app.appendChild(title);
  var kinds = ['work', 'result', 'step', 'search', 'other'];
  var shownKinds = { work: true, result: true, step: true, search: true, other: true };
  var filterText = '';
  var collapse = true;
  var expanded = {};
  var controls = el('div', { className: 'controls' });
  kinds.forEach(function (k) {
    var box = el('input', { type: 'checkbox', 'data-kind': k });
    box.checked = true;
    box.addEventListener('change', function () { shownKinds[k] = box.checked; rebuild(); });
    controls.appendChild(el('label', { className: 'legend k-' + k }, [box, el('span'), document.createTextNode(k)]));
  });
  var collapseBox = el('input', { type: 'checkbox', id: 'collapse-steps' });
  collapseBox.checked = true;
  collapseBox.addEventListener('change', function () { collapse = collapseBox.checked; rebuild(); });
  controls.appendChild(el('label', null, [collapseBox, document.createTextNode(' steps as one row per job')]));
  var search = el('input', { type: 'search', id: 'filter', placeholder: 'filter by job, subject, agent' });
  search.addEventListener('input', function () { filterText = search.value.toLowerCase(); rebuild(); });
  controls.appendChild(search);
  var counter = el('span', { className: 'muted', id: 'row-count' });
  controls.appendChild(counter);
  app.appendChild(controls);

  var cols = '96px repeat(' + lanes.length + ', minmax(96px, 1fr))';
  var minWidth = (96 + 96 * lanes.length) + 'px';
  var timeline = el('div', { className: 'timeline' });
  var head = el('div', { className: 'lane-header', style: 'grid-template-columns: ' + cols + '; min-width: ' + minWidth }, [el('div', { className: 'time', text: 'time' })]);
  lanes.forEach(function (name, i) {
    head.appendChild(el('div', { className: 'lane-head', 'data-agent': name, title: name, text: name, style: 'grid-column: ' + (i + 2) }));
  });
  timeline.appendChild(head);
  app.appendChild(timeline);
  var detail = el('div', { className: 'detail', id: 'detail' }, [el('p', { className: 'muted', text: 'Pick a message to see it whole.' })]);
  app.appendChild(detail);

  var stepsOf = {};
  model.messages.forEach(function (m) {
    if (m.kind === 'step' && m.job) (stepsOf[m.job] = stepsOf[m.job] || []).push(m);
  });

  function matches(m) {
    if (!shownKinds[m.kind]) return false;
    if (!filterText) return true;
    var hay = (m.job || '') + ' ' + m.subject + ' ' + m.from + ' ' + m.to + ' ' + m.type;
    return hay.toLowerCase().indexOf(filterText) !== -1;
  }

  function timelineItems() {
    var items = [];
    var boundaries = model.starts.slice(1);
    var grouped = {};
    model.messages.forEach(function (m) {
      while (boundaries.length && boundaries[0].at <= m.at) items.push({ start: boundaries.shift() });
      if (!matches(m)) return;
      if (m.kind !== 'step' || !collapse || !m.job) { items.push({ m: m }); return; }
      if (grouped[m.job]) return;
      grouped[m.job] = true;
      var steps = stepsOf[m.job].filter(matches);
      items.push({ group: m.job, first: m, steps: steps });
      if (expanded[m.job]) steps.forEach(function (s) { items.push({ m: s, inGroup: true }); });
    });
    boundaries.forEach(function (b) { items.push({ start: b }); });
    return items;
  }

  function arrow(from, to, kind, text) {
    var a = laneOf[from], b = laneOf[to];
    var lo = Math.min(a, b), hi = Math.max(a, b), span = hi - lo + 1;
    var dir = a === b ? 'self' : a < b ? 'right' : 'left';
    var box = el('div', { className: 'arrow ' + dir, style: 'grid-column: ' + (lo + 2) + ' / ' + (hi + 3) });
    var edge = (100 / (2 * span)).toFixed(3) + '%';
    if (dir === 'self') box.appendChild(el('div', { className: 'dot' }));
    else box.appendChild(el('div', { className: 'line', style: 'left: ' + edge + '; right: ' + edge }));
    box.appendChild(el('div', { className: 'label', text: text }));
    return box;
  }

  var selected = null;
  function drawItem(item) {
    var style = 'grid-template-columns: ' + cols + '; min-width: ' + minWidth;
    if (item.start) {
      return el('div', { className: 'row start', style: style, 'data-start': String(item.start.start) }, [
        el('div', { className: 'time', text: ms(item.start.at) }),
        el('div', { className: 'boundary', text: 'start ' + item.start.start + ' (resumed) · ' + item.start.started + ' · ' + item.start.messages + ' messages' }),
      ]);
    }
    if (item.group) {
      var f = item.first;
      var open = !!expanded[item.group];
      var g = el('div', { className: 'row group k-step' + (open ? ' open' : ''), style: style, 'data-job': item.group, 'data-from': f.from, 'data-steps': String(item.steps.length) }, [
        el('div', { className: 'time', text: ms(f.at) }),
        arrow(f.from, f.to, 'step', (open ? '▾ ' : '▸ ') + item.steps.length + (item.steps.length === 1 ? ' step ' : ' steps ') + item.group),
      ]);
      g.title = item.steps.length + ' steps of ' + item.group + ' from ' + f.from + ' (click to ' + (open ? 'fold' : 'open') + ')';
      g.addEventListener('click', function () {
        expanded[item.group] = !open;
        rebuild(true);
      });
      return g;
    }
    var m = item.m;
    var text = m.type + (m.job ? ' ' + m.job : '') + (m.via === 'queue' ? ' (from the queue)' : '');
    var row = el('div', { className: 'row msg k-' + m.kind + (item.inGroup ? ' in-group' : '') + (selected === m.seq ? ' selected' : ''), style: style, 'data-seq': String(m.seq), 'data-from': m.from, 'data-to': m.to, 'data-kind': m.kind }, [
      el('div', { className: 'time', text: ms(m.at) }),
      arrow(m.from, m.to, m.kind, text),
    ]);
    row.title = m.from + ' -> ' + m.to + '\n' + m.subject + '\n' + text;
    row.addEventListener('click', function () { select(m); });
    return row;
  }

  var list = virtualList(timeline, drawItem);
  // The lanes' lines: drawn once, the height of the whole list, behind the rows.
  var laneLines = el('div', { className: 'lane-lines', style: 'grid-template-columns: ' + cols + '; min-width: ' + minWidth });
  lanes.forEach(function (_, i) { laneLines.appendChild(el('div', { className: 'lane', style: 'grid-column: ' + (i + 2) })); });
  timeline.querySelector('.spacer').appendChild(laneLines);
  function rebuild(keepScroll) {
    var items = timelineItems();
    if (!keepScroll) timeline.scrollTop = 0;
    list.set(items);
    counter.textContent = items.length + ' rows';
  }

  function select(m) {
    selected = m.seq;
    list.redraw();
    detail.textContent = '';
    detail.setAttribute('data-seq', String(m.seq));
    detail.appendChild(el('div', { className: 'mono', text: m.from + ' -> ' + m.to + ' · ' + m.subject + ' · ' + m.type + ' · ' + ms(m.at) + (m.start > 1 ? ' · start ' + m.start : '') }));
    detail.appendChild(el('div', { className: 'mono muted', text: 'traceparent ' + m.traceparent + (m.parentSpan ? ' · parent span ' + m.parentSpan : '') + (m.policy ? ' · policy ' + m.policy : '') + ' · ' + bytes(m.size) + (m.cut ? ' · ' + m.cut + ' long strings cut' : '') }));
    if (m.via === 'queue') detail.appendChild(el('div', { className: 'muted', text: 'Taken by the run from its results queue: sent while no recorder listened (between the starts of a resumed run).' }));
    detail.appendChild(el('pre', { text: JSON.stringify(m.body, null, 2) }));
  }
  rebuild();

  // Searches: a table that filters and sorts; a row opens its tree below.
  app.appendChild(el('h2', { text: 'Searches (' + model.searches.length + ')' }));
  if (model.searches.length === 0) app.appendChild(el('p', { className: 'muted', text: 'No refined steps in this run.' }));
  else searchesTable();

  function searchesTable() {
    var columns = [
      { key: 'at', label: 'time', value: function (s) { return s.at; }, show: function (s) { return ms(s.at); } },
      { key: 'by', label: 'by', value: function (s) { return s.by; } },
      { key: 'job', label: 'job', value: function (s) { return s.job; } },
      { key: 'path', label: 'file', value: function (s) { return s.path || ''; } },
      { key: 'chunk', label: 'chunk', value: function (s) { return typeof s.chunk === 'number' ? s.chunk : -2; }, show: function (s) { return typeof s.chunk !== 'number' ? '–' : s.chunk < 0 ? 'repair' : String(s.chunk); } },
      { key: 'method', label: 'method', value: function (s) { return s.method || ''; } },
      { key: 'reward', label: 'reward', value: function (s) { return typeof s.reward === 'number' ? s.reward : -Infinity; }, show: function (s) { return fixed(s.reward, 4); } },
      { key: 'scorerCalls', label: 'scorer calls', value: function (s) { return typeof s.scorerCalls === 'number' ? s.scorerCalls : -1; }, show: function (s) { return typeof s.scorerCalls === 'number' ? String(s.scorerCalls) : '–'; } },
      { key: 'nodes', label: 'nodes', value: function (s) { return s.nodes.length; } },
      { key: 'policy', label: 'policy', value: function (s) { return s.policy || ''; } },
    ];
    var sortKey = 'at', sortDir = 1, text = '';
    var grid = 'grid-template-columns: 110px 120px minmax(160px, 2fr) minmax(160px, 2fr) 60px 70px 70px 90px 60px 110px';
    var bar = el('div', { className: 'controls' });
    var filter = el('input', { type: 'search', id: 'search-filter', placeholder: 'filter by job, file, agent, method, policy' });
    filter.addEventListener('input', function () { text = filter.value.toLowerCase(); refresh(); });
    var count = el('span', { className: 'muted', id: 'search-count' });
    bar.appendChild(filter);
    bar.appendChild(count);
    app.appendChild(bar);
    var box = el('div', { className: 'searches' });
    var header = el('div', { className: 'search-head', style: grid });
    columns.forEach(function (c) {
      var h = el('div', { className: 'sort', 'data-sort': c.key, text: c.label });
      h.addEventListener('click', function () {
        if (sortKey === c.key) sortDir = -sortDir; else { sortKey = c.key; sortDir = c.key === 'at' ? 1 : -1; }
        refresh();
      });
      header.appendChild(h);
    });
    box.appendChild(header);
    app.appendChild(box);
    var pane = el('div', { className: 'search-detail', id: 'search-detail' }, [el('p', { className: 'muted', text: 'Pick a search to see its tree.' })]);
    app.appendChild(pane);

    var picked = -1;
    var rows = virtualList(box, function (i) {
      var s = model.searches[i];
      var row = el('div', { className: 'search-row' + (picked === i ? ' selected' : ''), style: grid, 'data-index': String(i), 'data-job': s.job },
        columns.map(function (c) { return el('div', { className: 'cell', 'data-col': c.key, text: c.show ? c.show(s) : String(c.value(s)) }); }));
      row.addEventListener('click', function () { picked = i; rows.redraw(); showSearch(s, pane); });
      return row;
    });
    function refresh() {
      var col = columns.filter(function (c) { return c.key === sortKey; })[0];
      var order = [];
      model.searches.forEach(function (s, i) {
        if (text) {
          var hay = [s.job, s.path || '', s.by, s.method || '', s.policy || ''].join(' ').toLowerCase();
          if (hay.indexOf(text) === -1) return;
        }
        order.push(i);
      });
      order.sort(function (a, b) {
        var x = col.value(model.searches[a]), y = col.value(model.searches[b]);
        return (x < y ? -1 : x > y ? 1 : a - b) * sortDir;
      });
      header.childNodes.forEach(function (h) {
        h.className = 'sort' + (h.getAttribute('data-sort') === sortKey ? (sortDir > 0 ? ' asc' : ' desc') : '');
      });
      box.scrollTop = 0;
      rows.set(order);
      count.textContent = order.length + ' of ' + model.searches.length;
    }
    refresh();
  }

  function showSearch(s, pane) {
    pane.textContent = '';
    pane.setAttribute('data-job', s.job);
    var summary = [s.by, s.job, s.path ? s.path + (typeof s.chunk === 'number' ? (s.chunk < 0 ? ' (repair)' : ' chunk ' + s.chunk) : '') : '',
      s.method || '', 'reward ' + fixed(s.reward, 4), (typeof s.scorerCalls === 'number' ? s.scorerCalls + ' scorer calls' : ''),
      s.nodes.length + ' nodes', s.policy || ''].filter(Boolean).join(' · ');
    pane.appendChild(el('div', { className: 'mono', text: summary }));
    pane.appendChild(el('div', { className: 'muted', text: 'Reasoning kept:' }));
    pane.appendChild(el('ol', { className: 'best-steps' }, s.steps.map(function (t) { return el('li', { className: 'node', text: t }); })));
    if (s.nodes.length > 0) pane.appendChild(tree(s));
  }

  function tree(s) {
    var byId = {}, children = {}, best = {};
    s.nodes.forEach(function (n) { byId[n.id] = n; });
    s.bestPath.forEach(function (id) { best[id] = true; });
    var roots = [];
    s.nodes.forEach(function (n) {
      if (byId[n.parent] !== undefined) (children[n.parent] = children[n.parent] || []).push(n);
      else roots.push(n);
    });
    function meta(n) {
      var parts = ['#' + n.id];
      if (typeof n.visits === 'number') parts.push('N=' + n.visits);
      if (typeof n.value === 'number') parts.push('Q=' + n.value.toFixed(4));
      if (typeof n.reward === 'number') parts.push('R=' + n.reward.toFixed(4));
      if (typeof n.prior === 'number') parts.push('P=' + n.prior.toFixed(2));
      return parts.join(' ');
    }
    function nodeLine(n) {
      return [el('span', { className: 'meta mono', text: meta(n) }), el('span', { text: n.step === '' ? '(no reasoning yet)' : n.step })];
    }
    function item(n) {
      var li = el('li', { className: best[n.id] ? 'best' : '', 'data-node': String(n.id) });
      var kids = children[n.id] || [];
      if (kids.length === 0) {
        li.appendChild(el('div', { className: 'node' }, nodeLine(n)));
        return li;
      }
      var d = el('details', null, [el('summary', { className: 'node' }, nodeLine(n))]);
      var built = false;
      function build() {
        if (built) return;
        built = true;
        d.appendChild(el('ul', null, kids.map(item)));
      }
      d.addEventListener('toggle', function () { if (d.open) build(); });
      if (best[n.id]) { d.open = true; build(); }
      li.appendChild(d);
      return li;
    }
    return el('ul', { className: 'tree' }, roots.map(item));
  }

  // Policies: each revision a role used, with its spec when the trace holds it.
  app.appendChild(el('h2', { text: 'Policy revisions' }));
  if (model.policies.length === 0) app.appendChild(el('p', { className: 'muted', text: 'No message named a policy.' }));
  else {
    app.appendChild(el('table', { className: 'policies' }, [
      el('tr', null, ['role', 'policy', 'first used', 'messages', 'spec'].map(function (h) { return el('th', { text: h }); })),
    ].concat(model.policies.map(function (p) {
      return el('tr', { className: 'policy', 'data-role': p.role }, [
        el('td', { text: p.role }), el('td', { className: 'mono', text: p.policy }),
        el('td', { text: ms(p.firstAt) + ' (message ' + p.firstSeq + ')' }), el('td', { text: String(p.messages) }),
        el('td', { className: 'mono spec', text: p.spec !== undefined ? JSON.stringify(p.spec) : 'not recorded' }),
      ]);
    }))));
  }
  document.body.setAttribute('data-ready', 'true');
})();
