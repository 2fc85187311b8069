// III(F)'s explorer: the K models of one regime, configuration by configuration.
//
// config (widgets/bias_variance.py, bias_variance_config): every result's predictions (K x N,
// float32, as the library holds them) and y (N). The page computes in float64, as the library's
// bias_variance.decompose does: the split on all configurations and on those shown, the split
// corrected for K models, which configurations to show (select_configurations), and the figure
// of plot_model_spread. The Python bias_variance_view computes the same with the library; the
// browser tests compare the two.

// The library's decompose on predictions rows [0, k) and the columns `cols`: [mse, bias2, variance].
function bvDecompose(P, N, y, k, cols) {
  let se = 0, b2 = 0, v = 0;
  for (const j of cols) {
    let s = 0;
    for (let i = 0; i < k; i++) s += P[i * N + j];
    const mean = s / k;
    const d = mean - y[j];
    b2 += d * d;
    for (let i = 0; i < k; i++) {
      const e = P[i * N + j] - y[j], f = P[i * N + j] - mean;
      se += e * e;
      v += f * f;
    }
  }
  const n = cols.length;
  return [se / (n * k), b2 / n, v / (n * k)];
}

// pointwise_decomposition at one configuration j: [bias2, variance], summed over the models in order as PyTorch does.
function bvPointwise(P, N, y, k, j) {
  let s = 0;
  for (let i = 0; i < k; i++) s += P[i * N + j];
  const mean = s / k;
  let v = 0;
  for (let i = 0; i < k; i++) {
    const f = P[i * N + j] - mean;
    v += f * f;
  }
  return [(mean - y[j]) * (mean - y[j]), v / k];
}

