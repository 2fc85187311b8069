// IV(C): the preimages of y under f(x) = x + c tanh(x), and the fixed-point iteration x <- y - c tanh(x)
// (Python twin: widgets/reversible.py, residual_inverse_view, computed with dlexam.reversible).
// Everything is a few float64 operations, done here in the library's order.

const EPS = 2.220446049250313e-16; // float64 machine epsilon, torch.finfo(torch.float64).eps

// Python's repr of a float: 5.0, 0.1, nan
function pyFloatRepr(v) {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

// reversible.tanh_residual(x, c) - y
function offset(x, c, y) {
  return x + c * Math.tanh(x) - y;
}

// reversible.tanh_residual_preimages(y, c): a grid of 4001 points over [y - |c|, y + |c|] (as
// numpy.linspace spaces it), plus the two turning points for c < -1; grid points where f = y
// exactly, then 80 bisection steps in every step where f - y changes sign.
function preimages(y, c) {
  const lo = y - Math.abs(c) - 1e-9, hi = y + Math.abs(c) + 1e-9;
  const n = 4001, step = (hi - lo) / (n - 1);
  let grid = [];
  for (let i = 0; i < n - 1; i++) grid.push(i * step + lo);
  grid.push(hi);
  if (c < -1) {
    const turn = Math.acosh(Math.sqrt(-c));
    const extra = [-turn, turn].filter((t) => lo < t && t < hi);
    if (extra.length) grid = [...new Set([...grid, ...extra])].sort((a, b) => a - b); // numpy.union1d
  }
  const g = grid.map((x) => offset(x, c, y));
  const roots = grid.filter((_, i) => g[i] === 0);
  for (let i = 0; i + 1 < grid.length; i++) {
    if (Math.sign(g[i]) * Math.sign(g[i + 1]) < 0) {
      let a = grid[i], b = grid[i + 1], ga = g[i];
      for (let k = 0; k < 80; k++) {
        const m = 0.5 * (a + b);
        const gm = offset(m, c, y);
        if (gm === 0) break;
        if (Math.sign(ga) === Math.sign(gm)) { a = m; ga = gm; } else b = m;
      }
      roots.push(0.5 * (a + b));
    }
  }
  return roots.sort((a, b) => a - b);
}

// reversible.fixed_point_inverse(lambda x: c * tanh(x), [y], max_iterations): from x = y, stop when
// |x + q(x) - y| <= 8 eps max(1, |y|, |q(x)|).
function fixedPoint(c, y, maxIterations) {
  let x = y, converged = false;
  const residuals = [];
  for (let k = 0; k < maxIterations; k++) {
    x = y - c * Math.tanh(x);
    const qx = c * Math.tanh(x);
    residuals.push(Math.abs(x + qx - y));
    const limit = 8 * EPS * Math.max(1, Math.abs(y), Math.abs(qx));
    if (!Number.isFinite(residuals[residuals.length - 1])) break;
    if (residuals[residuals.length - 1] <= limit) { converged = true; break; }
  }
  return { x, residuals, converged, iterations: residuals.length };
}

function residualInverseView(config, c, y, maxIterations) {
  const [low, high] = config.range;
  for (const [name, v] of [["c", c], ["y", y]]) {
    if (typeof v !== "number") return { error: `${name} must be a number from ${fmtG(low)} to ${fmtG(high)}, got ${typeof v}` };
    if (!Number.isFinite(v) || v < low || v > high) return { error: `${name} must be a number from ${fmtG(low)} to ${fmtG(high)}, got ${pyFloatRepr(v)}` };
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 1 || maxIterations > config.max_iterations) {
    return { error: `max_iterations must be a whole number from 1 to ${fmtInt(config.max_iterations)}, got ${maxIterations}` };
  }
  const roots = preimages(y, c);
  const result = fixedPoint(c, y, maxIterations);
  const contraction = Math.abs(c) < 1 ? "a contraction, so Banach's theorem applies" : "not a contraction";
  const injective = c > -1 ? "injective (f' = 1 + c(1 \u2212 tanh\u00b2 x) > 0)" : c === -1 ? "injective, but f'(0) = 0" : "not injective: f'(0) = 1 + c < 0";
  const left = `c = ${fmtG(c)}: ${roots.length} x with f(x) = ${fmtG(y)}`;
  const right = `x \u2190 y \u2212 q(x): ${result.converged ? "converged" : "no convergence"} in ${result.iterations} iteration${result.iterations === 1 ? "" : "s"}`;
  return { c, y, maxIterations, roots, result, contraction, injective, left, right };
}

// Ticks of a log axis from lo to hi: powers of ten, at most about `count` of them, labelled 10^e;
// within less, 1, 2 and 5 times them or round numbers, labelled as numbers. [[value, label]]
function logTicks(lo, hi, count = 7) {
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a + 1) / count));
  const inside = (v) => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
  const ticks = [];
  for (let e = Math.ceil(a / every) * every; e <= b; e += every) {
    if (inside(10 ** e)) ticks.push([10 ** e, ["10", sv("tspan", { dy: -5 * PT, "font-size": 7 * PT }, minus(String(e)))]]);
  }
  if (ticks.length >= 2) return ticks;
  const fine = [];
  for (let e = a; e <= b; e++) for (const m of [1, 2, 5]) if (inside(m * 10 ** e)) fine.push(Number((m * 10 ** e).toPrecision(12)));
  const values = fine.length >= 2 ? fine : niceTicks(lo, hi, 4).filter(inside);
  return values.map((v) => [v, minus(fmtG(Number(v.toPrecision(12)), 6))]);
}

