// III(B): rotate (an axis and an angle, or a random draw) and permute one configuration; P stays,
// the picture moves (Python twin: widgets/particles.py, computed with dlexam.rotations, augment
// and particles). The configurations, the seeded permutations and the seeded random rotations
// come from Python in `config`; the arithmetic below repeats the library's, in float64.

// The configurations as _encode_configurations wrote them -> {count, m, at(index)}: configuration
// `index` as [[x, y, z], ...].
function decodeConfigurations(encoded) {
  const values = decodeValues(encoded);
  const m = encoded.particles;
  return {
    count: encoded.count,
    m,
    at(index) {
      const points = [];
      for (let i = 0; i < m; i++) {
        const k = 3 * (index * m + i);
        points.push([values[k], values[k + 1], values[k + 2]]);
      }
      return points;
    },
  };
}

// repr() of a Python float, for messages that quote a value.
function pyFloatRepr(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = x.toExponential().split("e"); // the shortest digits that read back exactly
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return mantissa + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  const s = String(x);
  return s.includes(".") ? s : s + ".0";
}

// rotations.axis_from_angles: azimuth and elevation in degrees -> unit axis (azimuth from x towards y).
function axisFromAngles(azimuth, elevation) {
  const a = azimuth * (Math.PI / 180), e = elevation * (Math.PI / 180);
  return [Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e)];
}

function matmul3(A, B) {
  return A.map((row) => [0, 1, 2].map((j) => row[0] * B[0][j] + row[1] * B[1][j] + row[2] * B[2][j]));
}

// rotations.axis_angle_rotation: Rodrigues' formula R = I + sin(t) K + (1 - cos(t)) K^2, K v = k x v.
function axisAngleRotation(axis, angle) {
  const norm = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
  const k = axis.map((v) => v / norm);
  const K = [[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]];
  const KK = matmul3(K, K);
  const s = Math.sin(angle), c = 1 - Math.cos(angle);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0) + s * K[i][j] + c * KK[i][j]));
}

function det3(R) {
  return R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1])
    - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0])
    + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
}

// max |R^T R - I|
function orthogonalityError(R) {
  let largest = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const g = R[0][i] * R[0][j] + R[1][i] * R[1][j] + R[2][i] * R[2][j];
      largest = Math.max(largest, Math.abs(g - (i === j ? 1 : 0)));
    }
  }
  return largest;
}

// particles.target of one configuration: sum over pairs i < j of exp(-|x_i - x_j|^2 / 2), float64.
function pairEnergy(points) {
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[i][0] - points[j][0], dy = points[i][1] - points[j][1], dz = points[i][2] - points[j][2];
      total += Math.exp(-(dx * dx + dy * dy + dz * dz) / 2);
    }
  }
  return total;
}

// The seed of the draws-th press of "random rotation": 1 to the number shipped, then again from 1.
function drawSeed(config, draws) {
  return draws === 0 ? 0 : ((draws - 1) % config.draws.length) + 1;
}

function checkWhole(value, name, low, high) {
  if (!Number.isInteger(value) || value < low || value > high) {
    const range = Number.isFinite(high) ? `from ${low} to ${high}` : `of at least ${low}`;
    return `${name} must be a whole number ${range}, got ${Number.isInteger(value) ? String(value) : pyFloatRepr(value)}`;
  }
  return null;
}

function checkDegrees(value, name, limit) {
  if (!(typeof value === "number" && value >= -limit && value <= limit)) {
    return `${name} must be a number of degrees from -${limit} to ${limit}, got ${pyFloatRepr(Number(value))}`;
  }
  return null;
}

