// I(F): a symmetric 3x3 matrix in; eigenvalues, rank and explained variance out
// (Python twin: widgets/pca.py, computed with dlexam.pca).

const EPS = 2.220446049250313e-16; // float64 machine epsilon, numpy.finfo(float).eps

// Eigenvalues and unit eigenvectors of a symmetric matrix by cyclic Jacobi rotations.
// Returns them in numpy.linalg.eigh's order (ascending); vectors are columns V[i][k].
function jacobiEigh(C) {
  const n = C.length;
  const A = C.map((row) => row.slice());
  const V = A.map((_, i) => A.map((_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] * A[p][q];
    if (off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p], akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k], aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p], vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = A.map((_, i) => i).sort((i, j) => A[i][i] - A[j][j] || i - j);
  return { values: order.map((i) => A[i][i]), vectors: V.map((row) => order.map((i) => row[i])) };
}

// dlexam.pca.pca: eigenvalues descending, each eigenvector's largest-magnitude entry positive.
function pcaOf(C) {
  const { values, vectors } = jacobiEigh(C);
  const n = values.length;
  const order = values.map((_, i) => n - 1 - i); // argsort ascending, reversed, as the library
  const eig = order.map((i) => values[i]);
  const V = vectors.map((row) => order.map((i) => row[i]));
  for (let k = 0; k < n; k++) {
    let largest = 0;
    for (let i = 1; i < n; i++) if (Math.abs(V[i][k]) > Math.abs(V[largest][k])) largest = i;
    const sign = Math.sign(V[largest][k]) || 1;
    for (let i = 0; i < n; i++) V[i][k] *= sign;
  }
  return { eig, V };
}

// Everything the explorer shows for six entry texts and a tolerance (null: NumPy's default).
function covarianceView(config, texts, tolChoice) {
  const values = [];
  for (let k = 0; k < 6; k++) {
    const name = config.names[k];
    const v = parsePythonFloat(texts[k]);
    if (v === null) return { error: `${name} must be a number such as 2.5, got '${texts[k]}'` };
    if (!Number.isFinite(v)) return { error: `${name} must be a finite number, got ${pyNonFinite(v)}.` };
    if (Math.abs(v) > config.max_entry) {
      return { error: `${name} = ${fmtG(v, 6)} is beyond this explorer: keep entries within \u00b1${fmtG(config.max_entry, 6)}.` };
    }
    values.push(v);
  }
  const C = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  config.upper.forEach(([i, j], k) => (C[i][j] = C[j][i] = values[k]));
  // A preset's eigenvalues come from the library (NumPy), so its round-off is the page's; any
  // other matrix is solved here, with round-off of its own (around 1e-16 times the largest).
  const known = Object.values(config.presets).find((p) => p.texts.every((t, k) => parsePythonFloat(t) === values[k]));
  const { eig, V } = known ? { eig: known.eigenvalues, V: known.eigenvectors } : pcaOf(C);
  // For a symmetric matrix the singular values are the absolute eigenvalues.
  const largest = Math.max(...eig.map(Math.abs));
  const defaultTol = largest * 3 * EPS; // max|eigenvalue| * d * eps, NumPy's matrix_rank default
  const tolerance = tolChoice === null ? defaultTol : tolChoice;
  const rank = eig.filter((v) => Math.abs(v) > tolerance).length;
  const psd = Math.min(...eig) >= -defaultTol;
  const nonzero = values.some((v) => v !== 0);
  let ratios = null;
  if (psd && nonzero) {
    const cleaned = eig.map((v) => (Math.abs(v) <= defaultTol ? 0 : v));
    const total = cleaned.reduce((a, b) => a + b, 0);
    ratios = cleaned.map((v) => v / total);
  }
  return { C, eig, V, tolerance, defaultTol, rank, psd, nonzero, ratios, custom: tolChoice !== null, solved: !known };
}

function valueLabel(v) {
  return Math.abs(v) >= 1e-3 || v === 0 ? fmtG(v, 3) : v.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2");
}

