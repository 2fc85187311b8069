// III(E): replay, epoch by epoch, the curves of runs trained when the page was built
// (Python twin: widgets/replay.py). Every number comes from config (replay_data); this file
// picks the epoch's values, formats them and draws.

const TICK_MS = 40; // one frame of the replay
const FRAMES_PER_RUN = 100; // a replay shows about this many frames, whatever the epochs

function mse(config, x) {
  return fmtG(x, config.digits);
}

// "10" with a raised exponent, as matplotlib labels a log axis.
function decadeLabel(exponent) {
  return ["10", sv("tspan", { dy: "-0.5em", "font-size": "75%" }, minus(String(exponent)))];
}

// The figure: training (solid) and validation (dashed) MSE up to `epoch`, log scale, in the
// look of dlexam.plots.training.plot_training_curves for one run.
function drawReplay(config, run, epoch) {
  const colors = config.colors;
  const n = run.train.length;
  const train = run.train.slice(0, epoch), val = run.val.slice(0, epoch);
  const epochs = train.map((_, i) => i + 1);
  const bestSeen = epoch >= run.best;
  const description =
    `Training (solid) and validation (dashed) mean squared error against epoch, log scale, of ${run.label}: ` +
    `epochs 1 to ${epoch} of ${run.epochs}; at epoch ${epoch} training MSE ${mse(config, train[epoch - 1])}, ` +
    `validation MSE ${mse(config, val[epoch - 1])}` +
    (bestSeen ? `; lowest validation MSE ${mse(config, run.val[run.best - 1])} in epoch ${run.best}` : "") +
    (epoch === n && run.note ? `; ${run.note.replace("\n", " ")}` : "") + ".";
  const fig = figure(640, 400, description);
  fig.insertBefore(sv("title", {}, description), fig.firstChild);
  const box = { x: 80, y: 34, w: 540, h: 300 };
  const [lo, hi] = run.ylim;
  const ax = Axes.make(fig, box, "linear", [0, run.epochs], "log", [lo, hi]);
  const stroke = 1.8 * PT;
  // predicting the mean scores 1: the level every run starts from
  ax.hline(config.mean_level, { stroke: colors.grey, "stroke-width": 0.8 * PT, "stroke-dasharray": `${0.8 * PT} ${1.3 * PT}` });
  ax.line(epochs, train, { stroke: run.colour, "stroke-width": stroke, "data-curve": "train" });
  ax.line(epochs, val, { stroke: run.colour, "stroke-width": stroke, "stroke-dasharray": `${3.7 * stroke} ${1.6 * stroke}`, "data-curve": "val" });
  // where the replay stands
  // (markers are not clipped: the last epoch sits on the axes' right edge)
  ax.add(sv("circle", { cx: ax.x(epoch), cy: ax.y(train[epoch - 1]), r: 3 * PT, fill: run.colour }), false);
  ax.add(sv("circle", { cx: ax.x(epoch), cy: ax.y(val[epoch - 1]), r: 3 * PT, fill: "white", stroke: run.colour, "stroke-width": 1.5 * PT }), false);
  if (bestSeen) {
    ax.add(sv("circle", { cx: ax.x(run.best), cy: ax.y(run.val[run.best - 1]), r: 5 * PT, fill: "none", stroke: "black", "stroke-width": 1.2 * PT }), false);
  }
  const decades = [];
  for (let k = Math.ceil(Math.log10(lo) - 1e-9); k <= Math.floor(Math.log10(hi) + 1e-9); k++) decades.push(k);
  ax.frame({
    xticks: niceTicks(0, run.epochs, 5), yticks: decades.map((k) => 10 ** k), ylabels: decades.map(decadeLabel),
    xlabel: "epoch", ylabel: "MSE (log scale)", title: run.label, titleSize: 10, ylabelOffset: 58,
  });
  // minor ticks at 2..9 times each power of ten, as matplotlib's log axis draws them
  const minor = sv("g", { stroke: "black", "stroke-width": 0.6 * PT });
  for (let k = Math.floor(Math.log10(lo)); k < Math.ceil(Math.log10(hi)); k++) {
    for (let m = 2; m <= 9; m++) {
      const v = m * 10 ** k;
      if (v < lo || v > hi) continue;
      minor.append(sv("line", { x1: box.x - 2 * PT, x2: box.x, y1: ax.y(v), y2: ax.y(v) }));
    }
  }
  ax.over.append(minor);
  labelBox(ax.over, box.x + box.w - 6, box.y + 6, [
    `epoch ${epoch} of ${run.epochs}`, `train ${mse(config, train[epoch - 1])}`, `val. ${mse(config, val[epoch - 1])}`,
  ], { anchor: "end", size: 8 });
  if (epoch === n && run.note) {
    const text = sv("text", { "text-anchor": "middle", fill: colors.red, "font-size": 10 * PT });
    run.note.split("\n").forEach((line, k) => text.append(sv("tspan", { x: box.x + box.w / 2, y: box.y + box.h / 2 + k * 13 * PT }, line)));
    ax.over.append(text);
  }
  replayLegend(fig, box.x + 8, box.y + box.h - 8, run.colour, colors.grey);
  return fig;
}

