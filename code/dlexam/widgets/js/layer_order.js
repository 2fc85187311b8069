// II(A): conv, ReLU and pooling in four orders against out = MaxPool2x2(ReLU(Conv(x)))
// (Python twin: widgets/pooling.py, computed with dlexam.layer_order).

// ---- NumPy's default_rng(seed).random(), for the "random pixels" images and the search ----
// SeedSequence(seed) hashes the seed into PCG64's 128-bit state and increment; PCG64 steps a
// 128-bit LCG and outputs its XSL-RR mix; random() keeps the top 53 bits. Seeds are < 2**32.

function seedSequenceWords(seed, count) {
  let hashConst = 0x43b0d7e5;
  const hashmix = (value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, 0x931e8875) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x, y) => {
    const r = (Math.imul(0xca01f9dd, x) - Math.imul(0x4973f715, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = [seed >>> 0, 0, 0, 0].map((v) => hashmix(v));
  for (let s = 0; s < 4; s++) for (let d = 0; d < 4; d++) if (s !== d) pool[d] = mix(pool[d], hashmix(pool[s]));
  let hashB = 0x8b51f9dd;
  const words = [];
  for (let i = 0; i < count; i++) {
    let v = (pool[i % 4] ^ hashB) >>> 0;
    hashB = Math.imul(hashB, 0x58f38ded) >>> 0;
    v = Math.imul(v, hashB) >>> 0;
    words.push((v ^ (v >>> 16)) >>> 0);
  }
  return words;
}

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = 0x2360ed051fc65da44385df649fccf645n;

function defaultRng(seed) {
  const w = seedSequenceWords(seed, 8).map(BigInt);
  const u64 = (k) => w[2 * k] | (w[2 * k + 1] << 32n);
  const increment = ((((u64(2) << 64n) | u64(3)) << 1n) | 1n) & MASK128;
  let state = 0n;
  const step = () => { state = (state * PCG_MULTIPLIER + increment) & MASK128; };
  step();
  state = (state + ((u64(0) << 64n) | u64(1))) & MASK128;
  step();
  return {
    random() {
      step();
      const rot = state >> 122n;
      const x = ((state >> 64n) ^ state) & MASK64;
      const out = ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
      return Number(out >> 11n) * 1.1102230246251565e-16; // 2**-53
    },
  };
}

// dlexam.layer_order.random_image on [0, 1]: with random_brightness, pixels in [0, c] for a random c.
function randomImage(rng, [height, width], randomBrightness) {
  const top = randomBrightness ? rng.random() : 1;
  return Array.from({ length: height }, () => Array.from({ length: width }, () => rng.random() * top));
}

// dlexam.layer_order.example_image
function exampleImage(name, [height, width], seed) {
  const zeros = () => Array.from({ length: height }, () => new Array(width).fill(0));
  if (name === "random pixels") return randomImage(defaultRng(seed), [height, width], false);
  if (name === "dark, bright square") {
    const image = zeros();
    const r0 = Math.floor(height / 4), c0 = Math.floor(width / 2);
    const rows = Math.max(1, Math.floor(height / 3)), cols = Math.max(1, Math.floor(width / 3));
    for (let i = r0; i < Math.min(height, r0 + rows); i++) for (let j = c0; j < Math.min(width, c0 + cols); j++) image[i][j] = 1;
    return image;
  }
  if (name === "gradient") return Array.from({ length: height }, () => Array.from({ length: width }, (_, j) => (width > 1 ? j / (width - 1) : 0)));
  return Array.from({ length: height }, (_, i) => Array.from({ length: width }, (_, j) => (i + j) % 2)); // checkerboard
}

// ---- the layers ------------------------------------------------------------------------------

const shapeOf = (a) => [a.length, a.length ? a[0].length : 0];
const relu = (a) => a.map((row) => row.map((v) => Math.max(v, 0)));

// Conv(x) = conv2d(x, kernel) + bias: valid cross-correlation with a 3x3 kernel, stride 1. Each
// kernel row is summed as (w0 x0 + w2 x2) + w1 x1, then the rows in turn: the order NumPy's
// einsum takes on x86-64 with AVX2 or AVX-512, so there the page shows the library's float64
// numbers bit for bit (elsewhere they may differ by round-off).
function conv(x, kernel, bias) {
  const [h, w] = shapeOf(x);
  const out = [];
  for (let i = 0; i + 3 <= h; i++) {
    const row = [];
    for (let j = 0; j + 3 <= w; j++) {
      let s = 0;
      for (let m = 0; m < 3; m++) {
        const a = x[i + m], k = kernel[m];
        s += (a[j] * k[0] + a[j + 2] * k[2]) + a[j + 1] * k[1];
      }
      row.push(s + bias);
    }
    out.push(row);
  }
  return out;
}

// 2x2 windows, stride 2 (floor mode): the largest value, or the mean ((a + b) + (c + d)) / 4 as NumPy sums it.
function pool2d(x, kind) {
  const [h, w] = shapeOf(x);
  const out = [];
  for (let i = 0; i + 2 <= h; i += 2) {
    const row = [];
    for (let j = 0; j + 2 <= w; j += 2) {
      const a = x[i][j], b = x[i][j + 1], c = x[i + 1][j], d = x[i + 1][j + 1];
      row.push(kind === "max" ? Math.max(a, b, c, d) : (a + b + (c + d)) / 4);
    }
    out.push(row);
  }
  return out;
}

// dlexam.layer_order.out and option_a to option_d.
const LAYERS = {
  out: (x, k, b, p) => pool2d(relu(conv(x, k, b)), p),
  A: (x, k, b, p) => conv(pool2d(relu(x), p), k, b),
  B: (x, k, b, p) => pool2d(conv(relu(x), k, b), p),
  C: (x, k, b, p) => relu(pool2d(conv(x, k, b), p)),
  D: (x, k, b, p) => relu(conv(pool2d(x, p), k, b)),
};

const largestAbs = (a) => a.reduce((m, row) => row.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);

// dlexam.layer_order.compare_options: each option against out, with the library's tolerance.
function compareOptions(config, x, kernel, bias, pool, labels = ["A", "B", "C", "D"]) {
  const reference = LAYERS.out(x, kernel, bias, pool);
  const [rh, rw] = shapeOf(reference);
  const scale = Math.max(1, largestAbs(reference));
  return labels.map((label) => {
    const output = LAYERS[label](x, kernel, bias, pool);
    const [oh, ow] = shapeOf(output);
    const sameShape = oh === rh && ow === rw;
    let largest = NaN, differing = null, count = 0;
    if (sameShape) {
      largest = 0;
      differing = output.map((row, i) => row.map((v, j) => {
        const d = Math.abs(v - reference[i][j]);
        largest = Math.max(largest, d);
        const differs = d > config.tolerance * scale;
        count += differs;
        return differs;
      }));
    }
    const equal = sameShape && largest <= config.tolerance * scale;
    return { label, output, reference, sameShape, largest, equal, differing, count };
  });
}

// dlexam.layer_order.conv_range on [0, 1]: the bias plus the negative weights, summed as NumPy's
// pairwise sum adds nine numbers; the bias plus the positive ones.
function convRange(kernel, bias) {
  const flat = kernel.flat();
  const sum9 = (a) => a[0] + a[1] + (a[2] + a[3]) + (a[4] + a[5] + (a[6] + a[7])) + a[8];
  return [bias + sum9(flat.map((v) => (v > 0 ? v * 0 : v))), bias + sum9(flat.map((v) => (v > 0 ? v : v * 0)))];
}

// ---- what the explorer shows ------------------------------------------------------------------

// widgets.pooling.parse_kernel: nine texts -> 3x3 numbers, or throws the library's message.
function parseKernel(config, texts) {
  const kernel = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  texts.forEach((text, k) => {
    const where = `row ${Math.floor(k / 3) + 1}, column ${(k % 3) + 1}`;
    const v = parsePythonFloat(text);
    if (v === null) throw new Error(`kernel ${where} must be a number such as 0.5, got '${text}'`);
    if (!Number.isFinite(v)) throw new Error(`kernel must hold finite numbers only (no NaN or infinity): ${where} is ${pyNonFinite(v)}`);
    if (Math.abs(v) > config.max_weight) {
      throw new Error(`kernel ${where} = ${fmtG(v, 6)} is beyond this explorer: keep weights within \u00b1${fmtG(config.max_weight, 6)}`);
    }
    kernel[Math.floor(k / 3)][k % 3] = v;
  });
  return kernel;
}

function imageOf(config, state) {
  if (state.image === config.found) {
    if (!state.found.length) throw new Error("no counterexample found yet: press the search button first");
    const [h, w] = config.shape;
    return Array.from({ length: h }, (_, i) => state.found.slice(i * w, (i + 1) * w));
  }
  if (!config.images.includes(state.image)) {
    throw new Error(`image must be one of ${[...config.images, config.found].map((n) => `'${n}'`).join(", ")}, got '${state.image}'`);
  }
  return exampleImage(state.image, config.shape, state.seed);
}

const poolName = (config, pool) => config.pools.find((p) => p[0] === pool)[2];
const orderOf = (config, label) => config.options.find((o) => o[0] === label)[1];
const sizeText = ([h, w]) => `${h}\u00d7${w}`;

// widgets.pooling.verdict_text and figure_verdict
function verdictText(c) {
  if (!c.sameShape) return `cannot be out: shape ${sizeText(shapeOf(c.output))}, out is ${sizeText(shapeOf(c.reference))}`;
  if (c.equal) return "equal to out";
  return `differs from out in ${c.count} of ${c.output.length * c.output[0].length} entries`;
}

function figureVerdict(c) {
  if (!c.sameShape) return `shape ${sizeText(shapeOf(c.output))} \u2260 ${sizeText(shapeOf(c.reference))}`;
  return c.equal ? "equal to out" : `differs: up to ${fmtF(c.largest, 2)}`;
}

// widgets.pooling.guarantee_text
function guaranteeText(lowest, pool) {
  if (lowest >= 0) return ["ReLU after the convolution changes nothing, so B equals out on ", h("i", {}, "every"), " such image"];
  if (pool === "max") return ["where a whole pooling window of Conv(x) is negative, B keeps the negative maximum and out has 0"];
  return ["one negative value in a pooling window is enough to make B and C differ from out"];
}

// widgets.pooling.layer_order_view: everything the explorer shows for a state, or {error}.
function layerOrderView(config, state) {
  let kernel, x;
  try {
    kernel = parseKernel(config, state.kernel);
    if (!Number.isFinite(state.bias)) throw new Error(`bias must be a finite number, got ${pyNonFinite(state.bias)}`);
    if (!config.pools.some((p) => p[0] === state.pool)) throw new Error(`pool must be one of 'max', 'avg', got '${state.pool}'`);
    x = imageOf(config, state);
  } catch (err) {
    return { error: err.message };
  }
  const comparisons = compareOptions(config, x, kernel, state.bias, state.pool);
  const [lowest, highest] = convRange(kernel, state.bias);
  const equal = comparisons.filter((c) => c.equal).map((c) => c.label);
  return { kernel, x, conv: conv(x, kernel, state.bias), comparisons, reference: comparisons[0].reference, lowest, highest, equal };
}

// widgets.pooling.preset_of
function presetOf(config, texts, bias) {
  let kernel;
  try {
    kernel = parseKernel(config, texts);
  } catch (err) {
    return config.custom;
  }
  const same = (p) => p.bias === bias && p.kernel.every((t, k) => parsePythonFloat(t) === kernel[Math.floor(k / 3)][k % 3]);
  const preset = config.presets.find(same);
  return preset ? preset.name : config.custom;
}

// widgets.pooling.search_result: the press-th press draws from default_rng(press), as
// layer_order.first_differing_option does, until option B or C differs from out.
function searchCounterexample(config, kernel, bias, pool, press) {
  const rng = defaultRng(press);
  for (let t = 1; t <= config.tries; t++) {
    const image = randomImage(rng, config.shape, true);
    if (compareOptions(config, image, kernel, bias, pool, config.search_options).some((c) => !c.equal)) {
      const differing = compareOptions(config, image, kernel, bias, pool).filter((c) => c.sameShape && !c.equal).map((c) => c.label);
      return {
        image, tries: t,
        report: `Found after ${t} random image${t > 1 ? "s" : ""}: ` +
          (differing.length === 1 ? `option ${differing[0]} differs` : `options ${differing.join(" and ")} differ`) + " from out on the image now shown.",
      };
    }
  }
  const [lowest] = convRange(kernel, bias);
  const why = lowest >= 0 ? ` Conv(x) >= ${fmtF(lowest, 2)} for every image in [0, 1], so B equals out on every image.` : "";
  return { image: null, report: `No counterexample in ${config.tries} random images: options B and C equal out on all of them.${why}` };
}

// ---- the figure: plots.pooling.plot_options as SVG ---------------------------------------------

// plots.pooling._entry
function entryText(v) {
  return Math.abs(v) < 100 ? fmtF(v + 0, 2) : fmtF(v + 0, 0);
}

const rgbOf = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));