// Everything the explorer shows (widgets/particles.py: augmentation_view), or {error}.
function augmentationView(config, data, state) {
  const { index, azimuth, elevation, angle, permutation_seed: seed, draws } = state;
  const maxSeed = config.permutations.length;
  const error = checkWhole(index, "configuration", 0, data.count - 1) || checkDegrees(azimuth, "axis azimuth", 180)
    || checkDegrees(elevation, "axis elevation", 90) || checkDegrees(angle, "angle", 180)
    || checkWhole(seed, "permutation seed", 0, maxSeed) || checkWhole(draws, "random rotations drawn", 0, Infinity);
  if (error) return { error };
  const x = data.at(index);
  if (x.some((p) => p.some((v) => !Number.isFinite(v)))) {
    return { error: `configuration ${index} of X has coordinates that are not finite numbers: choose another` };
  }
  const m = x.length;
  const axis = axisFromAngles(azimuth, elevation);
  const R = axisAngleRotation(axis, angle * (Math.PI / 180));
  const perm = seed === 0 ? x.map((_, i) => i) : config.permutations[seed - 1];
  // x -> R x for every particle, then particle i of the new list is old particle perm[i]
  const rotated = x.map((p) => R.map((row) => p[0] * row[0] + p[1] * row[1] + p[2] * row[2]));
  const moved = perm.map((j) => rotated[j]);
  const before = pairEnergy(x), after = pairEnergy(moved);
  const change = Math.abs(after - before);
  const relative = before ? change / Math.abs(before) : change === 0 ? 0 : Infinity;
  return {
    index, x, moved, R, axis, perm, before, after, change, relative,
    det: det3(R),
    orthogonality: orthogonalityError(R),
    movedCount: perm.filter((j, i) => j !== i).length,
    m,
    unchanged: relative <= config.unchanged,
    drawSeed: drawSeed(config, draws),
  };
}

function degrees(v) {
  return minus(fmtG(v, 6)) + "\u00b0";
}

// The two panels of plot_configurations, as stored and rotated and permuted, on the same axes; the
// second carries the colour bar of the index. Two figures side by side that stack on a phone.
function drawAugmentation(config, view) {
  const height = 340, panel = 320;
  const limit = configurationLimit([view.x, view.moved]);
  const options = { width: panel, height, limit, azimuth: config.view.azimuth, elevation: config.view.elevation };
  const figures = [];
  for (const [points, frame, title, key, extra] of [
    [view.x, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "as stored", "figure-before", 0],
    [view.moved, view.R, "rotated and permuted", "figure-after", 70],
  ]) {
    const width = panel + extra;
    const fig = figure(width, height, "");
    // growing and shrinking in proportion to their widths, the two panels keep one scale
    fig.setAttribute("style", `flex: ${width / 100} 1 ${Math.round(0.85 * width)}px; min-width: 0; max-width: ${width}px`);
    const value = key === "figure-before" ? view.before : view.after;
    const g = drawConfiguration(fig, points, { ...options, frame, title: [title, ["P = ", [key, fmtF(value, 6)]]] });
    if (extra) drawIndexColorbar(fig, { x: panel + 10, y: height / 2 - 100, height: 200, count: view.m });
    fig.setAttribute("aria-label", `Configuration ${view.index}, ${g.description}`
      + (extra ? " The colour bar beside it runs from index 0, dark, to the last index, light." : ""));
    figures.push(fig);
  }
  return figures;
}

