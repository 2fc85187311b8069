// Helpers shared by the explorers' front-ends. Each explorer's module is this file followed by
// its own (see dlexam/widgets/frontend.py), run by anywidget in Jupyter, Colab and the static site.
//
// Conventions: a control carries data-control="<name>", a number the page shows sits in an
// element with data-value="<key>" (the keys of the Python view functions, which write the test
// vectors), and figures are SVG drawn in the look of the book's matplotlib figures.

// ---- numbers, written as Python's format() writes them -------------------------------

function pyNonFinite(x) {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

// f"{x:.{d}f}". toFixed rounds an exact tie (13.125 to 2 places) up, Python to the even digit.
function fmtF(x, d) {
  if (!Number.isFinite(x)) return pyNonFinite(x);
  const s = x.toFixed(d);
  if (Math.abs(x) >= 1e21 || d > 70) return s;
  const exact = Math.abs(x).toFixed(d + 25); // a tie's expansion ends in 5 at place d + 1
  if (exact.endsWith("5" + "0".repeat(24))) {
    const truncated = exact.slice(0, exact.length - 25).replace(/\.$/, "");
    if (Number(truncated[truncated.length - 1]) % 2 === 0) return (x < 0 ? "-" : "") + truncated;
  }
  return s;
}

// f"{x:.{d}e}": toExponential rounds an exact tie away from zero, Python to the even digit.
function fmtE(x, d) {
  if (!Number.isFinite(x)) return pyNonFinite(x);
  let s = x.toExponential(d);
  const exact = Math.abs(x).toExponential(Math.min(100, d + 25)); // a tie's digits end in 5 then zeros
  const [digits, power] = exact.split("e");
  if (digits.endsWith("5" + "0".repeat(24))) {
    const kept = digits.slice(0, digits.length - 25).replace(/\.$/, "");
    if (Number(kept[kept.length - 1]) % 2 === 0) s = (x < 0 ? "-" : "") + kept + "e" + power;
  }
  const [mantissa, e] = s.split("e");
  const exp = Number(e);
  return mantissa + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
}

// f"{x:+.{d}f}"
function fmtSignedF(x, d) {
  const s = fmtF(x, d);
  return s.startsWith("-") ? s : "+" + s;
}

function stripZeros(s) {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

// f"{x:.{p}g}" (p significant digits, trailing zeros dropped, exponent of at least two digits)
function fmtG(x, p = 6) {
  if (!Number.isFinite(x)) return pyNonFinite(x);
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, e] = x.toExponential(p - 1).split("e");
  const exp = Number(e);
  if (exp >= -4 && exp < p) return stripZeros(fmtF(x, Math.max(0, p - 1 - exp)));
  return stripZeros(mantissa) + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
}

// f"{n:,}" for an integer (a Number or a BigInt)
function fmtInt(n) {
  const s = BigInt(n).toString();
  const sign = s.startsWith("-") ? "-" : "";
  return sign + s.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// f"{x:,.{d}f}"
function fmtCommaF(x, d) {
  const [whole, frac] = fmtF(Math.abs(x), d).split(".");
  return (x < 0 ? "-" : "") + fmtInt(BigInt(whole)) + (frac === undefined ? "" : "." + frac);
}

// Typographic minus for labels in figures, as matplotlib draws them.
function minus(s) {
  return String(s).replace(/-/g, "\u2212");
}

// ---- the DOM --------------------------------------------------------------------------

// Python's float(text): decimal numbers (with _ between digits), inf, infinity and nan; null if refused.
function parsePythonFloat(text) {
  const t = String(text).trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  const digits = "\\d(?:_?\\d)*";
  const number = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  return number.test(t) ? Number(t.replace(/_/g, "")) : null;
}

// Controls keep their keys. JupyterLab and Notebook 7 take a key pressed in the notebook for their
// shortcuts (an arrow key selects another cell, Enter edits it), Notebook 7 already on the way down
// to the control, and the slider would not move. So the first listener on the way down, installed
// once per page, lets a key meant for an explorer's control go to it alone; the browser's own
// action (move the slider, type the character) is left as it is.
if (!window.__dlxKeepKeys) {
  window.__dlxKeepKeys = true;
  for (const type of ["keydown", "keypress", "keyup"]) {
    window.addEventListener(type, (event) => {
      const target = event.target;
      if (target instanceof Element && target.matches("input, select, button, textarea") && target.closest(".dlx-explorer")) {
        event.stopImmediatePropagation();
      }
    }, true);
  }
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function sv(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

// A number the page shows, tagged with its key for the browser tests. `digits`: the significant
// digits it was written with, where the text hides them ("123457.0" has 6, not 7).
function val(key, text, digits = null) {
  return h("span", { "data-value": key, "data-digits": digits }, text);
}

// A table in a box that scrolls sideways when the table is wider than the widget (on a phone),
// so the page itself never does; cells holding a sentence wrap (class dlx-long), numbers do not.
function table(header, rows, highlight = []) {
  const long = (c) => (c instanceof Node ? c.textContent : String(c ?? "")).length > 28;
  return h(
    "div",
    { class: "dlx-table-scroll" },
    h(
      "table",
      { class: "dlx-table" },
      h("thead", {}, h("tr", {}, header.map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        {},
        rows.map((row, i) =>
          h("tr", { class: highlight.includes(i) ? "dlx-highlight" : null }, row.map((c) => h("td", { class: long(c) ? "dlx-long" : null }, c)))
        )
      )
    )
  );
}

// A message under the controls: kind "info", "warning" or "error"; empty text hides it.
function showMessage(box, text, kind = "info") {
  box.replaceChildren();
  box.className = "dlx-message" + (text ? " dlx-" + kind : "");
  box.setAttribute("data-kind", text ? kind : "");
  if (text) box.textContent = text;
}

// A view holds either numbers or an error. showError shows the error (or clears the message) and,
// on an error, empties the boxes the numbers fill; it returns whether there was one.
function showError(box, error, ...cleared) {
  showMessage(box, error || "", "error");
  if (error) for (const node of cleared) node.replaceChildren();
  return Boolean(error);
}

let controlCount = 0;

function labelled(label, control, extra = null) {
  const id = control.id || (control.id = "dlx-control-" + ++controlCount);
  return h("div", { class: "dlx-row" }, h("label", { for: id, class: "dlx-label" }, label), control, extra);
}

// A slider with its value written beside it; onInput(value) on every move.
function slider({ name, label, min, max, step, value, format = String, onInput }) {
  const input = h("input", {
    type: "range", min, max, step, value, "data-control": name, "aria-label": label, class: "dlx-slider",
  });
  const readout = h("output", { class: "dlx-readout", "data-readout": name }, format(Number(value)));
  // A screen reader reads the value as the page writes it, not the raw number ("0.30000000000000004").
  input.setAttribute("aria-valuetext", format(Number(value)));
  input.addEventListener("input", () => {
    input.setAttribute("aria-valuetext", format(Number(input.value)));
    onInput(Number(input.value));
  });
  return {
    root: labelled(label, input, readout),
    input,
    set(v) {
      input.value = v;
      readout.textContent = format(Number(input.value));
      input.setAttribute("aria-valuetext", readout.textContent);
    },
  };
}

// A drop-down list of [value, label] pairs; onChange(value).
function select({ name, label, options, value, onChange, width = null }) {
  const input = h(
    "select",
    { "data-control": name, "aria-label": label, class: "dlx-select", style: width ? `width:${width}` : null },
    options.map(([v, text]) => h("option", { value: v }, text))
  );
  input.value = value;
  input.addEventListener("change", () => onChange(input.value));
  return { root: labelled(label, input), input, set(v) { input.value = v; } };
}

// A text field; onChange(text) when the reader presses Enter or leaves it (as ipywidgets'
// continuous_update=False), so half-typed numbers do not flash errors.
function textField({ name, label, value, onChange, width = "16em", type = "text", extra = null }) {
  const input = h("input", {
    type, value, "data-control": name, "aria-label": label, class: "dlx-text", style: `width:${width}`,
    spellcheck: "false", autocomplete: "off", step: type === "number" ? "any" : null,
  });
  input.addEventListener("change", () => onChange(input.value));
  return { root: labelled(label, input, extra), input, set(v) { input.value = v; } };
}

// ---- the model ------------------------------------------------------------------------

// Set traits on the model and send them to the kernel (if there is one) in one message.
function save(model, values) {
  for (const [key, value] of Object.entries(values)) model.set(key, value);
  model.save_changes();
}

// ---- figures: SVG in the book's matplotlib style --------------------------------------

// The book's figures are 100 dpi; a point is 100/72 pixels.
const PT = 100 / 72;
const FONT = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Arial, sans-serif';

// A figure of width x height pixels (matplotlib's figsize x 100), white like the book's PNGs.
function figure(width, height, label) {
  const root = sv("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "dlx-figure", role: "img", "aria-label": label,
    "font-family": FONT, "font-size": 10 * PT, style: `max-width:${width}px`,
  });
  root.append(sv("rect", { x: 0, y: 0, width, height, fill: "white" }));
  return root;
}

function scale(kind, domain, range, options = {}) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  let f = (v) => v;
  if (kind === "log") f = (v) => Math.log10(v);
  if (kind === "symlog") {
    // matplotlib's symlog: linear within +-linthresh, logarithmic beyond (base 10)
    const t = options.linthresh ?? 4;
    const adj = (options.linscale ?? 1) / (1 - 1 / 10);
    f = (v) => (Math.abs(v) <= t ? v * adj : Math.sign(v) * t * (adj + Math.log10(Math.abs(v) / t)));
  }
  const a = f(d0), b = f(d1);
  const map = (v) => r0 + ((f(v) - a) / (b - a)) * (r1 - r0);
  map.domain = domain;
  map.kind = kind;
  return map;
}

// Round tick values as matplotlib's default locator chooses them: steps of 1, 2, 2.5 or 5
// times a power of ten, at most about `count` of them.
function niceTicks(lo, hi, count = 6) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function tickLabel(v) {
  return minus(fmtG(Number(v.toPrecision(12)), 6));
}

// Labels with as many decimals as the finest tick needs, as matplotlib's ScalarFormatter writes them.
function tickLabels(values) {
  const decimals = Math.max(0, ...values.map((v) => {
    const s = fmtG(Number(v.toPrecision(12)), 12);
    return s.includes("e") ? 0 : (s.split(".")[1] || "").length;
  }));
  return values.map((v) => minus(fmtF(v, decimals)));
}

// Ticks for an axis `pixels` long, about one per 42 pixels as matplotlib spaces them.
function axisTicks(lo, hi, pixels) {
  return niceTicks(lo, hi, Math.max(3, Math.floor(pixels / 42)));
}

// Axes at the box {x, y, w, h} (pixels), with scales built by scale().
class Axes {
  constructor(fig, box, x, y) {
    this.fig = fig;
    this.box = box;
    this.x = x;
    this.y = y;
    this.clipId = "dlx-clip-" + ++controlCount;
    fig.append(sv("clipPath", { id: this.clipId }, sv("rect", { x: box.x, y: box.y, width: box.w, height: box.h })));
    this.data = sv("g", { "clip-path": `url(#${this.clipId})` });
    this.over = sv("g");
    fig.append(this.data, this.over);
  }

  static make(fig, box, xKind, xDomain, yKind, yDomain, options = {}) {
    const x = scale(xKind, xDomain, [box.x, box.x + box.w], options.x || {});
    const y = scale(yKind, yDomain, [box.y + box.h, box.y], options.y || {});
    return new Axes(fig, box, x, y);
  }

  add(node, clipped = true) {
    (clipped ? this.data : this.over).append(node);
    return node;
  }

  // A rectangle between data corners (x0, y0) and (x1, y1).
  rect(x0, y0, x1, y1, attrs = {}, clipped = true) {
    const [a, b] = [this.x(x0), this.x(x1)];
    const [c, d] = [this.y(y0), this.y(y1)];
    return this.add(sv("rect", { x: Math.min(a, b), y: Math.min(c, d), width: Math.abs(b - a), height: Math.abs(d - c), ...attrs }), clipped);
  }

  line(xs, ys, attrs = {}, clipped = true) {
    const points = xs.map((v, i) => `${this.x(v).toFixed(2)},${this.y(ys[i]).toFixed(2)}`).join(" ");
    return this.add(sv("polyline", { points, fill: "none", "stroke-linejoin": "round", ...attrs }), clipped);
  }

  text(x, y, content, attrs = {}, clipped = false) {
    return this.add(sv("text", { x: this.x(x), y: this.y(y), ...attrs }, content), clipped);
  }

  hline(y, attrs) {
    return this.line(this.x.domain, [y, y], attrs);
  }

  vline(x, attrs) {
    return this.line([x, x], this.y.domain, attrs);
  }

  // Left and bottom spines with ticks, as the book's style draws them (no top or right spine).
  frame({ xticks = null, yticks = null, xlabels = null, ylabels = null, xlabel = "", ylabel = "", title = "", titleSize = 11, spines = true, ylabelOffset = 50 } = {}) {
    if (xticks && !xlabels && this.x.kind === "linear") xlabels = tickLabels(xticks);
    if (yticks && !ylabels && this.y.kind === "linear") ylabels = tickLabels(yticks);
    const { x, y, w, h: height } = this.box;
    const g = sv("g", { fill: "black" });
    if (spines) {
      g.append(sv("line", { x1: x, y1: y + height, x2: x + w, y2: y + height, stroke: "black", "stroke-width": 0.8 * PT }));
      g.append(sv("line", { x1: x, y1: y, x2: x, y2: y + height, stroke: "black", "stroke-width": 0.8 * PT }));
    }
    const tick = 3.5 * PT;
    (xticks || []).forEach((v, i) => {
      const px = this.x(v);
      if (px < x - 0.5 || px > x + w + 0.5) return;
      g.append(sv("line", { x1: px, y1: y + height, x2: px, y2: y + height + tick, stroke: "black", "stroke-width": 0.8 * PT }));
      const lines = String(xlabels ? xlabels[i] : tickLabel(v)).split("\n");
      const text = sv("text", { x: px, y: y + height + tick + 12 * PT * 0.95, "text-anchor": "middle" });
      lines.forEach((line, k) => text.append(sv("tspan", { x: px, dy: k ? "1.15em" : 0 }, line)));
      g.append(text);
    });
    (yticks || []).forEach((v, i) => {
      const py = this.y(v);
      if (py < y - 0.5 || py > y + height + 0.5) return;
      g.append(sv("line", { x1: x - tick, y1: py, x2: x, y2: py, stroke: "black", "stroke-width": 0.8 * PT }));
      g.append(sv("text", { x: x - tick - 3.5 * PT, y: py, "text-anchor": "end", "dominant-baseline": "central" }, ylabels ? ylabels[i] : tickLabel(v)));
    });
    if (xlabel) {
      const rows = (xlabels || []).reduce((m, l) => Math.max(m, String(l).split("\n").length), 1);
      g.append(sv("text", { x: x + w / 2, y: y + height + tick + (12 + 13 * rows) * PT, "text-anchor": "middle" }, xlabel));
    }
    if (ylabel) {
      const cx = x - ylabelOffset;
      g.append(sv("text", { x: cx, y: y + height / 2, "text-anchor": "middle", transform: `rotate(-90 ${cx} ${y + height / 2})` }, ylabel));
    }
    if (title) g.append(sv("text", { x: x + w / 2, y: y - 6 * PT, "text-anchor": "middle", "font-size": titleSize * PT }, title));
    this.over.append(g);
    return g;
  }
}

// Text with a white rounded box behind it, as matplotlib's bbox=dict(boxstyle="round", fc="white").
// `lines`: a string (split at "\n") or an array of lines, each a string or an array of parts,
// a part being a string or [key, text] (a number tagged with data-value for the tests).
// (x, y) in pixels; `baseline` says which side of the box y is: "top", "bottom" or "middle".
function labelBox(parent, x, y, lines, { anchor = "middle", size = 8, color = "black", alpha = 0.85, baseline = "top", attrs = {} } = {}) {
  if (typeof lines === "string") lines = lines.split("\n");
  lines = lines.map((line) => (Array.isArray(line) ? line : [line]));
  const lineHeight = size * PT * 1.2;
  const g = sv("g", attrs);
  const text = sv("text", { "font-size": size * PT, "text-anchor": anchor, fill: color });
  const top = baseline === "top" ? y : baseline === "bottom" ? y - lines.length * lineHeight : y - (lines.length * lineHeight) / 2;
  lines.forEach((parts, k) => {
    const row = sv("tspan", { x, y: top + (k + 0.8) * lineHeight });
    for (const part of parts) row.append(Array.isArray(part) ? sv("tspan", { "data-value": part[0], "data-digits": part[2] }, part[1]) : part);
    text.append(row);
  });
  // The box is sized from the text's length (DejaVu Sans averages about 0.6 em a character),
  // so it needs no layout pass and draws the same in a hidden or a visible page.
  const chars = Math.max(...lines.map((parts) => parts.map((p) => (Array.isArray(p) ? p[1] : p)).join("").length));
  const width = chars * size * PT * 0.6;
  const left = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
  const pad = 0.25 * size * PT;
  g.append(sv("rect", { x: left - pad, y: top - pad / 2, width: width + 2 * pad, height: lines.length * lineHeight + pad, rx: pad, fill: "white", "fill-opacity": alpha }));
  g.append(text);
  parent.append(g);
  return g;
}

// A vertical colour bar of `colors` (equal bands from lo to hi) with ticks and a label.
function colorbar(fig, box, colors, lo, hi, ticks, label, tickFormat = tickLabel) {
  const ax = Axes.make(fig, box, "linear", [0, 1], "linear", [lo, hi]);
  const n = colors.length;
  colors.forEach((c, i) => ax.rect(0, lo + ((hi - lo) * i) / n, 1, lo + ((hi - lo) * (i + 1)) / n, { fill: c, stroke: c, "stroke-width": 0.3 }));
  const g = sv("g", { fill: "black" });
  g.append(sv("rect", { x: box.x, y: box.y, width: box.w, height: box.h, fill: "none", stroke: "black", "stroke-width": 0.8 * PT }));
  for (const t of ticks) {
    const py = ax.y(t);
    g.append(sv("line", { x1: box.x + box.w, y1: py, x2: box.x + box.w + 3.5 * PT, y2: py, stroke: "black", "stroke-width": 0.8 * PT }));
    g.append(sv("text", { x: box.x + box.w + 6 * PT, y: py, "dominant-baseline": "central" }, tickFormat(t)));
  }
  if (label) {
    const cx = box.x + box.w + 40 * PT, cy = box.y + box.h / 2;
    g.append(sv("text", { x: cx, y: cy, "text-anchor": "middle", transform: `rotate(-90 ${cx} ${cy})` }, label));
  }
  fig.append(g);
  return ax;
}

// A small legend: entries [{label, fill} or {label, stroke}] in a column at (x, y).
function legend(fig, x, y, entries, size = 8) {
  const g = sv("g", { "font-size": size * PT, fill: "black" });
  entries.forEach((entry, i) => {
    const cy = y + i * size * PT * 1.5;
    if (entry.stroke) g.append(sv("line", { x1: x, y1: cy, x2: x + 20 * PT, y2: cy, stroke: entry.stroke, "stroke-width": 2 * PT }));
    else g.append(sv("rect", { x, y: cy - 5 * PT, width: 14 * PT, height: 10 * PT, fill: entry.fill, "fill-opacity": entry.opacity ?? 1, stroke: entry.edge || "none" }));
    g.append(sv("text", { x: x + 24 * PT, y: cy, "dominant-baseline": "central" }, entry.label));
  });
  fig.append(g);
  return g;
}