// The legend, lower left in the axes, on a white box: the line styles and the markers.
function replayLegend(fig, x, bottom, colour, grey) {
  const size = 8 * PT, row = size * 1.5;
  const entries = [
    ["training", { stroke: colour, "stroke-width": 1.8 * PT }],
    ["validation (rotated, permuted)", { stroke: colour, "stroke-width": 1.8 * PT, "stroke-dasharray": `${3.7 * 1.8 * PT} ${1.6 * 1.8 * PT}` }],
    ["predicting the mean", { stroke: grey, "stroke-width": 0.8 * PT, "stroke-dasharray": `${0.8 * PT} ${1.3 * PT}` }],
    ["lowest validation MSE", null],
  ];
  const top = bottom - entries.length * row;
  const g = sv("g", { "font-size": size, fill: "black" });
  g.append(sv("rect", { x: x - 4, y: top - 4, width: 30 * PT + 0.6 * size * 30, height: entries.length * row + 8, rx: 3, fill: "white", "fill-opacity": 0.85 }));
  entries.forEach(([label, line], i) => {
    const cy = top + (i + 0.5) * row;
    if (line) g.append(sv("line", { x1: x, y1: cy, x2: x + 22 * PT, y2: cy, ...line }));
    else g.append(sv("circle", { cx: x + 11 * PT, cy, r: 5 * PT, fill: "none", stroke: "black", "stroke-width": 1.2 * PT }));
    g.append(sv("text", { x: x + 27 * PT, y: cy, "dominant-baseline": "central" }, label));
  });
  fig.append(g);
}

