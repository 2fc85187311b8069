// I(G): where strided windows land, and the output size (Python twin: the OutputSizeExplorer of
// widgets/conv.py, computed with dlexam.conv).

// dlexam.conv.conv_output_size
function convOutputSize(n, k, s, p) {
  if (k > n + 2 * p) {
    throw new Error(`kernel size ${k} does not fit an input of size ${n} with padding ${p} (padded size ${n + 2 * p}): use a smaller kernel or more padding`);
  }
  return Math.floor((n + 2 * p - k) / s) + 1;
}

// dlexam.conv.window_positions and unused_border (indices in the padded axis)
function windowStarts(n, k, s, p) {
  return Array.from({ length: convOutputSize(n, k, s, p) }, (_, i) => i * s);
}

function unusedBorder(n, k, s, p) {
  const starts = windowStarts(n, k, s, p);
  const gaps = [];
  starts.slice(0, -1).forEach((start) => { for (let i = start + k; i < start + s; i++) gaps.push(i); });
  for (let i = starts[starts.length - 1] + k; i < n + 2 * p; i++) gaps.push(i);
  return gaps;
}

// Everything the explorer shows for n, k, s, p.
function outputSizeView(n, k, s, p) {
  const out = convOutputSize(n, k, s, p);
  const unused = unusedBorder(n, k, s, p).filter((i) => i >= p && i < p + n).map((i) => i - p); // input indices
  const pixels = n * n - (n - unused.length) * (n - unused.length); // dlexam.conv.unused_pixel_count
  return { out, unused, pixels, span: n + 2 * p - k, tfSame: Math.ceil(n / s) };
}

