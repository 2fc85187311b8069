// I(B): which activation turns the exam's neuron into an output that reads 1.0?
// (Python twin: widgets/activations.py, computed with dlexam.saturation.)

function sigmoid(z) {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function activate(name, z, slope) {
  if (name === "sigmoid") return sigmoid(z);
  if (name === "tanh") return Math.tanh(z);
  if (name === "relu") return Math.max(z, 0);
  return z >= 0 ? z : slope * z; // leaky_relu
}

// f'(z) in float64 as autograd computes it (dlexam.saturation.derivative).
function derivative(name, z, slope) {
  if (name === "sigmoid") {
    const e = Math.exp(-Math.abs(z));
    const s = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    return s * (1 - s);
  }
  if (name === "tanh") {
    const t = Math.tanh(z);
    return 1 - t * t;
  }
  if (name === "relu") return z > 0 ? 1 : 0;
  return z > 0 ? 1 : slope;
}

// Python's repr() of a short string.
function pyRepr(s) {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

// Python's float(text), or null when Python would refuse it.
function pythonFloat(text) {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  const digits = "\\d(?:_?\\d)*";
  const number = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  return number.test(text) ? Number(text.replace(/_/g, "")) : null;
}

// dlexam.saturation.parse_numbers: numbers separated by commas, semicolons or spaces.
function parseNumbers(text, count, name) {
  const parts = text.replace(/[,;]/g, " ").split(/\s+/).filter((p) => p);
  const values = [];
  for (const p of parts) {
    const v = pythonFloat(p);
    if (v === null) throw new Error(`${name}: ${pyRepr(p)} is not a number; write numbers like 7.3 or -0.2, separated by commas`);
    if (!Number.isFinite(v)) throw new Error(`${name}: ${pyRepr(p)} is not a finite number`);
    values.push(v);
  }
  if (!values.length) throw new Error(`${name}: enter at least one number`);
  if (count !== null && values.length !== count) throw new Error(`${name}: expected ${count} number${count === 1 ? "" : "s"}, got ${values.length}`);
  return values;
}

// The digits of a float's shortest repr, as (negative, "digits", exponent): value = 0.digits x 10^exponent.
function shortestDigits(value) {
  const [mantissa, e] = Math.abs(value).toExponential().split("e"); // shortest round-trip digits
  const digits = mantissa.replace(".", "");
  return { negative: value < 0 || Object.is(value, -0), digits, exponent: Number(e) + 1 };
}

// dlexam.saturation.round_to: round the decimal the float prints as, ties by `convention`.
function roundTo(value, decimals, convention) {
  const { negative, digits, exponent } = shortestDigits(value);
  // Digits before the rounding point: exponent + decimals (may be <= 0 or beyond the digits).
  const keep = exponent + decimals;
  let kept, dropped;
  if (keep <= 0) {
    kept = "0";
    dropped = "0".repeat(-keep) + digits;
  } else {
    const padded = digits.padEnd(keep, "0");
    kept = padded.slice(0, keep);
    dropped = padded.slice(keep);
  }
  const first = Number(dropped[0] || "0");
  const rest = /[1-9]/.test(dropped.slice(1));
  const lastEven = Number(kept[kept.length - 1]) % 2 === 0;
  const up = first > 5 || (first === 5 && (rest || convention === "half_up" || !lastEven));
  let n = BigInt(kept) + (up ? 1n : 0n);
  const s = n.toString().padStart(decimals + 1, "0");
  const text = (negative ? "-" : "") + s.slice(0, s.length - decimals) + (decimals ? "." + s.slice(s.length - decimals) : "");
  return Number(text);
}

// dlexam.saturation.format_number: six significant digits, an exact 1.0 kept a decimal.
function formatNumber(value) {
  const text = fmtG(value, 6);
  return /[.eni]/.test(text) ? text : text + ".0";
}

// Everything the explorer shows for the fields' texts (dlexam.saturation.readings).
function activationView(config, state) {
  const w = parseNumbers(state.weights, null, "weights");
  const [b] = parseNumbers(state.bias, 1, "bias");
  const x = parseNumbers(state.inputs, w.length, "input (one value per weight)");
  let z = 0;
  for (let i = 0; i < w.length; i++) z += x[i] * w[i];
  z += b;
  if (!Number.isFinite(z)) throw new Error("the pre-activation overflows to infinity: use smaller weights or inputs");
  const target = roundTo(config.observed, config.decimals, state.convention);
  const readings = config.options.map((name) => {
    const output = activate(name, z, config.slope);
    const rounded = roundTo(output, config.decimals, state.convention);
    return { name, output, rounded, matches: rounded === target };
  });
  const chosen = readings.find((r) => r.name === state.activation);
  if (!chosen) throw new Error(`activation must be one of ${config.options.map(pyRepr).join(", ")}, got ${pyRepr(state.activation)}`);
  return { z, readings, chosen, derivative: derivative(chosen.name, z, config.slope) };
}

function intervalText(interval) {
  return interval.text;
}

// Points evenly spaced in asinh(z): dense near 0, sparse far out (plots.activations._grid).
function asinhGrid(lo, hi, n) {
  const a = Math.asinh(lo), b = Math.asinh(hi);
  return Array.from({ length: n }, (_, i) => Math.sinh(a + ((b - a) * i) / (n - 1)));
}

// One activation, the band of outputs that round to the observation and the point at z, as
// dlexam.plots.activations.plot_activation_reading draws it.
function drawReading(config, state, view) {
  const { chosen, z } = view;
  const colors = config.colors;
  const name = chosen.name;
  const band = config.bands[state.convention];
  const pre = config.preimages[state.convention][name];
  const reach = Math.min(Math.max(6, 1.3 * Math.abs(z)), 1e6);
  const symlog = reach > 12;
  const fig = figure(600, 380, `${config.labels[name]} and the band of outputs that round to ${fmtF(config.observed, config.decimals)}`);
  const ylim = config.ylim;
  const box = { x: 62, y: 34, w: 520, h: 268 };
  const ax = Axes.make(fig, box, symlog ? "symlog" : "linear", [-reach, reach], "linear", ylim, { x: { linthresh: 4, linscale: 1.2 } });
  ax.rect(-reach, band.low, reach, band.high, { fill: colors.yellow, "fill-opacity": 0.45 });
  if (!pre.empty) {
    const lo = Math.max(pre.low ?? -Infinity, -reach), hi = Math.min(pre.high ?? Infinity, reach);
    if (lo < hi) ax.rect(lo, ylim[0], hi, ylim[1], { fill: colors.sky, "fill-opacity": 0.25 });
  }
  ax.hline(0, { stroke: colors.grey, "stroke-width": 0.6 * PT });
  ax.vline(0, { stroke: colors.grey, "stroke-width": 0.6 * PT });
  const grid = symlog ? asinhGrid(-reach, reach, 2001) : Array.from({ length: 1201 }, (_, i) => -reach + (2 * reach * i) / 1200);
  // Clip far-off values before drawing so the polyline stays within reasonable coordinates.
  const ys = grid.map((g) => Math.min(Math.max(activate(name, g, config.slope), ylim[0] - 1), ylim[1] + 1));
  ax.line(grid, ys, { stroke: config.curve[name], "stroke-width": 2 * PT });
  const out = chosen.output;
  const shown = Math.min(Math.max(out, ylim[0] + 0.08), ylim[1] - 0.08);
  const shownZ = Math.min(Math.max(z, -reach), reach);
  const off = shown !== out || shownZ !== z;
  const px = ax.x(shownZ), py = ax.y(shown);
  const fill = chosen.matches ? colors.green : colors.red;
  const r = Math.sqrt(70) / 2 * PT;
  ax.add(shown !== out
    ? sv("polygon", { points: `${px},${py - r * 1.2} ${px - r},${py + r * 0.8} ${px + r},${py + r * 0.8}`, fill, stroke: "black" })
    : sv("circle", { cx: px, cy: py, r, fill, stroke: "black" }), false);
  const lines = [["z = ", ["figure-z-label", fmtG(z, 6)]], ["output ", ["figure-output", formatNumber(out), 6], off ? " (off the chart)" : ""]];
  const up = shown > 0.5;
  labelBox(ax.over, px - 8 * PT, py + (up ? 30 : -12) * PT, lines, { anchor: "end", baseline: up ? "top" : "bottom", alpha: 0.9 });
  let xticks = null, xlabels = null;
  if (symlog) {
    xticks = config.symlog_ticks.filter((t) => t >= -reach && t <= reach);
    xlabels = xticks.map((t) => minus(fmtG(t, 6)));
  } else {
    xticks = axisTicks(-reach, reach, box.w);
  }
  ax.frame({
    xticks, xlabels, yticks: axisTicks(ylim[0], ylim[1], box.h), ylabel: "output",
    xlabel: "pre-activation z" + (symlog ? " (linear in [\u22124, 4], logarithmic beyond)" : ""),
    title: `${config.labels[name]}(${minus(fmtG(z, 6))}) = ${minus(formatNumber(out))}`, ylabelOffset: 44,
  });
  const entries = [{ label: `outputs that round to ${fmtF(config.observed, config.decimals)}: ${band.text}`, fill: colors.yellow, opacity: 0.45 }];
  if (!pre.empty) entries.push({ label: `pre-activations that do: ${pre.text}`, fill: colors.sky, opacity: 0.25 });
  legend(fig, box.x + 8, box.y + 12, entries, 7.5);
  fig.setAttribute("aria-label",
    `${config.labels[name]} over the pre-activation z from ${minus(fmtG(-reach, 6))} to ${minus(fmtG(reach, 6))}` +
    (symlog ? " (linear in [−4, 4], logarithmic beyond)" : "") +
    `; shaded: ${entries.map((e) => e.label).join("; ")}. ` +
    `The point at z = ${minus(fmtG(z, 6))} has output ${minus(formatNumber(out))}` + (off ? ", off the chart" : "") +
    `, which ${chosen.matches ? "rounds" : "does not round"} to ${fmtF(config.observed, config.decimals)}.`);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-activations" });
  const buttons = config.options.map((name) =>
    h("button", { type: "button", "data-control": "activation-" + name, "aria-pressed": "false", onclick: () => save(model, { activation: name }) }, config.labels[name])
  );
  const choice = h("div", { class: "dlx-row" }, h("span", { class: "dlx-label" }, "activation"),
    h("div", { class: "dlx-buttons", role: "group", "aria-label": "activation" }, buttons));
  const fields = {
    weights: textField({ name: "weights", label: "weights", value: model.get("weights"), onChange: (v) => save(model, { weights: v }), width: "20em" }),
    bias: textField({ name: "bias", label: "bias", value: model.get("bias"), onChange: (v) => save(model, { bias: v }), width: "20em" }),
    inputs: textField({ name: "inputs", label: "input", value: model.get("inputs"), onChange: (v) => save(model, { inputs: v }), width: "20em" }),
  };
  const convention = select({
    name: "convention", label: "rounding", value: model.get("convention"), width: "20em",
    options: config.conventions, onChange: (v) => save(model, { convention: v }),
  });
  const reset = h("button", { type: "button", "data-control": "reset", class: "dlx-reset",
    onclick: () => save(model, { weights: config.exam.weights, bias: config.exam.bias, inputs: config.exam.inputs }) },
    "back to the exam's neuron");
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const message = h("div", { class: "dlx-message" });
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:600px" });
  root.append(
    h("div", { class: "dlx-controls" }, choice, fields.weights.root, fields.bias.root, fields.inputs.root, convention.root,
      h("div", { class: "dlx-row dlx-buttons" }, h("span", { class: "dlx-label" }), reset), summary, rows, message),
    figureBox
  );
  el.append(root);

  function draw() {
    const state = Object.fromEntries(["activation", "weights", "bias", "inputs", "convention"].map((k) => [k, model.get(k)]));
    buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(config.options[i] === state.activation)));
    for (const k of ["weights", "bias", "inputs"]) if (fields[k].input.value !== state[k]) fields[k].set(state[k]);
    convention.set(state.convention);
    let view;
    try {
      view = activationView(config, state);
    } catch (err) {
      showMessage(message, err.message, "error");
      summary.replaceChildren();
      rows.replaceChildren();
      figureBox.replaceChildren();
      return;
    }
    showMessage(message, "");
    const { chosen, z } = view;
    const observed = fmtF(config.observed, config.decimals);
    summary.replaceChildren(
      "pre-activation ", h("b", {}, "z = ", val("z", fmtG(z, 6))), `; ${config.labels[chosen.name]} outputs `,
      h("b", {}, val("output", formatNumber(chosen.output), 6)), ", which rounds to ", h("b", {}, val("rounded", fmtF(chosen.rounded, config.decimals))),
      chosen.matches ? " \u2713 " : " \u2717 ", val("matches", chosen.matches ? "matches" : "does not match"), ` the observed ${observed}.`,
      h("br"), "Its derivative there (float64, as backpropagation computes it): ", val("derivative", fmtG(view.derivative, 3))
    );
    rows.replaceChildren(
      table(
        ["activation", "output", "rounded", `= ${observed}?`, `z that give ${observed}`],
        view.readings.map((r) => [
          config.labels[r.name], val("output-" + r.name, formatNumber(r.output), 6), val("rounded-" + r.name, fmtF(r.rounded, config.decimals)),
          val("match-" + r.name, r.matches ? "yes" : "no"), val("preimage-" + r.name, intervalText(config.preimages[state.convention][r.name])),
        ]),
        view.readings.flatMap((r, i) => (r.name === chosen.name ? [i] : []))
      )
    );
    figureBox.replaceChildren(drawReading(config, state, view));
  }

  for (const k of ["activation", "weights", "bias", "inputs", "convention"]) model.on("change:" + k, draw);
  draw();
}

export default { render };
