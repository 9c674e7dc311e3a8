// The trace viewer: builds the page from the JSON in #retrace-trace. Every string from the
// trace goes through textContent, never innerHTML.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('retrace-trace').textContent);
  var app = document.getElementById('app');

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
  app.appendChild(el('h2', { text: 'Messages (' + model.messages.length + ')' }));
  var kinds = ['work', 'result', 'step', 'search', 'other'];
  var shown = { work: true, result: true, step: true, search: true, other: true };
  var filterText = '';
  var controls = el('div', { className: 'controls' });
  kinds.forEach(function (k) {
    var box = el('input', { type: 'checkbox', 'data-kind': k });
    box.checked = true;
    box.addEventListener('change', function () { shown[k] = box.checked; applyFilter(); });
    controls.appendChild(el('label', { className: 'legend k-' + k }, [box, el('span'), document.createTextNode(k)]));
  });
  var search = el('input', { type: 'search', placeholder: 'filter by job, subject, agent' });
  search.addEventListener('input', function () { filterText = search.value.toLowerCase(); applyFilter(); });
  controls.appendChild(search);
  app.appendChild(controls);

  var timeline = el('div', { className: 'timeline', style: '--lanes: ' + lanes.length });
  var head = el('div', { className: 'row head' }, [el('div', { className: 'time', text: 'time' })]);
  lanes.forEach(function (name, i) {
    head.appendChild(el('div', { className: 'lane-head', 'data-agent': name, title: name, text: name, style: 'grid-column: ' + (i + 2) }));
  });
  timeline.appendChild(head);

  var rows = model.messages.map(function (m) {
    var row = el('div', { className: 'row msg k-' + m.kind, 'data-seq': String(m.seq), 'data-from': m.from, 'data-to': m.to, 'data-kind': m.kind });
    row.appendChild(el('div', { className: 'time', text: ms(m.at) }));
    lanes.forEach(function (_, i) { row.appendChild(el('div', { className: 'lane', style: 'grid-column: ' + (i + 2) })); });
    var a = laneOf[m.from], b = laneOf[m.to];
    var lo = Math.min(a, b), hi = Math.max(a, b), span = hi - lo + 1;
    var dir = a === b ? 'self' : a < b ? 'right' : 'left';
    var arrow = el('div', { className: 'arrow ' + dir, style: 'grid-column: ' + (lo + 2) + ' / ' + (hi + 3) });
    var edge = (100 / (2 * span)).toFixed(3) + '%';
    if (dir === 'self') arrow.appendChild(el('div', { className: 'dot' }));
    else arrow.appendChild(el('div', { className: 'line', style: 'left: ' + edge + '; right: ' + edge }));
    var text = m.type + (m.job ? ' ' + m.job : '');
    arrow.appendChild(el('div', { className: 'label', text: text }));
    row.title = m.from + ' -> ' + m.to + '\n' + m.subject + '\n' + text;
    row.appendChild(arrow);
    var detail = null;
    row.addEventListener('click', function (ev) {
      if (detail && detail.contains(ev.target)) return;
      if (detail) { row.removeChild(detail); detail = null; return; }
      detail = el('div', { className: 'detail' }, [
        el('div', { className: 'mono', text: m.from + ' -> ' + m.to + ' · ' + m.subject + ' · ' + m.type }),
        el('div', { className: 'mono muted', text: 'traceparent ' + m.traceparent + (m.parentSpan ? ' · parent span ' + m.parentSpan : '') + (m.policy ? ' · policy ' + m.policy : '') + ' · ' + bytes(m.size) + (m.cut ? ' · ' + m.cut + ' long strings cut' : '') }),
        el('pre', { text: JSON.stringify(m.body, null, 2) }),
      ]);
      row.appendChild(detail);
    });
    row._m = m;
    timeline.appendChild(row);
    return row;
  });
  app.appendChild(timeline);

  function applyFilter() {
    rows.forEach(function (row) {
      var m = row._m;
      var hay = (m.job || '') + ' ' + m.subject + ' ' + m.from + ' ' + m.to + ' ' + m.type;
      row.style.display = shown[m.kind] && (!filterText || hay.toLowerCase().indexOf(filterText) !== -1) ? '' : 'none';
    });
  }

  // Searches
  app.appendChild(el('h2', { text: 'Searches (' + model.searches.length + ')' }));
  if (model.searches.length === 0) app.appendChild(el('p', { className: 'muted', text: 'No refined steps in this run.' }));
  model.searches.forEach(function (s) {
    var box = el('details', { className: 'search', 'data-job': s.job });
    var summary = [s.by, s.job, s.path ? s.path + (typeof s.chunk === 'number' ? (s.chunk < 0 ? ' (repair)' : ' chunk ' + s.chunk) : '') : '',
      s.method || '', 'reward ' + fixed(s.reward, 4), (typeof s.scorerCalls === 'number' ? s.scorerCalls + ' scorer calls' : ''),
      s.nodes.length + ' nodes', s.policy || ''].filter(Boolean).join(' · ');
    box.appendChild(el('summary', { text: summary }));
    box.appendChild(el('div', { className: 'muted', text: 'Reasoning kept:' }));
    box.appendChild(el('ol', { className: 'best-steps' }, s.steps.map(function (t) { return el('li', { className: 'node', text: t }); })));
    if (s.nodes.length > 0) box.appendChild(tree(s));
    app.appendChild(box);
  });

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

  // Policies
  app.appendChild(el('h2', { text: 'Policy revisions' }));
  if (model.policies.length === 0) app.appendChild(el('p', { className: 'muted', text: 'No message named a policy.' }));
  else {
    app.appendChild(el('table', { className: 'policies' }, [
      el('tr', null, ['role', 'policy', 'first used', 'messages'].map(function (h) { return el('th', { text: h }); })),
    ].concat(model.policies.map(function (p) {
      return el('tr', { className: 'policy', 'data-role': p.role }, [
        el('td', { text: p.role }), el('td', { className: 'mono', text: p.policy }),
        el('td', { text: ms(p.firstAt) + ' (message ' + p.firstSeq + ')' }), el('td', { text: String(p.messages) }),
      ]);
    }))));
  }
  document.body.setAttribute('data-ready', 'true');
})();