// Windows along one axis, and how many windows read each pixel (plots.conv.plot_window_positions).
function drawWindows(config, n, k, s, p, view) {
  const starts = windowStarts(n, k, s, p);
  const unused = new Set(unusedBorder(n, k, s, p));
  const total = n + 2 * p;
  const shown = starts.slice(0, config.max_windows);
  const rows = shown.length;
  const height = 100 * Math.min(5.2, 1.7 + 0.14 * rows);
  const fig = figure(840, height, "windows along one axis, and how many windows read each pixel");
  const colors = config.colors, fills = config.fills;
  // Left: the padded axis as a row of cells, each window as a bar below it.
  const leftBox = { x: 12, y: 34, w: 470, h: height - 46 };
  const left = Axes.make(fig, leftBox, "linear", [-0.3, total + 0.3], "linear", [-1.9 - rows, 1.25]);
  const labelEvery = Math.max(1, Math.ceil(total / 14));
  for (let i = 0; i < total; i++) {
    const pad = i < p || i >= p + n;
    const fill = pad ? fills.padding : unused.has(i) ? fills.unused : "white";
    left.rect(i, 0, i + 1, 1, { fill, stroke: fills.edge, "stroke-width": 0.6 * PT });
    if ((i - p) % labelEvery === 0 || unused.has(i)) {
      left.add(sv("text", { x: left.x(i + 0.5), y: left.y(0.5), "text-anchor": "middle", "dominant-baseline": "central", "font-size": 6.5 * PT,
        fill: unused.has(i) ? colors.red : "black" }, minus(String(i - p))));
    }
  }
  shown.forEach((start, r) => left.rect(start, -1.15 - r, start + k, -0.35 - r, { fill: r % 2 === 0 ? colors.blue : colors.sky }));
  if (starts.length > rows) {
    left.add(sv("text", { x: left.x(total / 2), y: left.y(-1.6 - rows), "text-anchor": "middle", "font-size": 8 * PT, fill: "black" },
      `... and ${starts.length - rows} more windows`), false);
  }
  left.frame({ spines: false, title: [sv("tspan", { "data-value": "figure-out" }, String(view.out)), ` windows of size ${k}, stride ${s}, padding ${p} along an axis of ${n}`], titleSize: 9.5 });
  const entries = [{ label: "never read", fill: fills.unused, edge: fills.edge }];
  if (p) entries.push({ label: "padding zeros", fill: fills.padding, edge: fills.edge });
  legend(fig, leftBox.x + 6, leftBox.y + leftBox.h - 8 - 12 * (entries.length - 1), entries);
  // Right: windows covering each (padded) pixel, the outer product of the per-index counts.
  const perIndex = new Array(total).fill(0);
  for (const start of starts) for (let i = start; i < start + k; i++) perIndex[i] += 1;
  const vmax = Math.max(1, Math.max(...perIndex) ** 2);
  const side = Math.min(height - 60, 250);
  const box = { x: 540, y: 34 + (height - 60 - side) / 2, w: side, h: side };
  const right = Axes.make(fig, box, "linear", [0, total], "linear", [total, 0]);
  // One pixel per (padded) input pixel, drawn as an image with nearest-neighbour scaling, as imshow does.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = total;
  const context = canvas.getContext("2d");
  const image = context.createImageData(total, total);
  const lut = config.blues.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  const blend = (rgb, over, alpha) => rgb.map((v, c) => Math.round(alpha * over[c] + (1 - alpha) * v));
  for (let i = 0; i < total; i++) {
    for (let j = 0; j < total; j++) {
      const v = perIndex[i] * perIndex[j];
      let rgb = lut[Math.min(lut.length - 1, Math.floor((v / vmax) * lut.length))];
      const inside = i >= p && i < p + n && j >= p && j < p + n;
      if (!inside) rgb = blend(rgb, [140, 140, 140], 0.45); // padding
      else if (perIndex[i] === 0 || perIndex[j] === 0) rgb = blend(rgb, [214, 94, 0], 0.9); // never read
      image.data.set([...rgb, 255], 4 * (i * total + j));
    }
  }
  context.putImageData(image, 0, 0);
  right.add(sv("image", { href: canvas.toDataURL(), x: box.x, y: box.y, width: box.w, height: box.h, preserveAspectRatio: "none", style: "image-rendering:pixelated" }));
  right.frame({ spines: false, title: ["windows reading each pixel; ", sv("tspan", { "data-value": "figure-never" }, String(view.pixels)), " never read"], titleSize: 9.5 });
  const barHeight = side * 0.8;
  const ticks = niceTicks(0, vmax, 5).filter((t) => t <= vmax);
  colorbar(fig, { x: box.x + box.w + 14, y: box.y + (side - barHeight) / 2, w: 12, h: barHeight },
    Array.from({ length: 64 }, (_, i) => config.blues[Math.floor(((i + 0.5) / 64) * config.blues.length)]), 0, vmax, ticks, "windows", tickLabel);
  const never = [...unused].sort((a, b) => a - b).map((i) => minus(String(i - p)));
  fig.setAttribute("aria-label",
    `Left: ${view.out} windows of size ${k}, stride ${s}, padding ${p} along an axis of ${n} pixels, each drawn as a bar ` +
    `under the pixels it reads` + (starts.length > rows ? ` (the first ${rows})` : "") + "; " +
    (never.length ? `pixel${never.length === 1 ? "" : "s"} ${never.join(", ")} never read. ` : "every pixel is read. ") +
    `Right: how many windows read each pixel of the ${n}×${n} input, as a colour map from 0 to ${vmax}; ${view.pixels} pixels are never read.`);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-output-size" });
  const names = ["n", "k", "stride", "padding"];
  const sliders = Object.fromEntries(names.map((name) => {
    const [label, min, max] = config.sliders[name];
    return [name, slider({ name, label, min, max, step: 1, value: model.get(name), onInput: (v) => save(model, { [name]: v }) })];
  }));
  const summary = h("div", { class: "dlx-summary", style: "line-height:1.7" });
  const message = h("div", { class: "dlx-message" });
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:840px" });
  root.append(
    h("div", { class: "dlx-explorer" }, h("div", { class: "dlx-controls" }, names.map((nm) => sliders[nm].root)), summary),
    message, figureBox
  );
  el.append(root);

  function draw() {
    const [n, k, s, p] = names.map((nm) => model.get(nm));
    names.forEach((nm) => sliders[nm].set(model.get(nm)));
    let view;
    try {
      view = outputSizeView(n, k, s, p);
    } catch (err) {
      showMessage(message, err.message, "error");
      summary.replaceChildren();
      figureBox.replaceChildren();
      return;
    }
    showMessage(message, "");
    const lines = [
      [`floor((${n} + 2\u00b7${p} \u2212 ${k}) / ${s}) + 1 = floor(`, val("span", String(view.span)), `/${s}) + 1 = `, h("b", {}, val("out", String(view.out)))],
      ["output ", h("b", {}, `${view.out}\u00d7${view.out}`), ` from a ${n}\u00d7${n} input`],
    ];
    if (view.unused.length) {
      const why = [];
      if (s > k) why.push(`the stride ${s} is longer than the kernel ${k}, so windows skip ${s - k} between them`);
      if (view.span % s) why.push(`${view.span} is not a multiple of ${s}, so the last ${view.span % s} ${p ? "of the padded axis " : ""}are left over`);
      lines.push(["input indices ", val("unused", view.unused.join(", ")), ` are never read (${why.join("; ")}): `,
        val("pixels", String(view.pixels)), " of ", val("total-pixels", String(n * n)), " pixels"]);
    } else {
      lines.push([val("unused", "every input pixel is read by at least one window")]);
    }
    lines.push([`TensorFlow's 'same' would give ceil(${n}/${s}) = `, val("tf-same", String(view.tfSame))]);
    summary.replaceChildren(...lines.flatMap((line, i) => (i ? [h("br"), ...line] : line)));
    figureBox.replaceChildren(drawWindows(config, n, k, s, p, view));
  }

  for (const nm of names) model.on("change:" + nm, draw);
  draw();
}

export default { render };
