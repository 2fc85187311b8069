// III(D): DeepSets from the inside (Python twin: widgets/particles.py, embedding_view). The page
// runs the untrained seeded DeepSets itself: `config` carries its float32 weights, the
// configurations (float32) and, per permutation seed, the ranks of the seed's uniform draws (the
// permutation of the first m particles orders the first m ranks). This file computes φ of every
// particle, their sum in the permuted and in the stored order, and F = ρ(sum), all in float32
// (each layer's outputs and each partial sum rounded to float32), and draws the two heat maps
// of dlexam.plots.particles.plot_phi_embeddings.

// DeepSets' Linear layers from the shipped weights: each layer's W (out x in, row-major), then b.
function embeddingLayers(config) {
  const weights = decodeValues(config.weights);
  let at = 0;
  const take = (n) => Float32Array.from(weights.subarray(at, (at += n)));
  const layers = config.layers.map((l) => ({ part: l.part, in: l.in, out: l.out, W: take(l.out * l.in), b: take(l.out) }));
  if (at !== weights.length) throw new Error(`the weights hold ${weights.length} numbers, the layers use ${at}`);
  return { phi: layers.filter((l) => l.part === "phi"), rho: layers.filter((l) => l.part === "rho") };
}

// Linear layers with ELU after each (after all but the last if `lastBare`), in float32: each
// output is rounded to float32 (a Float32Array stores it so), as PyTorch's float32 tensors hold it.
function runLayers(x, layers, lastBare) {
  let input = x;
  layers.forEach((layer, n) => {
    const out = new Float32Array(layer.out);
    for (let o = 0; o < layer.out; o++) {
      let acc = layer.b[o];
      const row = o * layer.in;
      for (let i = 0; i < layer.in; i++) acc += layer.W[row + i] * input[i];
      out[o] = acc;
    }
    if (!(lastBare && n === layers.length - 1)) for (let o = 0; o < out.length; o++) out[o] = out[o] > 0 ? out[o] : Math.expm1(out[o]);
    input = out;
  });
  return input;
}

// The rows summed one after the other in float32 (every partial sum rounded to float32).
function sum32(rows, width) {
  const s = new Float32Array(width);
  for (const row of rows) for (let k = 0; k < width; k++) s[k] = s[k] + row[k];
  return s;
}

// The permutation of seed `seed` for the first m particles: 0..m-1 ordered by the seed's ranks.
function seedPermutation(config, seed, m) {
  const order = Array.from({ length: m }, (_, i) => i);
  if (seed === 0) return order;
  const rank = config.ranks[seed - 1];
  return order.sort((a, b) => rank[a] - rank[b]);
}

function wholeError(name, value, low, high) {
  return Number.isInteger(value) && value >= low && value <= high ? null : `${name} must be a whole number from ${low} to ${high}, got ${value}`;
}

// Everything the explorer shows for its controls (embedding_view in Python), or {error}.
function embeddingView(config, data, { index, seed, m }) {
  const M = config.particles;
  const error = wholeError("configuration", index, 0, config.count - 1) || wholeError("permutation seed", seed, 0, config.seeds)
    || wholeError("particles used", m, 1, M);
  if (error) return { error };
  const point = (j) => Float32Array.from(data.configurations.subarray(3 * (index * M + j), 3 * (index * M + j) + 3));
  const stored = Array.from({ length: m }, (_, j) => runLayers(point(j), data.net.phi, false));
  const perm = seedPermutation(config, seed, m);
  const features = perm.map((j) => runLayers(point(j), data.net.phi, false)); // row i: particle perm[i]
  const width = features[0].length;
  const pooled = sum32(features, width);
  const referencePooled = sum32(stored, width);
  const output = runLayers(pooled, data.net.rho, true)[0];
  const reference = runLayers(referencePooled, data.net.rho, true)[0];
  let difference = 0, scale = 0, total = 0, absum = 0;
  for (let k = 0; k < width; k++) {
    difference = Math.max(difference, Math.abs(pooled[k] - referencePooled[k]));
    total = Math.max(total, Math.abs(pooled[k]));
    let column = 0;
    for (const row of features) {
      scale = Math.max(scale, Math.abs(row[k]));
      column += Math.abs(row[k]);
    }
    absum = Math.max(absum, column);
  }
  const bound = (m - 1) * config.eps * absum;
  return {
    index, seed, m, perm, features, pooled, output, reference, difference, bound,
    verdict: difference <= bound ? "float32 round-off" : "more than float32 round-off",
    scale: Math.max(scale, 1e-12), total: Math.max(total, 1e-12),
  };
}