// The scree plot and the explained variance, as dlexam.plots.pca.plot_scree draws them.
function drawScree(config, view) {
  const colors = config.colors;
  const fig = figure(840, 340, "eigenvalues and explained variance");
  const { eig, ratios } = view;
  const span = Math.max(Math.max(...eig.map(Math.abs)), 1e-300);
  const negative = Math.min(...eig) < -view.defaultTol;
  const ylo = negative ? Math.min(...eig) - 0.2 * span : 0;
  const yhi = Math.max(Math.max(...eig), 0) + 0.15 * span;
  const left = Axes.make(fig, { x: 82, y: 34, w: 300, h: 256 }, "linear", [0.5, 3.5], "linear", [ylo, yhi]);
  eig.forEach((v, k) => {
    left.rect(k + 1 - 0.3, 0, k + 1 + 0.3, v, { fill: v < -view.defaultTol ? colors.red : colors.blue });
    const y = left.y(v) + (v >= 0 ? -4 : 4 + 9 * PT);
    left.add(sv("text", { x: left.x(k + 1), y, "text-anchor": "middle", "font-size": 9 * PT, fill: "black", "data-value": "figure-eig-" + k }, minus(valueLabel(v))), false);
  });
  left.hline(0, { stroke: "black", "stroke-width": 0.8 * PT });
  left.frame({
    xticks: [1, 2, 3], xlabels: ["PC1", "PC2", "PC3"], yticks: axisTicks(ylo, yhi, 256),
    ylabel: "eigenvalue = variance along the component", title: "eigenvalues (scree plot)", ylabelOffset: 62,
  });
  const box = { x: 520, y: 34, w: 300, h: 256 };
  if (ratios) {
    const right = Axes.make(fig, box, "linear", [0.5, 3.5], "linear", [0, 112]);
    let cumulative = 0;
    const cum = ratios.map((r) => (cumulative += 100 * r));
    ratios.forEach((r, k) => {
      right.rect(k + 1 - 0.3, 0, k + 1 + 0.3, 100 * r, { fill: colors.sky });
      right.add(sv("text", { x: right.x(k + 1), y: right.y(100 * r + 2) - 2, "text-anchor": "middle", "font-size": 9 * PT, fill: "black" },
        sv("tspan", { "data-value": "figure-share-" + k }, fmtF(100 * r, 1)), "%"), false);
    });
    // step(where="mid"): each level spans its bar's neighbourhood, vertical jumps half-way
    const xs = [1, 1.5, 1.5, 2.5, 2.5, 3], ys = [cum[0], cum[0], cum[1], cum[1], cum[2], cum[2]];
    right.line(xs, ys, { stroke: colors.orange, "stroke-width": 2 * PT });
    cum.forEach((c, k) => right.add(sv("circle", { cx: right.x(k + 1), cy: right.y(c), r: 3 * PT, fill: colors.orange })));
    right.frame({
      xticks: [1, 2, 3], xlabels: ["PC1", "PC2", "PC3"], yticks: axisTicks(0, 112, 256),
      ylabel: "share of the total variance (%)", title: "explained variance", ylabelOffset: 45,
    });
    legend(fig, box.x + box.w - 110, box.y + box.h / 2 - 8, [{ label: "this component", fill: colors.sky }, { label: "cumulative", stroke: colors.orange }]);
  } else {
    const lines = view.psd ? ["the zero matrix:", "no variance to explain"] : ["not positive semidefinite:", "not a covariance matrix,", "no explained variance"];
    const text = sv("text", { "text-anchor": "middle", fill: colors.red });
    lines.forEach((line, k) => text.append(sv("tspan", { x: box.x + box.w / 2, y: box.y + box.h / 2 + (k - (lines.length - 1) / 2) * 13 * PT }, line)));
    fig.append(text);
  }
  const shares = ratios
    ? "Right, explained variance: " + ratios.map((r, k) => `PC${k + 1} ${fmtF(100 * r, 1)}%`).join(", ") + ", with the cumulative share as a line."
    : `Right: ${view.psd ? "the zero matrix, no variance to explain" : "not positive semidefinite, so not a covariance matrix and no explained variance"}.`;
  fig.setAttribute("aria-label",
    "Left, scree plot: the eigenvalues " + eig.map((v, k) => `PC${k + 1} ${minus(valueLabel(v))}`).join(", ") + ". " + shares);
  return fig;
}

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-pca" });
  const presetNames = Object.keys(config.presets);
  const preset = select({
    name: "preset", label: "matrix", value: config.custom, width: "27em",
    options: [[config.custom, config.custom], ...presetNames.map((p) => [p, p])],
    onChange(name) {
      if (config.presets[name]) save(model, { entries: config.presets[name].texts });
      else draw();
    },
  });
  const fields = config.upper.map(([i, j], k) => {
    const input = h("input", {
      type: "text", inputmode: "decimal", class: "dlx-text dlx-entry",
      "data-control": "entry-" + k, "aria-label": config.names[k], spellcheck: "false", autocomplete: "off",
    });
    input.addEventListener("change", () => {
      const entries = model.get("entries").slice();
      entries[k] = input.value;
      save(model, { entries });
    });
    return input;
  });
  const mirrors = {};
  const grid = h("div", { class: "dlx-matrix", role: "group", "aria-label": "the upper triangle of the symmetric matrix C" });
  for (let i = 0; i < 3; i++) {
    const row = h("div", { class: "dlx-row" }, h("b", { style: "min-width:3.5em" }, `row ${i + 1}`));
    for (let j = 0; j < 3; j++) {
      if (j >= i) row.append(fields[config.upper.findIndex(([a, b]) => a === i && b === j)]);
      else row.append((mirrors[`${i}${j}`] = h("span", { class: "dlx-mirror" })));
    }
    grid.append(row);
  }
  const tolerance = select({
    name: "tolerance", label: "rank tol", value: model.get("tolerance"), width: "30em",
    options: config.tolerances.map(([label]) => [label, label]),
    onChange: (label) => save(model, { tolerance: label }),
  });
  const note = h("div", { class: "dlx-note" }, "Edit the upper triangle (press Enter); the grey entries below the diagonal mirror it, so the matrix stays symmetric.");
  const roundoff = h("div", { class: "dlx-note", "data-roundoff": "" });
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div");
  const figureBox = h("div", { class: "dlx-figure-box", style: "max-width:840px" });
  root.append(h("div", { class: "dlx-controls" }, preset.root, grid, note, tolerance.root, message, summary, rows, roundoff), figureBox);
  el.append(root);

  function draw() {
    const texts = model.get("entries");
    fields.forEach((f, k) => { if (f.value !== texts[k]) f.value = texts[k]; });
    config.upper.forEach(([i, j], k) => { if (i !== j) mirrors[`${j}${i}`].textContent = texts[k]; });
    const match = presetNames.find((p) => config.presets[p].texts.every((t, k) => parsePythonFloat(t) === parsePythonFloat(texts[k])));
    preset.set(match || config.custom);
    tolerance.set(model.get("tolerance"));
    const choice = config.tolerances.find(([label]) => label === model.get("tolerance"));
    const view = choice
      ? covarianceView(config, texts, choice[1])
      : { error: `tolerance must be one of ${config.tolerances.map(([l]) => l).join("; ")}` };
    if (showError(message, view.error, summary, rows, figureBox)) return;
    const { eig, V, ratios, rank, tolerance: tol } = view;
    rows.replaceChildren(
      table(
        ["component", "eigenvalue", "eigenvector", "explained", "cumulative", "non-zero?"],
        eig.map((v, k) => {
          const cumulative = ratios ? ratios.slice(0, k + 1).reduce((a, b) => a + b, 0) : null;
          return [
            `PC${k + 1}`,
            val("eig-" + k, fmtG(v, 6)),
            h("span", { style: "white-space:nowrap" }, "(", [0, 1, 2].map((i) => [i ? ", " : "", val(`vec-${k}-${i}`, fmtSignedF(V[i][k], 3))]), ")"),
            ratios ? h("span", {}, val("share-" + k, fmtF(100 * ratios[k], 2)), "%") : val("share-" + k, "\u2013"),
            ratios ? h("span", {}, val("cumulative-" + k, fmtF(100 * cumulative, 2)), "%") : val("cumulative-" + k, "\u2013"),
            val("counted-" + k, Math.abs(v) > tol ? "yes" : "no (≤ tol)"),
          ];
        }),
        eig.flatMap((v, k) => (v < -view.defaultTol ? [k] : []))
      )
    );
    const tolText = view.custom ? [val("tolerance", fmtG(tol, 6))] : [val("tolerance", fmtG(tol, 2)), " (NumPy's default for this matrix)"];
    const parts = [h("b", {}, "rank ", val("rank", String(rank))), " under the tolerance ", ...tolText, `: ${rank} of 3 eigenvalues count as non-zero.`];
    if (view.psd) {
      parts.push(` As a covariance: ${rank} principal component${rank === 1 ? "" : "s"} with non-zero variance, and all 3 components are uncorrelated.`);
    }
    summary.replaceChildren(...parts);
    if (!view.psd) {
      showMessage(message, `Not positive semidefinite: the eigenvalue ${fmtG(Math.min(...eig), 4)} would be a negative variance, so this matrix cannot be the covariance of any data. Its rank is still defined, explained variance is not.`, "warning");
    } else if (!view.nonzero) {
      showMessage(message, "The zero matrix: data that never vary, no explained variance.", "info");
    } else {
      showMessage(message, "");
    }
    roundoff.textContent = view.solved
      ? "This matrix is not a preset: your browser computes its eigenvalues (Jacobi's method), so values at the level of round-off (about 1e-16 times the largest) can differ from NumPy's."
      : "";
    figureBox.replaceChildren(drawScree(config, view));
  }

  model.on("change:entries", draw);
  model.on("change:tolerance", draw);
  draw();
}

export default { render };