// One matrix as coloured cells, as plots.pooling._grid draws it. colour(v) -> "#rrggbb";
// key: the data-value prefix of its numbers (null: no numbers); frame: a colour for the panel's edge.
function grid(fig, box, values, { colour, key = null, differing = null, mark = "red", frame = "#999999", frameWidth = 1, fontSize = 8, pixels = false }) {
  const [rows, cols] = shapeOf(values);
  const cw = box.w / cols, ch = box.h / rows;
  const g = sv("g", { "shape-rendering": "crispEdges" });
  values.forEach((row, i) => row.forEach((v, j) => {
    const fill = colour(v);
    g.append(sv("rect", { x: box.x + j * cw, y: box.y + i * ch, width: cw + 0.3, height: ch + 0.3, fill, "data-pixel": pixels ? String(v) : null }));
    if (key !== null) {
      const [r, gg, b] = rgbOf(fill);
      const dark = (0.299 * r + 0.587 * gg + 0.114 * b) / 255 < 0.5;
      g.append(sv("text", { x: box.x + (j + 0.5) * cw, y: box.y + (i + 0.5) * ch, "text-anchor": "middle", "dominant-baseline": "central",
        "font-size": fontSize * PT, "shape-rendering": "auto", fill: dark ? "white" : "black" }, sv("tspan", { "data-value": `${key}-${i}-${j}` }, entryText(v))));
    }
  }));
  if (differing) {
    differing.forEach((row, i) => row.forEach((d, j) => {
      if (d) g.append(sv("rect", { x: box.x + j * cw + 1.5, y: box.y + i * ch + 1.5, width: cw - 3, height: ch - 3, fill: "none", stroke: mark, "stroke-width": 2.2 * PT }));
    }));
  }
  g.append(sv("rect", { x: box.x, y: box.y, width: box.w, height: box.h, fill: "none", stroke: frame, "stroke-width": frameWidth * PT }));
  fig.append(g);
}

