// III(C): permute (and optionally rotate) one configuration; watch P, the MLP and DeepSets
// (Python twin: widgets/particles.py, permutation_view). The outputs are the library's: P in
// float64 and the untrained networks in float32, computed in Python for every configuration and
// copy and shipped in `config`. This file builds the copy it draws from the shipped permutations
// and rotations, takes the changes, the largest change and the verdict, and draws.

// Everything the explorer shows for its controls (permutation_view in Python), or {error}.
function permutationView(config, data, { index, seed, rotate }) {
  const S = config.copies, n = config.count;
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    return { error: `configuration must be a whole number from 0 to ${n - 1}, got ${index}` };
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > S) {
    return { error: `permutation seed must be a whole number from 0 to ${S}, got ${seed}` };
  }
  // Each configuration's row: the original, copies 1..S permuted, the same copies rotated.
  const row = index * (1 + 2 * S);
  const column = (k) => (k === 0 ? 0 : rotate ? S + k : k);
  const functions = Object.keys(data.outputs).map((label) => {
    const series = data.outputs[label];
    const values = [];
    for (let k = 0; k <= S; k++) values.push(series[row + column(k)]);
    const original = values[0];
    const changes = values.slice(1).map((v) => Math.abs(v - original));
    const largest = Math.max(...changes);
    return {
      label, key: label.toLowerCase(), original, now: values[seed], change: Math.abs(values[seed] - original), changes, largest,
      unchanged: largest < config.invariant_below * Math.max(1, Math.abs(original)),
    };
  });
  // The configuration the models see for this seed: particle i of the copy is old particle perm[i],
  // then (with "also rotate") every particle x -> R x, as augment.apply_permutations and apply_rotations.
  const m = config.particles;
  const x = [];
  for (let i = 0; i < m; i++) {
    const k = 3 * (index * m + i);
    x.push([data.configurations[k], data.configurations[k + 1], data.configurations[k + 2]]);
  }
  let points = x;
  if (seed > 0) {
    points = config.permutations[seed - 1].map((j) => x[j]);
    if (rotate) {
      const R = config.rotations[seed - 1];
      points = points.map((p) => R.map((r) => p[0] * r[0] + p[1] * r[1] + p[2] * r[2]));
    }
  }
  return { index, seed, rotate, functions, points, unchanged: functions.filter((f) => f.unchanged).map((f) => f.label) };
}

// "10" with a raised exponent, as matplotlib labels a log axis.
function powerOfTen(exponent) {
  return ["10", sv("tspan", { dy: "-0.5em", "font-size": "75%" }, minus(String(exponent)))];
}