function render({ model, el }) {
  const config = model.get("config");
  const data = decodeConfigurations(config.configurations);
  const step = config.step;
  const root = h("div", { class: "dlx-explorer dlx-column dlx-augmentation" });
  const sliders = {};
  const onSlider = (trait) => (v) => save(model, { [trait]: v });
  const sliderSpecs = [
    ["index", "index", "configuration", 0, data.count - 1, 1, String],
    ["azimuth", "azimuth", "axis azimuth", -180, 180, step, degrees],
    ["elevation", "elevation", "axis elevation", -90, 90, step, degrees],
    ["angle", "angle", "angle", -180, 180, step, degrees],
    ["permutation_seed", "permutation", "permutation seed", 0, config.permutations.length, 1, String],
  ];
  for (const [trait, name, label, min, max, st, format] of sliderSpecs) {
    sliders[trait] = slider({ name, label, min, max, step: st, value: model.get(trait), format, onInput: onSlider(trait) });
    sliders[trait].format = format;
    sliders[trait].root.querySelector("label").style.minWidth = "8.5em"; // the longest label, "permutation seed"
  }
  const random = h("button", { type: "button", "data-control": "random" }, "random rotation");
  const none = h("button", { type: "button", "data-control": "none" }, "no rotation");
  random.addEventListener("click", () => {
    const draws = model.get("draws") + 1;
    const [azimuth, elevation, angle] = config.draws[drawSeed(config, draws) - 1];
    save(model, { draws, azimuth, elevation, angle });
  });
  none.addEventListener("click", () => save(model, { angle: 0 }));
  const lastDraw = h("span");
  const drawNote = h("div", { class: "dlx-note", style: "max-width:30em" },
    `"random rotation": the next of ${config.draws.length} uniform random rotations (seeds 1 to ${config.draws.length}, then again from 1), axis and angle rounded to ${step}\u00b0; last drawn: `, lastDraw, ".");
  const permutationNote = h("div", { class: "dlx-note", style: "max-width:30em" },
    "permutation seed 0 keeps the order; each other seed draws a random permutation");
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const figureBox = h("div", { style: "display:flex; flex-flow:row wrap; width:100%; max-width:710px" });
  root.append(
    h("div", { class: "dlx-row", style: "align-items:flex-start; gap:0.4em 1.5em" },
      h("div", { class: "dlx-controls" },
        sliders.index.root, sliders.azimuth.root, sliders.elevation.root, sliders.angle.root,
        h("div", { class: "dlx-buttons dlx-row" }, random, none), drawNote,
        sliders.permutation_seed.root, permutationNote),
      h("div", { class: "dlx-controls" }, message, summary, rows)),
    figureBox);
  el.append(root);

  function draw() {
    const state = {};
    for (const trait of ["index", "azimuth", "elevation", "angle", "permutation_seed", "draws"]) state[trait] = model.get(trait);
    for (const [trait, s] of Object.entries(sliders)) {
      s.set(state[trait]);
      // a value set from Python off the sliders' grid is shown as it is, not as the thumb rounds it
      const readout = s.root.querySelector("output");
      readout.textContent = s.format(Number(state[trait]));
      s.input.setAttribute("aria-valuetext", readout.textContent);
    }
    const view = augmentationView(config, data, state);
    if (showError(message, view.error, summary, rows, figureBox, lastDraw)) return;
    lastDraw.replaceChildren(view.drawSeed ? h("span", {}, "seed ", val("draw-seed", String(view.drawSeed))) : val("draw-seed", "none yet"));
    const seed = state.permutation_seed;
    summary.replaceChildren(
      h("b", {}, val("verdict", view.unchanged ? "P unchanged" : "P changed"), view.unchanged ? " to " : " by ",
        val("relative", fmtE(view.relative, 1)), " (relative)"),
      ": rotation by ", val("angle-abs", fmtG(Math.abs(state.angle), 6)), "\u00b0 about (",
      ...view.axis.flatMap((v, k) => [k ? ", " : "", val(`axis-${k}`, fmtSignedF(v, 2))]), "), ",
      val("permutation", seed === 0 ? "no permutation" : `permutation seed ${seed}`), "."
    );
    rows.replaceChildren(table(["", "value"], [
      ["P before", val("before", fmtF(view.before, 12))],
      ["P after", val("after", fmtF(view.after, 12))],
      ["|change|", val("change", fmtE(view.change, 2))],
      ["det R", val("det", fmtSignedF(view.det, 12))],
      ["largest |R\u1d40R \u2212 I|", val("orthogonality", fmtE(view.orthogonality, 1))],
      ["particles moved in the list", h("span", {}, val("moved", String(view.movedCount)), " of ", val("particles", String(view.m)))],
    ]));
    figureBox.replaceChildren(...drawAugmentation(config, view));
  }

  for (const trait of ["index", "azimuth", "elevation", "angle", "permutation_seed", "draws"]) model.on(`change:${trait}`, draw);
  draw();
}

export default { render };