function render({ model, el }) {
  const config = model.get("config");
  const runs = config.runs;
  const root = h("div", { class: "dlx-explorer dlx-replay" });
  const moved = h("div", { class: "dlx-note", style: "max-width:44em", "data-moved": "" });
  const selects = config.controls.map((control, k) => {
    const s = select({
      name: control.name, label: control.label, options: control.options, value: control.options[0][0],
      onChange(value) {
        const from = runs[model.get("run")];
        const target = from.moves[k][control.options.findIndex((o) => o[0] === value)];
        const to = runs[target];
        const others = to.choices.some((c, j) => j !== k && c !== from.choices[j]);
        const label = control.options.find((o) => o[0] === value)[1];
        moved.textContent = others ? `No run with ${control.label} ${label} and the other choices was trained: now showing ${to.label}.` : "";
        // the end of a run stays the end; any other epoch stays where it is (within the run)
        const epoch = model.get("epoch") >= from.train.length ? to.train.length : Math.min(model.get("epoch"), to.train.length);
        save(model, { run: target, epoch });
      },
    });
    if (control.options.length < 2) s.input.disabled = true; // one value only: shown, not chosen
    return s;
  });
  let timer = null;
  const play = h("button", { type: "button", "data-control": "play", "aria-pressed": "false", onclick: () => (timer ? pause() : start()) }, "\u25b6 Play");
  const epochSlider = slider({
    name: "epoch", label: "epoch", min: 1, max: 1, step: 1, value: 1,
    format: (v) => `${v} of ${runs[model.get("run")] ? runs[model.get("run")].epochs : "?"}`,
    onInput(v) {
      pause();
      save(model, { epoch: v });
    },
  });
  const current = h("div", { class: "dlx-summary" });
  const final = h("div", { class: "dlx-summary" });
  const message = h("div", { class: "dlx-message" });
  const note = h("div", { class: "dlx-note dlx-kernel-note", style: "max-width:44em" },
    "This replay shows runs trained when the page was built: it works here, with no kernel. " +
    "Training anew (other settings, other seeds) needs a kernel, on Binder, on Colab or in your own Jupyter, " +
    "where the training explorer (TrainingExplorer) trains a run while you watch.");
  const figureBox = h("div", { class: "dlx-figure-box" });
  root.append(
    h("div", { class: "dlx-controls" }, selects.map((s) => s.root),
      h("div", { class: "dlx-row dlx-buttons" }, h("span", { class: "dlx-label" }), play),
      epochSlider.root, current, final, message, moved, note),
    figureBox
  );
  el.append(root);

  function start() {
    const run = runs[model.get("run")];
    if (!run) return;
    if (model.get("epoch") >= run.train.length) save(model, { epoch: 1 });
    const step = Math.max(1, Math.round(run.epochs / FRAMES_PER_RUN));
    play.textContent = "\u275a\u275a Pause";
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const now = runs[model.get("run")];
      const next = Math.min(model.get("epoch") + step, now.train.length);
      save(model, { epoch: next });
      if (next >= now.train.length) pause();
    }, TICK_MS);
  }

  function pause() {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = "\u25b6 Play";
    play.setAttribute("aria-pressed", "false");
  }

  function draw() {
    const index = model.get("run");
    const run = runs[index];
    if (!run) {
      pause();
      showMessage(message, `run must be a run index from 0 to ${runs.length - 1}, got ${index}`, "error");
      current.replaceChildren();
      final.replaceChildren();
      figureBox.replaceChildren();
      return;
    }
    const n = run.train.length;
    const epoch = Math.min(Math.max(1, model.get("epoch")), n);
    selects.forEach((s, k) => s.set(config.controls[k].options[run.choices[k]][0]));
    epochSlider.input.max = n;
    epochSlider.input.disabled = n < 2;
    epochSlider.set(epoch);
    current.replaceChildren(
      h("b", {}, "At epoch ", val("epoch", String(epoch)), " of ", val("epochs", String(run.epochs))), ": training MSE ",
      val("train", mse(config, run.train[epoch - 1]), config.digits), ", validation MSE ", val("val", mse(config, run.val[epoch - 1]), config.digits), "."
    );
    const status = val("status", run.status);
    final.replaceChildren(
      ...(run.status === "completed" ? ["Final (run ", status, "), epoch "] : ["Last epoch before the run ", status, ": epoch "]),
      val("final-epoch", String(n)), ": training MSE ", val("final-train", mse(config, run.train[n - 1]), config.digits),
      ", validation MSE ", val("final-val", mse(config, run.val[n - 1]), config.digits), "; lowest validation MSE ",
      val("best-val", mse(config, run.val[run.best - 1]), config.digits), " in epoch ", val("best-epoch", String(run.best)), "."
    );
    showMessage(message, run.message, "warning");
    figureBox.replaceChildren(drawReplay(config, run, epoch));
  }

  model.on("change:run", draw);
  model.on("change:epoch", draw);
  draw();
}

export default { render };