// The figure of dlexam.plots.particles.plot_permutation_changes: left the configuration the models
// see, right |change| of each output per seed on a log axis (exact zeros on the floor).
function drawChanges(config, view) {
  const colors = config.colors;
  const S = config.copies, floor = config.floor;
  const fig = figure(820, 370, "");
  const panel = drawConfiguration(fig, view.points, {
    x: 0, y: 0, width: 370, height: 370, title: "the configuration the models see\n(colour = index in the list)",
    azimuth: config.view.azimuth, elevation: config.view.elevation,
  });
  const box = { x: 470, y: 78, w: 330, h: 232 };
  const ax = Axes.make(fig, box, "linear", [1 - 0.05 * (S - 1), S + 0.05 * (S - 1)], "log", [floor / 3, 30]);
  const seeds = [];
  for (let k = 1; k <= S; k++) seeds.push(k);
  for (const f of view.functions) {
    const color = config.output_colors[f.label];
    const ys = f.changes.map((c) => Math.max(c, floor));
    ax.line(seeds, ys, { stroke: color, "stroke-width": 1 * PT, "data-series": f.label });
    const dots = sv("g", { fill: color });
    seeds.forEach((s, i) => dots.append(sv("circle", { cx: ax.x(s).toFixed(2), cy: ax.y(ys[i]).toFixed(2), r: 1.5 * PT })));
    ax.add(dots);
  }
  if (view.seed > 0) {
    ax.vline(view.seed, { stroke: colors.red, "stroke-width": 1 * PT, "stroke-dasharray": `${3.7 * PT} ${1.6 * PT}`, "data-shown-seed": view.seed });
  }
  const low = Math.ceil(Math.log10(floor / 3)), high = Math.floor(Math.log10(30));
  const major = []; // every third decade, as matplotlib's LogLocator thins a range this long
  for (let k = low; k <= high; k++) if (k % 3 === 0) major.push(k);
  ax.frame({
    xticks: [0, 5, 10, 15, 20, 25, 30].filter((t) => t <= S + 0.05 * (S - 1)),
    yticks: major.map((k) => 10 ** k), ylabels: major.map(powerOfTen),
    xlabel: "permutation seed", ylabel: "|output(transformed) \u2212 output|", ylabelOffset: 58,
  });
  // minor ticks at the decades without a label, as matplotlib's log axis draws them
  const minor = sv("g", { stroke: "black", "stroke-width": 0.6 * PT });
  for (let k = low; k <= high; k++) {
    if (major.includes(k)) continue;
    minor.append(sv("line", { x1: box.x - 2 * PT, x2: box.x, y1: ax.y(10 ** k), y2: ax.y(10 ** k) }));
  }
  ax.over.append(minor);
  const title = sv("text", { "text-anchor": "middle", "font-size": 9.5 * PT, fill: "black" });
  ["change of each output, seed by seed", "(bottom line: exactly 0)"].forEach((line, k) =>
    title.append(sv("tspan", { x: box.x + box.w / 2, y: box.y - 6 - (1 - k) * 9.5 * PT * 1.2 }, line)));
  fig.append(title);
  changesLegend(fig, box.x + box.w / 2, 16, [
    ...view.functions.map((f) => ({ label: f.label, color: config.output_colors[f.label], marker: true })),
    ...(view.seed > 0 ? [{ label: "shown seed", color: colors.red, dashed: true }] : []),
  ]);
  const what = view.rotate ? "permuted and rotated" : "permuted";
  const description =
    `Left: ${panel.description.replace(/\.$/, "")}, for ${view.seed ? `seed ${view.seed}, ${what}` : "seed 0, the original"}. ` +
    `Right: the absolute change of each output between the original and each of the ${S} ${what} copies, seed by seed, ` +
    `on a log scale, exact zeros drawn on the bottom line at ${fmtG(floor, 3)}; largest changes ` +
    view.functions.map((f) => `${f.label} ${fmtE(f.largest, 2)}`).join(", ") +
    (view.seed ? `; the dashed line marks seed ${view.seed}.` : ".");
  fig.setAttribute("aria-label", description);
  fig.insertBefore(sv("title", {}, description), fig.firstChild);
  return fig;
}

// One row of legend entries centred at (cx, y), as matplotlib's legend(loc="lower center", ncol=4).
function changesLegend(fig, cx, y, entries) {
  const size = 8 * PT, handle = 1.5 * size, gap = 0.8 * size, spacing = 1.0 * size;
  const widths = entries.map((e) => handle + gap + e.label.length * size * 0.6);
  const total = widths.reduce((a, b) => a + b, 0) + spacing * (entries.length - 1);
  const g = sv("g", { "font-size": size, fill: "black" });
  let x = cx - total / 2;
  entries.forEach((e, i) => {
    const line = { x1: x, y1: y, x2: x + handle, y2: y, stroke: e.color, "stroke-width": 1 * PT };
    if (e.dashed) line["stroke-dasharray"] = `${3.7 * PT} ${1.6 * PT}`;
    g.append(sv("line", line));
    if (e.marker) g.append(sv("circle", { cx: x + handle / 2, cy: y, r: 1.5 * PT, fill: e.color }));
    g.append(sv("text", { x: x + handle + gap, y, "dominant-baseline": "central" }, e.label));
    x += widths[i] + spacing;
  });
  fig.append(g);
}