// Whole-number ticks from lo to hi (iterations): steps of 1, 2 or 5 times a power of ten, at most about `count`.
function wholeTicks(lo, hi, count = 7) {
  let step = 1;
  for (let k = 0; (hi - lo) / step > count; k++) step = [1, 2, 5][(k + 1) % 3] * 10 ** Math.floor((k + 1) / 3);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return ticks;
}

function drawResidualInverse(config, view) {
  const colors = config.colors;
  const { c, y, roots, result } = view;
  const fig = figure(900, 360, "");
  // left: f over [-4, 4] (801 points), the line y, the preimages
  const xs = [], fs = [];
  for (let i = 0; i < 801; i++) {
    const x = i === 800 ? 4 : -4 + i * 0.01;
    xs.push(x);
    fs.push(x + c * Math.tanh(x));
  }
  let fmin = Math.min(...fs, y), fmax = Math.max(...fs, y);
  const pad = 0.05 * (fmax - fmin || 1);
  const leftBox = { x: 78, y: 30, w: 330, h: 270 };
  const L = Axes.make(fig, leftBox, "linear", [-4.4, 4.4], "linear", [fmin - pad, fmax + pad]);
  L.line(xs, fs, { stroke: colors.blue, "stroke-width": 1.5 * PT });
  L.hline(y, { stroke: colors.grey, "stroke-width": 1 * PT, "stroke-dasharray": `${1 * PT},${1.65 * PT}` });
  roots.forEach((x, i) => L.add(sv("circle", { cx: L.x(x), cy: L.y(y), r: 3.5 * PT, fill: "white", stroke: colors.red, "stroke-width": 2 * PT, "data-root": i }), false));
  L.frame({ xticks: axisTicks(-4.4, 4.4, leftBox.w), yticks: axisTicks(fmin - pad, fmax + pad, leftBox.h), xlabel: "x", ylabel: "x + c tanh(x)", ylabelOffset: 48 });
  fig.append(sv("text", { x: leftBox.x + leftBox.w / 2, y: leftBox.y - 6 * PT, "text-anchor": "middle", "font-size": 11 * PT, fill: "black", "data-value": "figure-left" }, view.left));
  // right: the residuals on a log axis, floored at 1e-18
  const n = result.iterations;
  const ks = result.residuals.map((_, k) => k + 1);
  const rs = result.residuals.map((r) => Math.max(r, 1e-18));
  const rightBox = { x: 550, y: 30, w: 320, h: 270 };
  const xDomain = n > 1 ? [1 - 0.05 * (n - 1), n + 0.05 * (n - 1)] : [0.5, 1.5];
  let lo = Math.log10(Math.min(...rs)), hi = Math.log10(Math.max(...rs));
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const margin = 0.05 * (hi - lo);
  const yDomain = [10 ** (lo - margin), 10 ** (hi + margin)];
  const R = Axes.make(fig, rightBox, "linear", xDomain, "log", yDomain);
  R.line(ks, rs, { stroke: colors.green, "stroke-width": 1.5 * PT });
  rs.forEach((r, k) => R.add(sv("circle", { cx: R.x(k + 1), cy: R.y(r), r: 1.5 * PT, fill: colors.green },
    sv("title", {}, `iteration ${k + 1}: residual `, sv("tspan", { "data-value": `residual-${k}` }, fmtE(result.residuals[k], 6))))));
  const yticks = logTicks(...yDomain);
  const xticks = wholeTicks(...xDomain);
  R.frame({
    xticks, xlabels: xticks.map((t) => minus(String(t))), xlabel: "iteration k", ylabel: "residual", ylabelOffset: 60,
    yticks: yticks.map(([v]) => v), ylabels: yticks.map(([, label]) => label),
  });
  fig.append(sv("text", { x: rightBox.x + rightBox.w / 2, y: rightBox.y - 6 * PT, "text-anchor": "middle", "font-size": 11 * PT, fill: "black", "data-value": "figure-right" }, view.right));
  const found = roots.map((x) => fmtF(x, 4)).join(", ");
  const description = `Left: f(x) = x + ${fmtG(c)} tanh(x) for x from \u22124 to 4, the level y = ${fmtG(y)} dotted, and the ` +
    `${roots.length} x with f(x) = y as open circles (x = ${found}). Right: the residual |x + q(x) \u2212 y| of the fixed-point ` +
    `iteration at each of its ${n} iterations on a log axis; ` +
    (result.converged ? `it converges to x = ${fmtF(result.x, 4)}.` : `it does not converge, the residual ends at ${fmtE(result.residuals[n - 1], 1)}.`);
  fig.setAttribute("aria-label", description);
  fig.insertBefore(sv("title", {}, description), fig.firstChild);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const [low, high, step] = config.range;
  const root = h("div", { class: "dlx-explorer dlx-column dlx-residual-inverse" });
  const cSlider = slider({ name: "c", label: "c", min: low, max: high, step, value: model.get("c"), format: (v) => fmtF(v, 1), onInput: (v) => save(model, { c: v }) });
  const ySlider = slider({ name: "y", label: "target y", min: low, max: high, step, value: model.get("y"), format: (v) => fmtF(v, 1), onInput: (v) => save(model, { y: v }) });
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary", style: "line-height:1.7" });
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:900px" });
  root.append(h("div", { class: "dlx-controls" }, cSlider.root, ySlider.root, message, summary), figureBox);
  el.append(root);

  function draw() {
    const c = model.get("c"), y = model.get("y"), maxIterations = model.get("max_iterations");
    cSlider.set(c);
    ySlider.set(y);
    const view = residualInverseView(config, c, y, maxIterations);
    if (showError(message, view.error, summary, figureBox)) return;
    const { roots, result } = view;
    const g = (key, v) => val(key, fmtG(v));
    const found = roots.flatMap((x, i) => [i ? ", " : "", val(`preimage-${i}`, fmtF(x, 4))]);
    const iterations = (n) => ` iteration${n === 1 ? "" : "s"}`;
    const iteration = result.converged
      ? ["finds x = ", val("x", fmtF(result.x, 4)), " in ", val("iterations", String(result.iterations)), iterations(result.iterations)]
      : ["does not converge in ", val("iterations", String(result.iterations)), iterations(result.iterations)];
    summary.replaceChildren(
      h("div", {}, "q(x) = ", g("c", c), " tanh(x) has Lipschitz constant ", g("lipschitz", Math.abs(c)), ": ", val("contraction", view.contraction), "."),
      h("div", {}, "f(x) = x + q(x) is ", val("injective", view.injective), "; f(x) = ", g("y", y), " for x = ", h("b", {}, found),
        " (", val("preimages", String(roots.length)), ` solution${roots.length === 1 ? "" : "s"}).`),
      h("div", {}, "Fixed-point iteration x \u2190 y \u2212 q(x) from x = y (at most ", val("max-iterations", String(maxIterations)), iterations(maxIterations), ") ", iteration, "."));
    figureBox.replaceChildren(drawResidualInverse(config, view));
  }

  for (const name of ["c", "y", "max_iterations"]) model.on(`change:${name}`, draw);
  draw();
}

export default { render };