// matplotlib's imshow colour of v for the colour map `colors` scaled to [-bound, bound].
function mapColour(colors, v, bound) {
  const t = (v + bound) / (2 * bound);
  const i = Math.min(colors.length - 1, Math.max(0, Math.floor(t * colors.length)));
  return colors[i];
}

// plot_phi_embeddings: φ rows (labelled by original index) with a colour bar, the sum row below.
function drawEmbeddings(config, view) {
  const colors = config.colormap;
  const { m, features, pooled } = view;
  const k = pooled.length;
  const rowH = Math.max(13, 52 / Math.max(m, 1)), top = 34, left = 92, width = 520; // a few rows stay tall enough to read
  const mapBottom = top + rowH * Math.max(m, 1);
  const sumTop = mapBottom + 50, sumH = 28;
  const height = sumTop + sumH + 40;
  const fig = figure(720, height, "");
  const cellW = width / k;
  const small = m > 12 ? 6.5 : 8;
  const upper = sv("g", { "data-map": "phi" });
  features.forEach((row, i) => {
    for (let c = 0; c < k; c++) {
      const fill = mapColour(colors, row[c], view.scale);
      upper.append(sv("rect", { x: (left + c * cellW).toFixed(2), y: top + i * rowH, width: (cellW + 0.3).toFixed(2), height: rowH + 0.3, fill },
        sv("title", {}, `row ${i} (particle ${view.perm[i]}), feature ${c}: `, sv("tspan", { "data-value": `phi-${i}-${c}` }, fmtG(row[c], 4)))));
    }
  });
  fig.append(upper);
  const lower = sv("g", { "data-map": "sum" });
  for (let c = 0; c < k; c++) {
    const fill = mapColour(colors, pooled[c], view.total);
    lower.append(sv("rect", { x: (left + c * cellW).toFixed(2), y: sumTop, width: (cellW + 0.3).toFixed(2), height: sumH, fill },
      sv("title", {}, `sum, feature ${c}: `, sv("tspan", { "data-value": `sum-${c}` }, fmtG(pooled[c], 4)))));
  }
  fig.append(lower);
  // frames, row labels (original indices), titles
  const g = sv("g", { fill: "black" });
  const frame = (y, h) => g.append(sv("rect", { x: left, y, width, height: h, fill: "none", stroke: "black", "stroke-width": 0.8 * PT }));
  frame(top, mapBottom - top);
  frame(sumTop, sumH);
  const labels = sv("g", { "font-size": small * PT, "text-anchor": "end" });
  view.perm.forEach((j, i) => {
    const y = top + (i + 0.5) * rowH;
    g.append(sv("line", { x1: left - 3.5 * PT, x2: left, y1: y, y2: y, stroke: "black", "stroke-width": 0.8 * PT }));
    labels.append(sv("text", { x: left - 6 * PT, y, "dominant-baseline": "central" }, String(j)));
  });
  g.append(labels);
  g.append(sv("line", { x1: left - 3.5 * PT, x2: left, y1: sumTop + sumH / 2, y2: sumTop + sumH / 2, stroke: "black", "stroke-width": 0.8 * PT }));
  g.append(sv("text", { x: left - 6 * PT, y: sumTop + sumH / 2, "text-anchor": "end", "dominant-baseline": "central" }, "sum"));
  const cy = (top + mapBottom) / 2;
  const ylabel = sv("text", { x: 26, y: cy, "text-anchor": "middle", transform: `rotate(-90 26 ${cy})` });
  ["row = particle", "(original index)"].forEach((line, n) => ylabel.append(sv("tspan", { x: 26, dy: n ? "1.2em" : "-0.2em" }, line)));
  g.append(ylabel);
  g.append(sv("text", { x: left + width / 2, y: top - 8, "text-anchor": "middle", "font-size": 9.5 * PT },
    `\u03c6(x_i): ${m} particles \u00d7 ${k} features, one shared network`));
  const title = sv("text", { "text-anchor": "middle", "font-size": 9.5 * PT });
  title.append(sv("tspan", { x: left + width / 2, y: sumTop - 26 }, "\u03a3_i \u03c6(x_i), colours up to \u00b1",
    sv("tspan", { "data-value": "total" }, fmtG(view.total, 3)), ": the same for every order of the rows"));
  title.append(sv("tspan", { x: left + width / 2, y: sumTop - 8 }, "F(X) = \u03c1(\u03a3_i \u03c6(x_i)) = ",
    sv("tspan", { "data-value": "figure-output" }, minus(fmtF(view.output, 5)))));
  g.append(title);
  g.append(sv("text", { x: left + width / 2, y: sumTop + sumH + 24, "text-anchor": "middle" }, "feature"));
  fig.append(g);
  // the colour bar of the upper map, as fig.colorbar draws it beside it
  let ticks = niceTicks(-view.scale, view.scale, Math.max(2, Math.min(5, Math.floor((mapBottom - top) / 26)))).filter((t) => Math.abs(t) <= view.scale * (1 + 1e-9));
  // a short bar: its ends and 0, as few nice ticks fit
  if (ticks.length < 3) {
    const place = 10 ** (Math.floor(Math.log10(view.scale)) - 1), end = Number((Math.floor(view.scale / place) * place).toPrecision(2));
    ticks = [-end, 0, end];
  }
  colorbar(fig, { x: left + width + 10, y: top, w: 14, h: mapBottom - top }, colors.filter((_, i) => i % 4 === 0), -view.scale, view.scale,
    ticks, "", (t) => minus(fmtG(Number(t.toPrecision(12)), 6)));
  const lx = left + width + 24 + 72, ly = (top + mapBottom) / 2; // the bar's label, clear of its longest tick label
  fig.append(sv("text", { x: lx, y: ly, "text-anchor": "middle", fill: "black", transform: `rotate(-90 ${lx} ${ly})` }, "\u03c6 feature"));
  const description = `Two heat maps in the colour map RdBu_r (blue negative, red positive). Upper: \u03c6(x_i), ${k} features ` +
    `(columns) of each of the ${m} particles (rows), the rows in the permuted order, labelled by the particles' original indices ` +
    `${view.perm.join(", ")}; colours up to \u00b1${fmtG(view.scale, 3)}, with a colour bar. Lower: their sum over the particles, ` +
    `colours up to \u00b1${fmtG(view.total, 3)}, the same for every order of the rows; F(X) = ${fmtF(view.output, 5)}.`;
  fig.setAttribute("aria-label", description);
  fig.insertBefore(sv("title", {}, description), fig.firstChild);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const data = { configurations: decodeValues(config.configurations), net: embeddingLayers(config) };
  const root = h("div", { class: "dlx-explorer dlx-column dlx-embedding" });
  const index = slider({
    name: "index", label: "configuration", min: 0, max: config.count - 1, step: 1, value: model.get("index"),
    onInput: (v) => save(model, { index: v }),
  });
  const seed = slider({
    name: "seed", label: "permutation seed", min: 0, max: config.seeds, step: 1, value: model.get("seed"),
    onInput: (v) => save(model, { seed: v }),
  });
  const count = slider({
    name: "n_particles", label: "particles used", min: 1, max: config.particles, step: 1, value: model.get("n_particles"),
    onInput: (v) => save(model, { n_particles: v }),
  });
  const note = h("div", { class: "dlx-note", style: "max-width:44em" },
    `The page runs the untrained DeepSets (initialised from seed ${config.model_seed}) itself, in float32: \u03c6 of each of the ` +
    "first particles of the configuration, their sum and \u03c1 of it. Seed 0 keeps the stored order; each seed from 1 to " +
    `${config.seeds} renumbers the particles at random. Hover over a cell for its value.`);
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:720px" });
  root.append(h("div", { class: "dlx-controls" }, index.root, seed.root, count.root, note, message, summary), figureBox);
  el.append(root);

  function draw() {
    const state = { index: model.get("index"), seed: model.get("seed"), m: model.get("n_particles") };
    index.set(state.index);
    seed.set(state.seed);
    count.set(state.m);
    const view = embeddingView(config, data, state);
    if (showError(message, view.error, summary, figureBox)) return;
    const m = val("particles", String(view.m));
    summary.replaceChildren(
      h("div", {}, "(1, ", m, ", 3) \u2192 \u03c6 \u2192 (1, ", String(view.m), ", 64) \u2192 sum \u2192 (1, 64) \u2192 \u03c1 \u2192 (1,). ",
        h("b", {}, "F = ", val("output", fmtF(view.output, 7))), "; in the stored order F = ", val("reference", fmtF(view.reference, 7)), "."),
      h("div", {}, "Rows in the order ", val("order", view.perm.join(", ")), " (original indices); \u03c6 colours up to \u00b1",
        val("scale", fmtG(view.scale, 3)), "."),
      h("div", {}, "The pooled sums of this order and of the stored order differ by at most ", val("difference", fmtE(view.difference, 1)),
        ": ", val("verdict", view.verdict), " (the bound (m \u2212 1)\u00b7\u03b5\u00b7max", h("sub", {}, "k"), " \u03a3", h("sub", {}, "i"),
        " |\u03c6", h("sub", {}, "ik"), "| = ", val("bound", fmtE(view.bound, 1)), ", \u03b5 = 2", h("sup", {}, "\u221223"), ")."));
    figureBox.replaceChildren(drawEmbeddings(config, view));
  }

  model.on("change:index", draw);
  model.on("change:seed", draw);
  model.on("change:n_particles", draw);
  draw();
}

export default { render };