function render({ model, el }) {
  const config = model.get("config");
  const data = {
    configurations: decodeValues(config.configurations),
    outputs: Object.fromEntries(Object.entries(config.outputs).map(([label, encoded]) => [label, decodeValues(encoded)])),
  };
  const S = config.copies;
  const root = h("div", { class: "dlx-explorer dlx-column dlx-permutation" });
  const index = slider({
    name: "index", label: "configuration", min: 0, max: config.count - 1, step: 1, value: model.get("index"),
    onInput: (v) => save(model, { index: v }),
  });
  const seed = slider({
    name: "seed", label: "permutation seed", min: 0, max: S, step: 1, value: model.get("seed"),
    onInput: (v) => save(model, { seed: v }),
  });
  const another = h("button", {
    type: "button", "data-control": "another",
    onclick: () => save(model, { seed: (model.get("seed") % S) + 1 }),
  }, "another permutation");
  seed.root.append(h("span", { class: "dlx-buttons" }, another));
  const rotate = h("input", { type: "checkbox", "data-control": "rotate", style: "margin:0 0.4em 0 0" });
  rotate.addEventListener("change", () => save(model, { rotate: rotate.checked }));
  // the box inside its label: they wrap together on a narrow screen, and a click on the words ticks it
  const rotateRow = h("div", { class: "dlx-row" }, h("span", { class: "dlx-label" }),
    h("label", { style: "display:inline-flex;align-items:center" }, rotate, "also rotate (uniform random rotation)"));
  const note = h("div", { class: "dlx-note", style: "max-width:44em" },
    `Seed 0 is the configuration as stored; each seed from 1 to ${S} renumbers its particles at random (and, ` +
    "with \u201calso rotate\u201d, turns it by a random rotation). The outputs are the library\u2019s own, " +
    "computed with PyTorch for every configuration and seed when the explorer was made; the figure shows all " +
    `${S} seeds at once.`);
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:820px" });
  root.append(h("div", { class: "dlx-controls" }, index.root, seed.root, rotateRow, note, message, summary, rows), figureBox);
  el.append(root);

  function draw() {
    const state = { index: model.get("index"), seed: model.get("seed"), rotate: Boolean(model.get("rotate")) };
    index.set(state.index);
    seed.set(state.seed);
    rotate.checked = state.rotate;
    const view = permutationView(config, data, state);
    if (view.error) {
      showMessage(message, view.error, "error");
      summary.replaceChildren();
      rows.replaceChildren();
      figureBox.replaceChildren();
      figureBox.removeAttribute("data-configuration");
      return;
    }
    showMessage(message, "");
    const what = state.rotate ? "permutation and rotation" : "permutation";
    rows.replaceChildren(table(
      ["", "original", val("after", state.seed ? `after ${what} ${state.seed}` : "original (seed 0)"), "|change|", `largest over seeds 1\u2013${S}`],
      view.functions.map((f) => [
        f.label,
        val(f.key + "-original", fmtF(f.original, 7)),
        val(f.key + "-now", fmtF(f.now, 7)),
        val(f.key + "-change", fmtE(f.change, 2)),
        val(f.key + "-largest", fmtE(f.largest, 2)),
      ])
    ));
    summary.replaceChildren("Unchanged up to float rounding: ", h("b", {}, val("unchanged", view.unchanged.join(", ") || "none")),
      `. The models are untrained (seed ${config.model_seed}): invariance is built into the architecture, not learnt.`);
    figureBox.replaceChildren(drawChanges(config, view));
    figureBox.setAttribute("data-configuration", JSON.stringify(view.points));
  }

  model.on("change:index", draw);
  model.on("change:seed", draw);
  model.on("change:rotate", draw);
  draw();
}

export default { render };