function title(fig, x, y, lines, size = 7.5) {
  const text = sv("text", { x, y, "text-anchor": "middle", "font-size": size * PT, fill: "black" });
  lines.forEach((parts, k) => text.append(sv("tspan", { x, dy: k ? "1.2em" : 0 }, parts)));
  fig.append(text);
}

// A colour for signed values: PuOr_r with white at 0, on one scale from -span to span (TwoSlopeNorm).
function signedColour(config, span) {
  const lut = config.signed;
  return (v) => lut[Math.max(0, Math.min(lut.length - 1, Math.floor((0.5 + (0.5 * v) / span) * lut.length)))];
}

function grey(v) {
  const level = Math.max(0, Math.min(255, Math.floor(Math.min(Math.max(v, 0), 1) * 256)));
  const hex = level.toString(16).padStart(2, "0");
  return `#${hex}${hex}${hex}`;
}

// The eight panels of plots.pooling.plot_options: the image, the kernel, Conv(x) and out, then the
// four options, in `columns` columns (4 on a wide page, 2 on a phone).
function drawOptions(config, state, view, columns = 4) {
  const { kernel, x, comparisons, reference } = view;
  const pool = poolName(config, state.pool);
  const outOrder = config.out_order.replace("{pool}", pool);
  const span = Math.max(largestAbs(view.conv), largestAbs(reference), ...comparisons.map((c) => largestAbs(c.output)), 1e-9);
  const colour = signedColour(config, span);
  const side = 170, pitch = 186, head = 36, rowHeight = head + side + 14;
  const rows = Math.ceil(8 / columns);
  const width = columns * pitch, height = rows * rowHeight + 52;
  const fig = figure(width, height, "");
  const at = (k) => ({ x: (pitch - side) / 2 + (k % columns) * pitch, y: Math.floor(k / columns) * rowHeight + head, w: side, h: side });
  const titleAt = (k, lines) => title(fig, at(k).x + side / 2, at(k).y - 7 - (lines.length - 1) * 7.5 * PT * 1.2, lines);
  // the image, the kernel, Conv(x) and out
  titleAt(0, [[`image x (${sizeText(shapeOf(x))})`]]);
  grid(fig, at(0), x, { colour: grey, pixels: true });
  titleAt(1, [["kernel, bias ", sv("tspan", { "data-value": "figure-bias" }, fmtSignedF(state.bias, 2))]]);
  grid(fig, at(1), kernel, { colour: signedColour(config, Math.max(largestAbs(kernel), 1e-9)), key: "kernel" });
  titleAt(2, [["Conv(x) = kernel \u22c6 x + bias"]]);
  grid(fig, at(2), view.conv, { colour, key: "conv", fontSize: 6 });
  titleAt(3, [["out ="], [outOrder]]);
  grid(fig, at(3), reference, { colour, key: "out" });
  // the four options, cells that differ from out framed in red
  comparisons.forEach((c, i) => {
    const mark = sv("tspan", { fill: c.equal ? config.colors.green : config.colors.red, "font-weight": "bold" }, c.equal ? "\u2713 " : "\u2717 ");
    const verdict = c.sameShape && !c.equal
      ? ["differs: up to ", sv("tspan", { "data-value": "figure-largest-" + c.label }, fmtF(c.largest, 2))]
      : [figureVerdict(c)];
    titleAt(4 + i, [[`${c.label}: ${orderOf(config, c.label).replace("{pool}", pool)}`], [mark, ...verdict]]);
    grid(fig, at(4 + i), c.output, { colour, key: c.label, differing: c.differing, mark: config.colors.red,
      frame: c.equal ? config.colors.green : config.colors.red, frameWidth: 2 });
  });
  // the colour scale shared by Conv(x), out and the options
  const strip = { x: (pitch - side) / 2, y: rows * rowHeight + 2, w: width - (pitch - side), h: 9 };
  const n = 64;
  for (let k = 0; k < n; k++) {
    const v = -span + ((k + 0.5) / n) * 2 * span;
    fig.append(sv("rect", { x: strip.x + (k * strip.w) / n, y: strip.y, width: strip.w / n + 0.3, height: strip.h, fill: colour(v) }));
  }
  fig.append(sv("rect", { x: strip.x, y: strip.y, width: strip.w, height: strip.h, fill: "none", stroke: "#999999", "stroke-width": 0.8 * PT }));
  const label = (px, anchor, text, dy = 0) => fig.append(sv("text", { x: px, y: strip.y + strip.h + 12 * PT + dy, "text-anchor": anchor, "font-size": 8 * PT, fill: "black" }, text));
  label(strip.x, "start", minus(fmtG(-span, 3)));
  label(strip.x + strip.w / 2, "middle", "0");
  label(strip.x + strip.w, "end", minus(fmtG(span, 3)));
  label(strip.x + strip.w / 2, "middle", "purple < 0 < orange: one scale for Conv(x), out and A\u2013D", 13 * PT);

  const describe = (c) => {
    const what = `${c.label}, ${orderOf(config, c.label).replace("{pool}", pool)}, ${sizeText(shapeOf(c.output))}: `;
    if (!c.sameShape) return what + `cannot be out, whose shape is ${sizeText(shapeOf(reference))}`;
    if (c.equal) return what + "equal to out";
    return what + `differs from out in ${c.count} ${c.count === 1 ? "entry" : "entries"} (framed in red), by up to ${fmtF(c.largest, 2)}`;
  };
  const imageName = state.image === config.found ? "the image the search found"
    : state.image === "random pixels" ? `random pixels, seed ${state.seed}` : state.image;
  fig.setAttribute("aria-label",
    `Eight panels of coloured cells. First the ${sizeText(shapeOf(x))} image x (${imageName}) in grey, black 0 to white 1; ` +
    `the 3\u00d73 kernel (${kernel.map((r) => r.map(entryText).join(", ")).join("; ")}) with bias ${fmtSignedF(state.bias, 2)}; ` +
    `Conv(x), ${sizeText(shapeOf(view.conv))}, from ${fmtF(Math.min(...view.conv.flat()), 2)} to ${fmtF(Math.max(...view.conv.flat()), 2)}; ` +
    `out = ${outOrder}, ${sizeText(shapeOf(reference))}: ${reference.map((r) => r.map(entryText).join(", ")).join("; ")}. ` +
    `Then the four options: ${comparisons.map(describe).join("; ")}. ` +
    `Signed values are coloured orange above 0 and purple below, white at 0, on one scale from ${fmtG(-span, 3)} to ${fmtG(span, 3)}.`);
  return fig;
}

