// I(D): an image shape and layer widths in, every layer's parameters out
// (Python twin: widgets/params.py, computed with dlexam.params). Counts are BigInts: a
// 10,000 x 10,000 x 1,000 image into a layer of a million neurons has 1e17 weights.

// A whole number as typed, or an error naming the field (widgets.params.parse_side).
function parseSide(text, name) {
  const t = String(text).trim();
  if (!/^[+-]?[0-9]+$/.test(t)) throw new Error(`the image ${name} must be a whole number, got ${pyRepr(String(text))}`);
  return BigInt(t);
}

function pyRepr(s) {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

// widgets.params.check_image_shape
function checkImageShape(config, texts) {
  return ["height", "width", "channels"].map((name, k) => {
    const value = parseSide(texts[k], name);
    const limit = BigInt(config.limits[name]);
    if (value < 1n) throw new Error(`the image ${name} must be at least 1, got ${value}.`);
    if (value > limit) throw new Error(`an image ${name} of ${fmtInt(value)} is beyond this explorer: at most ${fmtInt(limit)}.`);
    return value;
  });
}

// widgets.params.parse_widths
function parseWidths(config, text) {
  const tokens = text.trim().split(/[,\s;]+/).filter((t) => t);
  if (!tokens.length) throw new Error("Enter the widths of the hidden and output layers, separated by commas, such as 512, 10.");
  const widths = tokens.map((token) => {
    if (!/^[+-]?\d[\d_]*$/.test(token)) throw new Error(`'${token}' is not a whole number: layer widths count neurons, such as 512.`);
    return BigInt(token.replace(/_/g, ""));
  });
  widths.forEach((width, i) => {
    if (width < 1n) throw new Error(`layer ${i + 1} has width ${width}: every layer needs at least 1 neuron.`);
    if (width > BigInt(config.max_width)) {
      throw new Error(`layer ${i + 1} has ${fmtInt(width)} neurons: this explorer stops at ${fmtInt(config.max_width)} per layer.`);
    }
  });
  if (widths.length > config.max_layers) throw new Error(`${widths.length} layers: this explorer shows at most ${config.max_layers}.`);
  return widths;
}

// dlexam.params.dense_layer_breakdown
function denseLayers(sizes) {
  return sizes.slice(1).map((n_out, i) => {
    const n_in = sizes[i];
    return { n_in, n_out, weights: n_in * n_out, biases: n_out, total: (n_in + 1n) * n_out };
  });
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0n);
}

// dlexam.params.mistaken_counts, with the image shape
function mistakenCounts(sizes, [h, w, c]) {
  const layers = denseLayers(sizes);
  const right = sum(layers.map((l) => l.total));
  const nBiases = sum(layers.map((l) => l.biases));
  const inputs = [[sizes[0], []]];
  if (c > 1n) inputs.push([h * w, [`counts ${h}\u00d7${w} = ${fmtInt(h * w)} pixels but not the ${c} channels`]]);
  inputs.push([h, [`feeds the first layer one side of the image (${h}) instead of all its ${h}\u00d7${w}${c > 1n ? "\u00d7" + c : ""} = ${fmtInt(sizes[0])} inputs`]]);
  const asText = (parts) => (parts.length === 1 ? parts[0] : parts.slice(0, -1).join(", ") + " and " + parts[parts.length - 1]);
  const found = [];
  for (const [n0, inputMistake] of inputs) {
    const withBiases = sum(denseLayers([n0, ...sizes.slice(1)]).map((l) => l.total));
    for (const [biases, biasMistake] of [[true, []], [false, [`leaves out the ${fmtInt(nBiases)} biases`]]]) {
      const count = biases ? withBiases : withBiases - nBiases;
      if (inputMistake.length || biasMistake.length) found.push([asText([...inputMistake, ...biasMistake]), count]);
    }
  }
  found.push([`gives the ${fmtInt(sizes[0])} inputs biases too (inputs are data, not neurons)`, right + sizes[0]]);
  if (layers.length > 1) {
    layers.forEach((l, i) => found.push([
      `leaves out layer ${i + 1} (${fmtInt(l.n_in)} \u2192 ${fmtInt(l.n_out)}: ${fmtInt(l.weights)} weights and ${fmtInt(l.biases)} biases)`,
      right - l.total,
    ]));
  }
  found.push(["counts the neurons instead of the connections", sum(sizes)]);
  found.push(["counts the neurons, not counting the inputs", sum(sizes.slice(1))]);
  return found.filter(([, count]) => count !== right);
}

// dlexam.params.explain_count
function explainCount(sizes, count, shape) {
  const right = sum(denseLayers(sizes).map((l) => l.total));
  if (count === right) return "right";
  const mistake = mistakenCounts(sizes, shape).find(([, c]) => c === count);
  if (mistake) return mistake[0];
  const diff = count > right ? count - right : right - count;
  return `is ${fmtInt(diff)} too ${count > right ? "high" : "low"}`;
}