// NumPy's round: half to even.
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// np.argsort(values, kind="stable") of the positions `idx`: idx reordered (Array.sort is stable).
function stableArgsort(idx, key) {
  return idx.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// The library's select_configurations: n configurations, ordered by their true value y.
function bvSelect(P, N, y, k, n, how) {
  const all = Array.from({ length: N }, (_, j) => j);
  let chosen;
  if (how === "spread over P") {
    const sorted = stableArgsort(all, (j) => y[j]);
    // np.linspace(0, N - 1, n): step (N - 1)/(n - 1), i * step, the last exactly N - 1
    const step = (N - 1) / (n - 1);
    chosen = Array.from({ length: n }, (_, i) => sorted[roundHalfEven(i === n - 1 ? N - 1 : i * step)]);
  } else {
    const part = how === "largest bias" ? 0 : 1;
    const score = all.map((j) => -bvPointwise(P, N, y, k, j)[part]);
    chosen = stableArgsort(all, (j) => score[j]).slice(0, n);
  }
  return stableArgsort(chosen, (j) => y[j]);
}

function bvView(config, data, state) {
  const labels = config.regimes.map(([label]) => label);
  const frames = config.frames.map(([f]) => f);
  const [low, high, step] = config.n_range;
  const quote = (s) => `'${s}'`;
  if (!labels.includes(state.regime)) return { error: `regime must be one of ${labels.map(quote).join(", ")}, got ${quote(state.regime)}` };
  if (!frames.includes(state.val_frame)) return { error: `validation set (val_frame) must be one of ${frames.map(quote).join(", ")}, got ${quote(state.val_frame)}` };
  if (!Number.isInteger(state.models) || state.models < 2 || state.models > config.k) return { error: `models used (models) must be a whole number from 2 to ${config.k}, got ${state.models}` };
  if (!Number.isInteger(state.n) || state.n < low || state.n > high || state.n % step) return { error: `configurations shown (n) must be a multiple of ${step} from ${low} to ${high}, got ${state.n}` };
  if (!config.selections.includes(state.how)) return { error: `which (how) must be one of ${config.selections.map(quote).join(", ")}, got ${quote(state.how)}` };
  const index = config.results.findIndex((r) => r.regime === state.regime && r.val_frame === state.val_frame);
  if (index < 0) {
    const name = config.frames.find(([f]) => f === state.val_frame)[1];
    return { error: `no results for ${state.regime} with the validation set ${name}: choose the other validation set` };
  }
  const result = config.results[index];
  const P = data.predictions[index], y = data.y, N = config.count, k = state.models;
  const chosen = bvSelect(P, N, y, k, state.n, state.how);
  const all = bvDecompose(P, N, y, k, Array.from({ length: N }, (_, j) => j));
  const shown = bvDecompose(P, N, y, k, chosen);
  const corrected = [all[1] - all[2] / (k - 1), (all[2] * k) / (k - 1)];
  return { result, chosen, all, shown, corrected, P, y, N, k, how: state.how };
}

const pct = (part, whole) => fmtF(100 * (part / whole), 0) + "%";

// plot_model_spread in SVG: per configuration a range bar and the models' dots, a ring at their mean, a black bar at y.
function drawSpread(config, view) {
  const { result, chosen, P, y, N, k, all } = view;
  const colour = config.colours[result.augmentation];
  const W = 720, H = 400;
  const box = { x: 62, y: 52, w: W - 62 - 14, h: H - 52 - 50 };
  const n = chosen.length;
  const columns = chosen.map((j) => {
    const p = Array.from({ length: k }, (_, i) => P[i * N + j]);
    return { j, p, lo: Math.min(...p), hi: Math.max(...p), mean: p.reduce((a, b) => a + b, 0) / k, t: y[j] };
  });
  let lo = Math.min(...columns.map((c) => Math.min(c.lo, c.t))), hi = Math.max(...columns.map((c) => Math.max(c.hi, c.t)));
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const margin = 0.05 * (hi - lo);
  const xm = 0.05 * Math.max(n - 1, 1);
  const fig = figure(W, H, "");
  const ax = Axes.make(fig, box, "linear", [-xm, n - 1 + xm], "linear", [lo - margin, hi + margin]);
  const px = ax.x, py = ax.y;
  for (const c of columns) {
    ax.add(sv("line", { x1: px(columns.indexOf(c)), x2: px(columns.indexOf(c)), y1: py(c.lo), y2: py(c.hi), stroke: colour, "stroke-width": 1.0 * PT, "stroke-opacity": 0.6 }));
  }
  columns.forEach((c, x) => {
    const g = sv("g", { "data-configuration": c.j });
    for (const v of c.p) g.append(sv("circle", { cx: px(x), cy: py(v), r: 1.7, fill: colour, "fill-opacity": 0.75 }));
    g.append(sv("circle", { cx: px(x), cy: py(c.mean), r: 3.6, fill: "none", stroke: "black", "stroke-width": 1.1 * PT }));
    g.append(sv("line", { x1: px(x) - 6.5, x2: px(x) + 6.5, y1: py(c.t), y2: py(c.t), stroke: "black", "stroke-width": 2.2 * PT }));
    ax.add(g);
  });
  const yticks = axisTicks(lo - margin, hi + margin, box.h);
  const parts = ["", " + variance ", " = "];
  ax.frame({
    yticks, xlabel: `${n} validation configurations (${view.how}), sorted by their true P`, ylabel: "standardised P", ylabelOffset: 46,
  });
  // the title, two lines as matplotlib writes them, its numbers tagged for the tests
  const title = sv("text", { x: box.x + box.w / 2, y: 18, "text-anchor": "middle", "font-size": 9.5 * PT, fill: "black" });
  title.append(sv("tspan", { x: box.x + box.w / 2, dy: 0 }, result.title + ":"));
  const second = sv("tspan", { x: box.x + box.w / 2, dy: "1.2em" }, "bias\u00b2 ");
  second.append(sv("tspan", { "data-value": "figure-bias2" }, fmtG(all[1], 3)), parts[1],
    sv("tspan", { "data-value": "figure-variance" }, fmtG(all[2], 3)), parts[2], sv("tspan", { "data-value": "figure-mse" }, fmtG(all[0], 3)));
  title.append(second);
  fig.append(title);
  // the legend, upper left, in a white box as matplotlib's
  const lx = box.x + 8, ly = box.y + 8, size = 8 * PT;
  const entries = [["dot", "one model's prediction"], ["ring", `mean of the ${k} models`], ["bar", "true P (standardised)"]];
  const legendBox = sv("g", { "font-size": size, fill: "black" });
  legendBox.append(sv("rect", { x: lx, y: ly, width: 175, height: entries.length * size * 1.45 + 8, rx: 3, fill: "white", "fill-opacity": 0.8, stroke: "#cccccc" }));
  entries.forEach(([kind, label], i) => {
    const cy = ly + 4 + (i + 0.5) * size * 1.45, cx = lx + 14;
    if (kind === "dot") legendBox.append(sv("circle", { cx, cy, r: 2.2, fill: colour, "fill-opacity": 0.75 }));
    if (kind === "ring") legendBox.append(sv("circle", { cx, cy, r: 3.6, fill: "none", stroke: "black", "stroke-width": 1.1 * PT }));
    if (kind === "bar") legendBox.append(sv("line", { x1: cx - 6.5, x2: cx + 6.5, y1: cy, y2: cy, stroke: "black", "stroke-width": 2.2 * PT }));
    legendBox.append(sv("text", { x: lx + 28, y: cy, "dominant-baseline": "central" }, label));
  });
  fig.append(legendBox);
  const description = `For ${n} validation configurations (${view.how}), sorted by their true P: the predictions of ${k} models ` +
    `(${result.title}) as dots with a bar over their range, their mean as a ring and the true value as a black bar. ` +
    `bias\u00b2 ${fmtG(all[1], 3)} + variance ${fmtG(all[2], 3)} = ${fmtG(all[0], 3)} on all ${N} configurations.`;
  fig.setAttribute("aria-label", description);
  fig.insertBefore(sv("title", {}, description), fig.firstChild);
  fig.append(sv("desc", { "data-value": "chosen" }, chosen.join(", ")));
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const data = {
    predictions: config.results.map((r) => decodeValues(r.predictions)),
    y: decodeValues(config.y),
  };
  const root = h("div", { class: "dlx-explorer dlx-column dlx-bias-variance" });
  const regime = select({
    name: "regime", label: "regime", options: config.regimes, value: model.get("regime"), width: "24em",
    onChange: (v) => save(model, { regime: v }),
  });
  const frame = select({
    name: "val_frame", label: "validation set", options: config.frames, value: model.get("val_frame"),
    onChange: (v) => save(model, { val_frame: v }),
  });
  const models = slider({
    name: "models", label: "models used", min: 2, max: config.k, step: 1, value: model.get("models"),
    onInput: (v) => save(model, { models: v }),
  });
  const [low, high, step] = config.n_range;
  const count = slider({
    name: "n", label: "configurations shown", min: low, max: high, step, value: model.get("n"),
    onInput: (v) => save(model, { n: v }),
  });
  const how = select({
    name: "how", label: "which", options: config.selections.map((s) => [s, s]), value: model.get("how"),
    onChange: (v) => save(model, { how: v }),
  });
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:720px" });
  root.append(h("div", { class: "dlx-controls" }, regime.root, frame.root, models.root, count.root, how.root, message, summary), figureBox);
  el.append(root);

  function draw() {
    const state = { regime: model.get("regime"), val_frame: model.get("val_frame"), models: model.get("models"), n: model.get("n"), how: model.get("how") };
    regime.set(state.regime);
    frame.set(state.val_frame);
    models.set(state.models);
    count.set(state.n);
    how.set(state.how);
    const view = bvView(config, data, state);
    if (showError(message, view.error, summary, figureBox)) return;
    const { all, shown, corrected, k } = view;
    const g3 = (key, x) => val(key, fmtG(x, 3));
    const rows = [
      [h("span", {}, "all ", val("total", String(config.count)), " configurations"), g3("all-mse", all[0]), g3("all-bias2", all[1]),
        g3("all-variance", all[2]), val("all-share", pct(all[2], all[0]))],
      [h("span", {}, "the ", val("count", String(view.chosen.length)), " shown"), g3("shown-mse", shown[0]), g3("shown-bias2", shown[1]),
        g3("shown-variance", shown[2]), val("shown-share", pct(shown[2], shown[0]))],
      [h("span", {}, "all, corrected for K = ", val("models", String(k))), "", g3("corrected-bias2", corrected[0]),
        g3("corrected-variance", corrected[1]), val("corrected-share", pct(corrected[1], all[0]))],
    ];
    summary.replaceChildren(
      table(["", "MSE", "bias\u00b2", "variance", "variance share"], rows),
      h("div", { style: "font-size:0.9em" }, "final training MSE of these runs: ", val("train-mse", fmtG(view.result.train_mse, 3)),
        " (mean of all ", val("k", String(config.k)), ")"));
    figureBox.replaceChildren(drawSpread(config, view));
  }

  for (const name of ["regime", "val_frame", "models", "n", "how"]) model.on(`change:${name}`, draw);
  draw();
}

export default { render };
