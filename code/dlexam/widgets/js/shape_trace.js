// III(A): a batch traced through the MLP or DeepSets, step by step (Python twin: widgets/particles.py,
// shape_trace_view). A trace depends on the batch size B only through the first axis of every shape
// and the multiply-adds (B times those of one configuration), so `config` holds, for every network,
// layout and number of particles m, the library's trace without its first axis, or the model's
// error message without the input shape; this file puts B back in and writes the table.

// str(shape) of a Python tuple: "(32, 20, 3)", "(32,)".
function pyTuple(shape) {
  return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
}

// shapes.format_shape(shape, B): the first axis written "B" when it is the batch size.
function formatShape(shape, B) {
  if (shape.length && shape[0] === B) return "(" + ["B", ...shape.slice(1)].join(", ") + (shape.length === 1 ? ",)" : ")");
  return pyTuple(shape);
}

// Everything the explorer shows for its controls (shape_trace_view in Python), or {error}.
function shapeTraceView(config, { network, layout, B, m }) {
  if (!config.networks.includes(network)) {
    return { error: `network must be one of ${config.networks.join(", ")}, got '${network}'` };
  }
  if (!config.layouts.includes(layout)) {
    return { error: `input layout must be one of ${config.layouts.join(", ")}, got '${layout}'` };
  }
  for (const [value, name, high] of [[B, "batch size B", config.max_batch], [m, "particles m", config.max_particles]]) {
    if (!Number.isInteger(value) || value < 1 || value > high) {
      return { error: `${name} must be a whole number from 1 to ${fmtInt(high)}, got ${value}` };
    }
  }
  const input = layout === config.layouts[0] ? [B, m, 3] : [B, 3 * m];
  const entry = config.traces[network][layout][m - 1];
  if (!Array.isArray(entry)) return { error: config.errors[entry].replace(config.input_mark, pyTuple(input)) };
  const steps = entry.map((k) => {
    const [name, operation, tail, parameters, multiplyAdds] = config.rows[k];
    return { name, operation, shape: [B, ...tail], parameters, multiplyAdds };
  });
  return {
    input, steps,
    total: steps.reduce((a, s) => a + s.parameters, 0),
    multiplyAdds: steps.reduce((a, s) => a + s.multiplyAdds, 0),
    tinted: steps.flatMap((s, i) => (s.name === "forward" ? [i] : [])),
  };
}

function render({ model, el }) {
  const config = model.get("config");
  const root = h("div", { class: "dlx-explorer dlx-column dlx-shape-trace" });
  const network = select({
    name: "network", label: "network", options: config.networks.map((n) => [n, n]), value: model.get("network"),
    onChange: (v) => save(model, { network: v }),
  });
  const layout = select({
    name: "layout", label: "input layout", options: config.layouts.map((l) => [l, l]), value: model.get("input_layout"),
    onChange: (v) => save(model, { input_layout: v }),
  });
  const batch = slider({
    name: "batch_size", label: "batch size B", min: 1, max: config.max_batch, step: 1, value: model.get("batch_size"),
    onInput: (v) => save(model, { batch_size: v }),
  });
  const particles = slider({
    name: "n_particles", label: "particles m", min: 1, max: config.max_particles, step: 1, value: model.get("n_particles"),
    onInput: (v) => save(model, { n_particles: v }),
  });
  const message = h("div", { class: "dlx-message" });
  const summary = h("div", { class: "dlx-summary" });
  const rows = h("div", { "aria-live": "polite" });
  root.append(h("div", { class: "dlx-controls" }, network.root, layout.root, batch.root, particles.root, message, summary, rows));
  el.append(root);

  function draw() {
    const state = {
      network: model.get("network"), layout: model.get("input_layout"), B: model.get("batch_size"), m: model.get("n_particles"),
    };
    network.set(state.network);
    layout.set(state.layout);
    batch.set(state.B);
    particles.set(state.m);
    const view = shapeTraceView(config, state);
    if (showError(message, view.error, summary, rows)) return;
    const B = state.B;
    summary.replaceChildren(
      h("b", {}, "input ", val("input", formatShape(view.input, B)), " = ", val("input-shape", pyTuple(view.input)),
        " \u2192 output ", val("output", formatShape(view.steps[view.steps.length - 1].shape, B))),
      ": ", val("total", fmtInt(view.total)), " parameters, ", val("multiply-adds", fmtInt(view.multiplyAdds)),
      " multiply-adds per configuration. Tinted rows happen inside ", h("code", {}, "forward"), "."
    );
    const box = table(
      ["output shape", "step", "parameters", "in the model"],
      view.steps.map((s, i) => [
        val(`shape-${i}`, formatShape(s.shape, B)),
        val(`step-${i}`, s.operation),
        val(`parameters-${i}`, s.parameters ? fmtInt(s.parameters) : ""),
        val(`name-${i}`, s.name),
      ]),
      view.tinted
    );
    // the words (step, name in the model) read from the left; shapes and counts stay right-aligned
    for (const row of box.querySelectorAll("tr")) {
      for (const k of [1, 3]) if (row.children[k]) row.children[k].style.textAlign = "left";
    }
    rows.replaceChildren(box);
  }

  for (const name of ["network", "input_layout", "batch_size", "n_particles"]) model.on(`change:${name}`, draw);
  draw();
}

export default { render };