// widgets.params.format_bytes
function formatBytes(n) {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]]) {
    if (n >= BigInt(size)) return `${fmtCommaF(Number(n) / size, 2)} ${unit}`;
  }
  return `${n} B`;
}

function optionValue(option, symbols) {
  return sum(option.terms.map((term) => term.reduce((p, s) => p * symbols[s], 1n)));
}

// Everything the explorer shows for the fields' texts.
function parameterView(config, state) {
  const shape = checkImageShape(config, [state.height, state.width, state.channels]);
  const widths = parseWidths(config, state.widths);
  const [h, w, c] = shape;
  const sizes = [h * w * c, ...widths];
  const layers = denseLayers(sizes);
  const total = sum(layers.map((l) => l.total));
  const weights = sum(layers.map((l) => l.weights));
  let options = null;
  if (widths.length === 2) {
    const symbols = { h, w, hidden: widths[0], out: widths[1] };
    options = config.options.map((o) => {
      const value = optionValue(o, symbols);
      return { ...o, value, verdict: explainCount(sizes, value, shape) };
    });
  }
  return { shape, sizes, layers, total, weights, biases: total - weights, options };
}

function share(part, whole) {
  return (100 * Number(part)) / Number(whole);
}

// Weights and biases of every layer on a logarithmic axis (plots.params.plot_parameter_breakdown).
function drawBreakdown(config, view) {
  const { layers, total, weights } = view;
  const few = layers.length <= 5;
  const width = 100 * Math.min(9.5, Math.max(4.5, 1.6 * layers.length + 2.5));
  const fig = figure(width, 360, "weights and biases of every layer");
  const maxWeights = Number(layers.reduce((m, l) => (l.weights > m ? l.weights : m), 0n));
  const box = { x: 70, y: 34, w: width - 90, h: few ? 248 : 262 };
  const ax = Axes.make(fig, box, "linear", [-0.6, layers.length - 0.4], "log", [0.5, maxWeights * 40]);
  const bar = 0.38;
  const series = [[-bar / 2, "weights", config.colors.blue], [bar / 2, "biases", config.colors.orange]];
  for (const [offset, key, color] of series) {
    layers.forEach((l, i) => {
      const v = Number(l[key]);
      ax.rect(i + offset - bar / 2, 0.5, i + offset + bar / 2, v, { fill: color });
      if (few) {
        ax.add(sv("text", { x: ax.x(i + offset), y: ax.y(v * 1.15) - 1, "text-anchor": "middle", "font-size": 8 * PT, fill: "black", "data-value": `figure-${key}-${i}` }, fmtInt(l[key])), false);
      }
    });
  }
  const decades = [];
  for (let k = 0; 10 ** k <= maxWeights * 40; k++) decades.push(k);
  const ylabels = decades.map((k) => sv("tspan", {}, "10", sv("tspan", { dy: "-0.5em", "font-size": 7 * PT }, String(k))));
  ax.frame({
    xticks: layers.map((_, i) => i),
    xlabels: few ? layers.map((l, i) => `layer ${i + 1}\n${fmtInt(l.n_in)} \u2192 ${fmtInt(l.n_out)}`) : layers.map((_, i) => String(i + 1)),
    xlabel: few ? "" : "layer",
    yticks: decades.map((k) => 10 ** k), ylabels, ylabel: "parameters (log scale)", ylabelOffset: 50,
    title: [`${fmtInt(total)} parameters, `, sv("tspan", { "data-value": "figure-share" }, fmtF(share(weights, total), 2)), "% of them weights"],
  });
  legend(fig, box.x + box.w - 150, box.y + 10, [{ label: "weights", fill: config.colors.blue }, { label: "biases", fill: config.colors.orange }]);
  const perLayer = layers.slice(0, 8).map((l, i) =>
    `layer ${i + 1} (${fmtInt(l.n_in)} → ${fmtInt(l.n_out)}): ${fmtInt(l.weights)} weights, ${fmtInt(l.biases)} biases`);
  fig.setAttribute("aria-label",
    `Bar chart on a logarithmic scale of the weights and biases of each of the ${layers.length} layers: ${perLayer.join("; ")}` +
    (layers.length > 8 ? `; and ${layers.length - 8} more layers` : "") +
    `. In all ${fmtInt(total)} parameters, ${fmtF(share(weights, total), 2)}% of them weights.`);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-params" });
  const presetNames = Object.keys(config.presets);
  const preset = select({
    name: "preset", label: "network", value: config.custom, width: "30em",
    options: [[config.custom, config.custom], ...presetNames.map((p) => [p, p])],
    onChange(name) {
      const p = config.presets[name];
      if (p) save(model, { height: p.height, width: p.width, channels: p.channels, widths: p.widths });
      else draw();
    },
  });
  const sideField = (name) =>
    textField({ name, label: name, value: model.get(name), type: "number", width: "6em", onChange: (v) => save(model, { [name]: v }) });
  const sides = { height: sideField("height"), width: sideField("width"), channels: sideField("channels") };
  const widths = textField({ name: "widths", label: "layers", value: model.get("widths"), width: "20em", onChange: (v) => save(model, { widths: v }) });
  widths.input.placeholder = "512, 10";
  const hint = h("div", { class: "dlx-note" }, "layers: widths of the hidden layers and the output layer, separated by commas (press Enter)");
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const options = h("div");
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:950px" });
  root.append(
    h("div", { class: "dlx-controls" }, preset.root, h("div", { class: "dlx-row" }, sides.height.root, sides.width.root, sides.channels.root),
      widths.root, hint, message, summary, rows, options),
    figureBox
  );
  el.append(root);

  function draw() {
    const state = Object.fromEntries(["height", "width", "channels", "widths"].map((k) => [k, model.get(k)]));
    for (const k of ["height", "width", "channels"]) if (sides[k].input.value !== state[k]) sides[k].set(state[k]);
    if (widths.input.value !== state.widths) widths.set(state.widths);
    const match = presetNames.find((p) => ["height", "width", "channels", "widths"].every((k) => config.presets[p][k] === state[k]));
    preset.set(match || config.custom);
    let view;
    try {
      view = parameterView(config, state);
    } catch (err) {
      showMessage(message, err.message, "error");
      for (const box of [summary, rows, options, figureBox]) box.replaceChildren();
      return;
    }
    showMessage(message, "");
    const { layers, total, weights, biases, shape, sizes } = view;
    const tableRows = layers.map((l, i) => [
      String(i + 1), h("span", {}, val("in-" + i, fmtInt(l.n_in)), " \u2192 ", val("out-" + i, fmtInt(l.n_out))),
      val("weights-" + i, fmtInt(l.weights)), val("biases-" + i, fmtInt(l.biases)), val("total-" + i, fmtInt(l.total)),
      h("span", {}, val("share-" + i, fmtF(share(l.total, total), 2)), "%"),
    ]);
    tableRows.push([
      "all", h("span", {}, `${shape[0]}\u00d7${shape[1]}\u00d7${shape[2]} = `, val("inputs", fmtInt(sizes[0])), " inputs"),
      val("all-weights", fmtInt(weights)), val("all-biases", fmtInt(biases)), val("all-total", fmtInt(total)), "100%",
    ]);
    rows.replaceChildren(table(["layer", "n_in \u2192 n_out", "weights", "biases", "total", "share"], tableRows, [tableRows.length - 1]));
    const torch = model.get("pytorch") || {};
    const same = torch.sizes && torch.sizes.length === sizes.length && torch.sizes.every((s, i) => BigInt(s) === sizes[i]);
    const pytorch = same
      ? [" PyTorch's ", h("code", {}, "sum(p.numel())"), " of the same nn.Linear layers: ", val("pytorch-total", fmtInt(BigInt(torch.total))),
         BigInt(torch.total) === total ? " \u2713 agrees." : " \u2717 differs."]
      : [" ", h("span", { class: "dlx-kernel-note" }, "PyTorch's own count of these layers needs a running kernel; the book's tests check this formula against it.")];
    summary.replaceChildren(
      h("b", {}, val("total", fmtInt(total)), " trainable parameters"), " (", val("weights", fmtInt(weights)), " weights + ",
      val("biases", fmtInt(biases)), " biases).", ...pytorch, " Memory at float32: ", val("memory", formatBytes(total * BigInt(config.bytes_per_parameter))), "."
    );
    if (view.options) {
      options.replaceChildren(
        h("div", {}, "The exam's four formulas at these sizes (28 \u2192 height, 512 \u2192 first width, 10 \u2192 second width):"),
        table(["option", "formula", "value", "verdict"],
          view.options.map((o) => [o.letter, o.label, val("option-value-" + o.letter, fmtInt(o.value)), val("option-verdict-" + o.letter, o.verdict)]),
          view.options.flatMap((o, i) => (o.verdict === "right" ? [i] : [])))
      );
    } else {
      options.replaceChildren(h("div", { "data-value": "options-note" }, "The exam's four formulas need exactly one hidden layer: give two widths to compare."));
    }
    figureBox.replaceChildren(drawBreakdown(config, view));
  }

  for (const k of ["height", "width", "channels", "widths", "pytorch"]) model.on("change:" + k, draw);
  draw();
}

export default { render };
