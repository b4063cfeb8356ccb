// Draws the inspection page from the JSON in <script id="inspection">: attention heat maps for every stack,
// layer, kind and head, entropy per head, the logit lens, one head's matrices, the next tokens and the loss
// curves. Everything is drawn here, in the page; nothing is fetched.
(function () {
  const data = JSON.parse(document.getElementById('inspection').textContent);
  const e = data.explanation;
  const root = document.getElementById('report');
  const SVG = 'http://www.w3.org/2000/svg';
  const hover = document.getElementById('hover');

  function el(tag, attrs, text) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function add(parent, tag, attrs, text) { const n = el(tag, attrs, text); parent.appendChild(n); return n; }
  function fmt(v) { return v === null ? '−∞' : v.toFixed(3); }
  // white -> dark blue, as the SVG heat maps of the translation demo
  function shade(w) {
    w = Math.max(0, Math.min(1, w));
    const c = (a, b) => Math.round(a + (b - a) * w);
    return `rgb(${c(255, 8)},${c(255, 48)},${c(255, 107)})`;
  }

  function heatmap(parent, weights, rowLabels, colLabels, meta) {
    const cell = Math.max(6, Math.min(22, Math.floor(360 / Math.max(rowLabels.length, colLabels.length))));
    const margin = 70, rows = weights.length, cols = weights[0].length;
    const fig = add(parent, 'figure');
    const svg = add(fig, 'svg:svg', { width: margin + cols * cell + 4, height: margin + rows * cell + 4, class: 'heatmap',
      'data-stack': meta.stack, 'data-layer': meta.layer, 'data-kind': meta.kind, 'data-head': meta.head });
    colLabels.forEach((t, j) => add(svg, 'svg:text', { transform: `translate(${margin + j * cell + cell * 0.7},${margin - 4}) rotate(-60)` }, t));
    rowLabels.forEach((t, i) => add(svg, 'svg:text', { x: margin - 4, y: margin + i * cell + cell * 0.7, 'text-anchor': 'end' }, t));
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        const w = weights[i][j];
        const r = add(svg, 'svg:rect', { class: 'cell', x: margin + j * cell, y: margin + i * cell, width: cell, height: cell,
          fill: shade(w), 'data-row': i, 'data-col': j, 'data-value': String(w) });
        const text = `${meta.title}: ${rowLabels[i]} → ${colLabels[j]} = ${w.toFixed(4)}`;
        add(r, 'svg:title', {}, text);
        r.addEventListener('mouseenter', () => { hover.textContent = text; });
      }
    add(fig, 'figcaption', {}, `${meta.title} · entropy ${meta.entropy.toFixed(3)} nats · max ${meta.max.toFixed(3)}`);
  }

  function matrix(parent, title, rows, rowLabels, colLabels) {
    add(parent, 'h3', {}, title);
    const table = add(parent, 'table', { class: 'matrix', 'data-name': title.split(' ')[0] });
    const head = add(table, 'tr');
    add(head, 'th');
    rows[0].forEach((_, j) => add(head, 'th', {}, colLabels ? colLabels[j] : 'c' + j));
    rows.forEach((row, i) => {
      const tr = add(table, 'tr');
      add(tr, 'th', {}, rowLabels[i]);
      row.forEach(v => add(tr, 'td', { title: v === null ? '−∞' : String(v) }, fmt(v)));
    });
  }

  function lossChart(parent, series) {
    const names = Object.keys(series);
    if (names.length === 0) { add(parent, 'p', { class: 'note' }, 'No log.jsonl beside the model: no loss curves.'); return; }
    const w = 640, h = 280, m = 45, colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
    const points = names.flatMap(n => series[n]);
    const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-6);
    const X = x => m + (x - x0) / (x1 - x0) * (w - 2 * m), Y = y => h - m - (y - y0) / (y1 - y0) * (h - 2 * m);
    const svg = add(parent, 'svg:svg', { width: w, height: h, class: 'loss' });
    add(svg, 'svg:line', { x1: m, y1: h - m, x2: w - m, y2: h - m, stroke: '#999' });
    add(svg, 'svg:line', { x1: m, y1: m, x2: m, y2: h - m, stroke: '#999' });
    add(svg, 'svg:text', { x: m, y: h - m + 14 }, String(x0));
    add(svg, 'svg:text', { x: w - m, y: h - m + 14, 'text-anchor': 'end' }, `step ${x1}`);
    add(svg, 'svg:text', { x: m - 4, y: Y(y0), 'text-anchor': 'end' }, y0.toFixed(2));
    add(svg, 'svg:text', { x: m - 4, y: Y(y1) + 8, 'text-anchor': 'end' }, y1.toFixed(2));
    names.forEach((n, k) => {
      const pts = series[n].map(p => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
      add(svg, 'svg:polyline', { points: pts, fill: 'none', stroke: colors[k % colors.length], 'stroke-width': 2, 'data-series': n });
      add(svg, 'svg:text', { x: w - m, y: m + 14 * k, 'text-anchor': 'end', fill: colors[k % colors.length] }, n);
    });
  }

  add(root, 'h1', {}, `${e.model === 'gpt' ? 'GPT' : 'Translator'} — attention '${e.attention}' — ${data.model}`);
  add(root, 'p', { class: 'note' }, 'Rows of a heat map are queries, columns the keys they look at; a cell is one weight of W = softmax(Q·Kᵀ/√d). Hover a cell for its value.');
  for (const s of e.stacks) {
    add(root, 'h2', {}, `${s.name}: tokens`);
    const tokens = add(root, 'p', { class: 'tokens' });
    s.tokens.forEach((t, i) => { const span = add(tokens, 'span', {}, t.text); add(span, 'small', {}, ` ${i}:${t.id}`); });
  }

  add(root, 'h2', {}, 'Attention, every layer and head');
  for (const s of e.stacks) {
    const labels = s.tokens.map(t => t.text);
    for (const layer of s.layers)
      for (const a of layer.attention) {
        add(root, 'h3', {}, `${s.name} layer ${layer.layer}, ${a.kind}-attention${a.causal ? ' (causal)' : ''}`);
        const row = add(root, 'div', { class: 'row' });
        const keys = a.keys.map(t => t.text);
        for (const h of a.heads)
          heatmap(row, h.W, labels, keys, { stack: s.name, layer: layer.layer, kind: a.kind, head: h.head,
            title: `${s.name} ${layer.layer} ${a.kind} head ${h.head}`, entropy: h.entropy, max: h.max_weight });
      }
  }

  add(root, 'h2', {}, 'Attention entropy per head');
  add(root, 'p', { class: 'note' }, 'Mean over query rows of −Σ w·ln w (nats): 0 is a one-hot lookup, ln(keys) uniform. In brackets the mean largest weight.');
  const entropy = add(root, 'table', { class: 'entropy' });
  const heads = Math.max(...e.stacks.flatMap(s => s.layers.flatMap(l => l.attention.map(a => a.heads.length))));
  const eh = add(entropy, 'tr'); add(eh, 'th', {}, 'attention');
  e.stacks[0].layers[0].attention[0].heads.forEach(h => add(eh, 'th', {}, `head ${h.head}`));
  for (const s of e.stacks) for (const layer of s.layers) for (const a of layer.attention) {
    const tr = add(entropy, 'tr'); add(tr, 'th', {}, `${s.name} ${layer.layer} ${a.kind}`);
    a.heads.forEach(h => add(tr, 'td', { 'data-entropy': String(h.entropy) }, `${h.entropy.toFixed(3)} (${h.max_weight.toFixed(2)})`));
    for (let k = a.heads.length; k < heads; k++) add(tr, 'td');
  }

  add(root, 'h2', {}, 'Logit lens: the top next token after each layer');
  const lensStack = e.stacks[e.stacks.length - 1];
  const lens = add(root, 'table', { class: 'lens' });
  const lh = add(lens, 'tr'); add(lh, 'th', {}, 'after');
  lensStack.tokens.forEach(t => add(lh, 'th', {}, t.text));
  for (const layer of lensStack.layers) {
    const tr = add(lens, 'tr'); add(tr, 'th', {}, `layer ${layer.layer}`);
    layer.logit_lens.forEach(t => add(tr, 'td', { title: String(t.value) }, `${t.text} ${t.value.toFixed(2)}`));
  }
  const next = add(root, 'p', { class: 'next' }, 'Next token: ');
  e.next_tokens.forEach(t => add(next, 'span', { class: 'tokens' }, ` ${t.text} ${t.value.toFixed(3)} `));

  const chosen = data.chosen;
  const cs = e.stacks.find(s => s.name === chosen.stack);
  const cl = cs.layers.find(l => l.layer === chosen.layer);
  add(root, 'h2', {}, `The matrices of ${chosen.stack} layer ${chosen.layer}, head ${chosen.head}`);
  for (const a of cl.attention) {
    const h = a.heads.find(x => x.head === chosen.head);
    const rows = cs.tokens.map(t => t.text), keys = a.keys.map(t => t.text);
    const div = add(root, 'div', { class: 'head-matrices', 'data-kind': a.kind });
    add(div, 'h3', {}, `${a.kind}-attention`);
    matrix(div, `Q (${h.Q.length}×${h.Q[0].length})`, h.Q, rows);
    matrix(div, `K (${h.K.length}×${h.K[0].length})`, h.K, keys);
    matrix(div, `V (${h.V.length}×${h.V[0].length})`, h.V, keys);
    matrix(div, `RW = Q·Kᵀ/√${h.V[0].length}`, h.RW, rows, keys);
    matrix(div, 'W = softmax(RW)', h.W, rows, keys);
    matrix(div, `Y = W·V`, h.Y, rows);
  }

  add(root, 'h2', {}, 'Loss curves (log.jsonl)');
  lossChart(root, data.losses);
  document.body.setAttribute('data-drawn', 'true');
})();