// ---- the page ----------------------------------------------------------------------------------

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-layer-order" });
  const state = () => ({
    kernel: model.get("kernel"), bias: model.get("bias"), image: model.get("image"), seed: model.get("seed"),
    pool: model.get("pool"), found: model.get("found"),
  });
  // every change by the reader clears the last search's report
  const change = (values) => save(model, { ...values, report: "" });

  const preset = select({
    name: "preset", label: "case", value: config.custom, width: "17em",
    options: [...config.presets.map((p) => [p.name, p.name]), [config.custom, config.custom]],
    onChange(name) {
      const p = config.presets.find((q) => q.name === name);
      if (p) change({ kernel: p.kernel.slice(), bias: p.bias, image: p.image });
      else draw();
    },
  });
  const entries = Array.from({ length: 9 }, (_, k) => {
    const input = h("input", {
      type: "text", inputmode: "decimal", class: "dlx-text dlx-entry", "data-control": "kernel-" + k,
      "aria-label": `kernel row ${Math.floor(k / 3) + 1}, column ${(k % 3) + 1}`, spellcheck: "false", autocomplete: "off",
    });
    input.addEventListener("change", () => {
      const texts = model.get("kernel").slice();
      texts[k] = input.value;
      change({ kernel: texts });
    });
    return input;
  });
  const kernelBox = h("fieldset", { class: "dlx-kernel-grid", style: "border:none;margin:0;padding:0" },
    // a legend of its own size: the site's theme styles legends as headings
    h("legend", { style: "font:inherit;margin:0 0 0.15em;padding:0;border:0;width:auto" }, "kernel (3\u00d73, row by row)"),
    h("div", { style: "display:grid;grid-template-columns:repeat(3, minmax(0, 5.5em));gap:0.25em" }, entries));
  const [bmin, bmax] = config.bias_range;
  const bias = slider({
    name: "bias", label: "bias", min: bmin, max: bmax, step: config.bias_step, value: model.get("bias"),
    format: (v) => fmtF(v, 2), onInput: (v) => change({ bias: v }),
  });
  const image = select({ name: "image", label: "image", value: model.get("image"), options: [], onChange: (v) => change({ image: v }) });
  const [smin, smax] = config.seed_range;
  const seed = slider({ name: "seed", label: "seed", min: smin, max: smax, step: 1, value: model.get("seed"), onInput: (v) => change({ seed: v }) });
  const poolButtons = config.pools.map(([p, label]) =>
    h("button", { type: "button", "data-control": "pool-" + p, "aria-pressed": "false", onclick: () => change({ pool: p }) }, label));
  const pooling = h("div", { class: "dlx-row" }, h("span", { class: "dlx-label" }, "pooling"),
    h("div", { class: "dlx-buttons", role: "group", "aria-label": "pooling" }, poolButtons));
  const search = h("button", { type: "button", "data-control": "search", onclick: runSearch }, "search for a counterexample");
  const searchRow = h("div", { class: "dlx-row dlx-buttons" }, h("span", { class: "dlx-label" }), search);
  const message = h("div", { class: "dlx-message", role: "status" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:744px" });
  root.append(
    h("div", { class: "dlx-explorer", style: "width:100%" },
      h("div", { class: "dlx-controls" }, preset.root, kernelBox, bias.root, image.root, seed.root, pooling, searchRow),
      h("div", { style: "flex:1 1 24em;min-width:0;max-width:100%" }, summary, rows)),
    message, figureBox
  );
  el.append(root);

  function runSearch() {
    let kernel;
    const s = state();
    try {
      kernel = parseKernel(config, s.kernel);
    } catch (err) {
      return; // the message already says what to fix
    }
    const press = model.get("searches") + 1; // each press searches new images
    const result = searchCounterexample(config, kernel, s.bias, s.pool, press);
    if (result.image) save(model, { searches: press, found: result.image.flat(), found_tries: result.tries, image: config.found, report: result.report });
    else save(model, { searches: press, report: result.report });
  }

  function draw() {
    const s = state();
    entries.forEach((input, k) => { if (input.value !== s.kernel[k]) input.value = s.kernel[k] ?? ""; });
    bias.set(s.bias);
    // the model's value, also one beyond the slider's range set from Python
    bias.root.querySelector("output").textContent = fmtF(s.bias, 2);
    bias.input.setAttribute("aria-valuetext", fmtF(s.bias, 2));
    seed.set(s.seed);
    const names = s.found.length ? [...config.images, config.found] : config.images;
    if (image.input.options.length !== names.length) image.input.replaceChildren(...names.map((n) => h("option", { value: n }, n)));
    image.set(s.image);
    poolButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(config.pools[i][0] === s.pool)));
    preset.set(presetOf(config, s.kernel, s.bias));
    const view = layerOrderView(config, s);
    if (view.error) {
      showMessage(message, view.error, "error");
      search.disabled = true;
      summary.replaceChildren();
      rows.replaceChildren();
      figureBox.replaceChildren();
      drawFigure = () => {};
      return;
    }
    search.disabled = false;
    const report = model.get("report");
    showMessage(message, report, "info");
    const pool = poolName(config, s.pool);
    const equal = view.equal.join(", ") || "no option";
    summary.replaceChildren(
      "On this image, ", h("b", {}, val("equal", equal)), ` equal${view.equal.length === 1 ? "s" : ""} out = `,
      val("out-formula", config.out_order.replace("{pool}", pool)), ".", h("br"),
      "Over all images with pixels in [0, 1], Conv(x) lies in [", val("lowest", fmtF(view.lowest, 2)), ", ",
      val("highest", fmtF(view.highest, 2)), "]: ", h("span", { "data-value": "guarantee" }, guaranteeText(view.lowest, s.pool)), "."
    );
    rows.replaceChildren(table(
      ["option", "order", "shape", "largest |difference|", "verdict"],
      view.comparisons.map((c) => [
        c.label, val("formula-" + c.label, orderOf(config, c.label).replace("{pool}", pool)), val("shape-" + c.label, sizeText(shapeOf(c.output))),
        val("largest-" + c.label, c.sameShape ? fmtG(c.largest, 3) : "\u2013"), val("verdict-" + c.label, verdictText(c)),
      ]),
      view.comparisons.flatMap((c, i) => (c.equal ? [i] : []))
    ));
    drawFigure = () => figureBox.replaceChildren(drawOptions(config, s, view, columns()));
    drawFigure();
  }

  // Four panels a row where they fit, two on a narrow page (a phone).
  let drawFigure = () => {};
  const columns = () => (figureBox.clientWidth && figureBox.clientWidth < 540 ? 2 : 4);
  let drawnColumns = null;
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      if (columns() !== drawnColumns) {
        drawnColumns = columns();
        drawFigure();
      }
    }).observe(figureBox);
  }

  for (const name of ["kernel", "bias", "image", "seed", "pool", "found", "report"]) model.on("change:" + name, draw);
  draw();
}

export default { render };
