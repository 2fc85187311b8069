// I(A): a sigmoid neuron's weights against a truth table (Python twin: widgets/neuron.py).

// 1 / (1 + exp(-z)) without overflow, as dlexam.neuron.sigmoid computes it.
function sigmoid(z) {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

// What the page shows for weights (w1, w2), bias b and a truth table (config.tables[name]).
function truthTableView(config, w1, w2, b, name) {
  const table = config.tables[name];
  const rows = table.inputs.map(([x1, x2], i) => {
    const z = x1 * w1 + x2 * w2 + b;
    const output = sigmoid(z);
    const error = Math.abs(output - table.targets[i]);
    return { x: [x1, x2], target: table.targets[i], z, output, error, within: error <= config.tolerance };
  });
  const errors = rows.map((r) => r.error);
  const option = config.options.find((o) => o.w[0] === w1 && o.w[1] === w2 && o.w[2] === b);
  return {
    rows,
    largest: Math.max(...errors),
    mse: errors.reduce((s, e) => s + e * e, 0) / errors.length,
    correct: rows.every((r) => r.within),
    option: option ? option.label : config.custom,
  };
}

function weightLabel(v) {
  return minus(fmtG(v, 6));
}

// The neuron's output over [-0.25, 1.25]^2 in 20 bands, the line z = 0 and the four points,
// as dlexam.plots.neuron.plot_truth_table_surface draws them.
function drawSurface(config, w1, w2, b, name, view) {
  const corners = view.rows.map((r) => `(${r.x[0]}, ${r.x[1]}): target ${fmtG(r.target, 6)}, output ${fmtF(r.output, 3)}`);
  const fig = figure(520, 420,
    `The neuron's output over inputs x₁ and x₂ from −0.25 to 1.25, for w₁ = ${weightLabel(w1)}, ` +
    `w₂ = ${weightLabel(w2)}, b = ${weightLabel(b)}, as a colour map from 0 to 1` +
    (w1 !== 0 || w2 !== 0 ? ", with the boundary line z = 0 (output 0.5) in white" : "") +
    `. The four points of the ${name} table: ${corners.join("; ")}.`);
  const box = { x: 74, y: 34, w: 320, h: 320 };
  const lo = -0.25, hi = 1.25;
  const ax = Axes.make(fig, box, "linear", [lo, hi], "linear", [lo, hi]);
  const n = 155;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = n;
  const context = canvas.getContext("2d");
  const image = context.createImageData(n, n);
  const bands = config.bands.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  for (let row = 0; row < n; row++) {
    const x2 = hi - ((row + 0.5) / n) * (hi - lo);
    for (let col = 0; col < n; col++) {
      const x1 = lo + ((col + 0.5) / n) * (hi - lo);
      const out = sigmoid(w1 * x1 + w2 * x2 + b);
      const rgb = bands[Math.min(bands.length - 1, Math.floor(out * bands.length))];
      image.data.set([...rgb, 255], 4 * (row * n + col));
    }
  }
  context.putImageData(image, 0, 0);
  ax.add(sv("image", { href: canvas.toDataURL(), x: box.x, y: box.y, width: box.w, height: box.h, preserveAspectRatio: "none" }));
  // The white line z = 0, where the output is exactly 0.5.
  if (w1 !== 0 || w2 !== 0) {
    const far = 10;
    const points = Math.abs(w2) >= Math.abs(w1)
      ? [[-far, (-b + w1 * far) / w2], [far, (-b - w1 * far) / w2]]
      : [[(-b + w2 * far) / w1, -far], [(-b - w2 * far) / w1, far]];
    ax.line(points.map((p) => p[0]), points.map((p) => p[1]), { stroke: "white", "stroke-width": 2 * PT });
  }
  const table = config.tables[name];
  view.rows.forEach((r, i) => {
    const [p, q] = r.x;
    ax.add(sv("circle", { cx: ax.x(p), cy: ax.y(q), r: (Math.sqrt(160) / 2) * PT, fill: table.colors[i], stroke: config.colors.red, "stroke-width": 2 * PT }), false);
    const lines = [["target ", ["figure-target-" + i, fmtG(r.target, 6)]], ["output ", ["figure-output-" + i, fmtF(r.output, 3)]]];
    const above = q > 0.5;
    labelBox(ax.over, ax.x(p), ax.y(q) + (above ? -14 : 14) * PT, lines, { baseline: above ? "bottom" : "top" });
  });
  const ticks = axisTicks(lo, hi, box.w);
  ax.frame({
    xticks: ticks, yticks: ticks, xlabel: "input 1, x\u2081", ylabel: "input 2, x\u2082",
    title: `w\u2081 = ${weightLabel(w1)},  w\u2082 = ${weightLabel(w2)},  b = ${weightLabel(b)};  white line: z = 0`,
  });
  colorbar(fig, { x: 412, y: box.y, w: 16, h: box.h }, config.bands, 0, 1, [0, 0.25, 0.5, 0.75, 1],
    "neuron output \u03c3(w\u2081x\u2081 + w\u2082x\u2082 + b)", (t) => fmtF(t, 2));
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const step = config.step;
  const root = h("div", { class: "dlx-explorer dlx-truth-table" });
  const option = select({
    name: "option", label: "snap to", value: config.custom, width: "27em",
    options: [[config.custom, config.custom], ...config.options.map((o) => [o.label, o.label])],
    onChange(label) {
      const chosen = config.options.find((o) => o.label === label);
      if (chosen) save(model, { w1: chosen.w[0], w2: chosen.w[1], b: chosen.w[2] });
      else draw();
    },
  });
  const tableChoice = select({
    name: "table", label: "table", value: model.get("table"),
    options: Object.keys(config.tables).map((t) => [t, t]),
    onChange: (t) => save(model, { table: t }),
  });
  const sliders = ["w1", "w2", "b"].map((name) =>
    slider({
      name, label: name, min: -config.limit, max: config.limit, step, value: model.get(name),
      format: (v) => fmtG(v, 6), onInput: (v) => save(model, { [name]: v }),
    })
  );
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const message = h("div", { class: "dlx-message" });
  const figureBox = h("div", { class: "dlx-figure-box" });
  root.append(
    h("div", { class: "dlx-controls" }, option.root, tableChoice.root, sliders.map((s) => s.root), summary, rows, message),
    figureBox
  );
  el.append(root);

  function draw() {
    const [w1, w2, b] = ["w1", "w2", "b"].map((k) => model.get(k));
    const name = model.get("table");
    sliders.forEach((s, i) => s.set([w1, w2, b][i]));
    tableChoice.set(name);
    if (!config.tables[name]) {
      showMessage(message, `truth table must be one of ${Object.keys(config.tables).join(", ")}, got '${name}'`, "error");
      return;
    }
    const view = truthTableView(config, w1, w2, b, name);
    option.set(view.option);
    summary.replaceChildren(
      h("b", {}, "largest error ", val("largest", fmtG(view.largest, 3))),
      ", mean squared error ", val("mse", fmtG(view.mse, 3)), " ",
      view.correct ? "\u2713 " : "\u2717 ",
      val("verdict", view.correct ? "reproduces" : "does not reproduce"),
      ` ${name} within ${fmtG(config.tolerance, 6)}`
    );
    rows.replaceChildren(
      table(
        ["input", "target", "z", "output", "|error|", `within ${fmtG(config.tolerance, 6)}?`],
        view.rows.map((r, i) => [
          `(${r.x[0]}, ${r.x[1]})`, val("target-" + i, fmtG(r.target, 6)), val("z-" + i, fmtSignedF(r.z, 2)),
          val("output-" + i, fmtF(r.output, 4)), val("error-" + i, fmtG(r.error, 3)), val("within-" + i, r.within ? "yes" : "no"),
        ]),
        view.rows.flatMap((r, i) => (r.within ? [] : [i]))
      )
    );
    showMessage(message, "");
    figureBox.replaceChildren(drawSurface(config, w1, w2, b, name, view));
  }

  for (const name of ["w1", "w2", "b", "table"]) model.on("change:" + name, draw);
  draw();
}

export default { render };
