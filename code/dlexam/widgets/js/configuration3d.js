// A particle configuration in 3D, drawn in SVG as dlexam.plots.particles.draw_configuration draws it
// with matplotlib (orthographic here: no perspective), for the explorers of question III.
//
//   drawConfiguration(parent, points, { width, height, title = null, frame = null, chain = true,
//                     labels = true, limit = null, azimuth = -60, elevation = 30, x = 0, y = 0 } = {})
//
// parent: an SVG element (a group, or the root returned by common.js's figure()) to append to.
// points: [[x, y, z], ...], one row per particle, in list order.
// width, height: the panel's size in pixels; x, y: its top-left corner in parent's coordinates.
// title: a string (lines split at "\n") or an array of lines, each a string or an array of parts,
//   a part being a string or [key, text] (a number tagged with data-value, as in common.js's labelBox).
// frame: null, or a 3x3 matrix as an array of rows; its columns frame[.][k] are drawn from the
//   origin as arrows labelled x, y, z (red, green, blue): the images of the axes under a rotation R.
// chain: join the particles in list order by a thin grey line. labels: write each particle's index.
// limit: the half-width of the cube drawn, shared by panels that must compare;
//   null: 1.08 times the largest |coordinate| (and the frame's length), as the library chooses it.
// azimuth, elevation: the view in degrees, as matplotlib's view_init(elev, azim).
//
// Particles are coloured by list index with the book's colour map (viridis, index 0 dark, the last
// index light). Returns the panel's group; its .description is a sentence for the figure's aria-label.
//
// Also here:
//   indexColor(i, m): the colour of index i among m particles, as matplotlib picks it;
//   drawIndexColorbar(parent, { x, y, height, width = 12, count }): the colour bar "particle index",
//     0 to count - 1, with (x, y) its top-left corner, as plot_configurations draws it beside the panels;
//   configurationLimit(configs, frameLength = 0): the library's shared limit of several panels;
//   decodeValues(encoded): the numbers widgets/particles.py's _encode_values sent, as a Float64Array.
//
// Use it from an explorer's Python side with module_source("<name>", parts=("configuration3d",)).

const VIRIDIS = "44015444025645045745055946075a46085c460a5d460b5e470d60470e6147106347116447136548146748166848176948186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f854240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f881fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad8128ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc743fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc8635ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21ad8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725";

// matplotlib's colour for index i of m under Normalize(0, max(m - 1, 1)) and viridis' 256 colours.
function indexColor(i, m) {
  const v = i / Math.max(m - 1, 1);
  const k = Math.max(0, Math.min(255, Math.floor(v * 256)));
  return "#" + VIRIDIS.slice(6 * k, 6 * k + 6);
}

// The orthographic view: screen right, screen up and towards the viewer, for (azimuth, elevation) in degrees.
function viewBasis(azimuth, elevation) {
  const a = (azimuth * Math.PI) / 180, e = (elevation * Math.PI) / 180;
  return {
    right: [-Math.sin(a), Math.cos(a), 0],
    up: [-Math.sin(e) * Math.cos(a), -Math.sin(e) * Math.sin(a), Math.cos(e)],
    eye: [Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e)],
  };
}

function dot3(u, v) {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

function configurationLimit(configs, frameLength = 0) {
  let largest = Math.max(frameLength, 1e-6);
  for (const points of configs) for (const p of points) for (const c of p) largest = Math.max(largest, Math.abs(c));
  return 1.08 * largest;
}

function titleLines(title) {
  if (title === null || title === undefined || title === "") return [];
  const lines = typeof title === "string" ? title.split("\n") : title;
  return lines.map((line) => (Array.isArray(line) ? line : [line]));
}

function drawConfiguration(parent, points, { width, height, title = null, frame = null, chain = true, labels = true,
  limit = null, azimuth = -60, elevation = 30, x = 0, y = 0 } = {}) {
  const m = points.length;
  const L = limit ?? configurationLimit([points]);
  const { right, up, eye } = viewBasis(azimuth, elevation);
  const lines = titleLines(title);
  const titleSize = 9.5 * PT, tickSize = 6.5 * PT;
  const top = y + (lines.length ? lines.length * titleSize * 1.2 + 6 : 6);
  // The cube's outline on screen, in units of L: fit it between the title and the panel's foot,
  // leaving room for tick labels and axis names around it.
  const halfW = Math.abs(right[0]) + Math.abs(right[1]);
  const halfH = Math.abs(up[0]) + Math.abs(up[1]) + Math.abs(up[2]);
  const margin = 34;
  const s = Math.min((width - 2 * margin) / (2 * halfW), (y + height - top - margin) / (2 * halfH)) / L;
  const cx = x + width / 2, cy = (top + y + height - margin + 12) / 2;
  const project = (p) => [cx + s * dot3(p, right), cy - s * dot3(p, up)];
  const depth = (p) => dot3(p, eye);
  const g = sv("g", { class: "dlx-configuration3d" });

  // The three panes at the back of the cube, with grid lines at the ticks, as matplotlib's 3D axes.
  const back = eye.map((e) => (e > 0 ? -L : L)); // the coordinate of each axis' far pane
  const ticks = niceTicks(-L / 1.08, L / 1.08, 8).filter((t) => Math.abs(t) <= L);
  const path = (corners) => "M" + corners.map((c) => project(c).map((v) => v.toFixed(2)).join(",")).join("L") + "Z";
  const panes = sv("g", { stroke: "#d9d9d9", "stroke-width": 0.8 });
  const grid = sv("g", { stroke: "#c8c8c8", "stroke-width": 0.6 });
  for (let k = 0; k < 3; k++) {
    const [i, j] = [0, 1, 2].filter((a) => a !== k);
    const corner = (u, v) => { const c = [0, 0, 0]; c[k] = back[k]; c[i] = u; c[j] = v; return c; };
    panes.append(sv("path", { d: path([corner(-L, -L), corner(L, -L), corner(L, L), corner(-L, L)]), fill: "#f2f2f2", "fill-opacity": 0.6 }));
    for (const t of ticks) {
      grid.append(sv("path", { d: path([corner(t, -L), corner(t, L)]).slice(0, -1), fill: "none" }));
      grid.append(sv("path", { d: path([corner(-L, t), corner(L, t)]).slice(0, -1), fill: "none" }));
    }
  }
  g.append(panes, grid);

  // Axes with ticks: x and y along the floor's front edges, z up the cube's rightmost vertical edge.
  const front = back.map((b) => -b);
  const axisG = sv("g", { fill: "black", "font-size": tickSize });
  const edge = (k) => {
    if (k === 0) return (t) => [t, front[1], back[2]];
    if (k === 1) return (t) => [front[0], t, back[2]];
    const corners = [[-L, -L], [L, -L], [L, L], [-L, L]];
    const [ex, ey] = corners.reduce((best, c) => (dot3([c[0], c[1], 0], right) > dot3([best[0], best[1], 0], right) ? c : best));
    return (t) => [ex, ey, t];
  };
  const outward = (p) => { // a unit screen direction from the cube's centre towards p
    const [px, py] = project(p);
    const n = Math.hypot(px - cx, py - cy) || 1;
    return [(px - cx) / n, (py - cy) / n];
  };
  ["x", "y", "z"].forEach((name, k) => {
    const at = edge(k);
    const [ax0, ay0] = project(at(-L)), [ax1, ay1] = project(at(L));
    axisG.append(sv("line", { x1: ax0, y1: ay0, x2: ax1, y2: ay1, stroke: "black", "stroke-width": 0.8 }));
    const [ox, oy] = outward(at(0));
    for (const t of ticks) {
      const [px, py] = project(at(t));
      axisG.append(sv("line", { x1: px, y1: py, x2: px + 3 * ox, y2: py + 3 * oy, stroke: "black", "stroke-width": 0.8 }));
      axisG.append(sv("text", { x: px + 11 * ox, y: py + 11 * oy, "text-anchor": "middle", "dominant-baseline": "central" }, tickLabel(t)));
    }
    const [lx, ly] = project(at(0));
    axisG.append(sv("text", { x: lx + 24 * ox, y: ly + 24 * oy, "text-anchor": "middle", "dominant-baseline": "central", "font-size": 10 * PT }, name));
  });
  g.append(axisG);

  const screen = points.map(project);
  if (chain && m > 1) {
    g.append(sv("polyline", {
      points: screen.map(([a, b]) => `${a.toFixed(2)},${b.toFixed(2)}`).join(" "),
      fill: "none", stroke: "#777777", "stroke-width": 0.8 * PT, "stroke-opacity": 0.7, "stroke-linejoin": "round",
    }));
  }
  // Far particles first, so near ones cover them (matplotlib sorts a 3D scatter by depth the same way).
  const order = points.map((_, i) => i).sort((i, j) => depth(points[i]) - depth(points[j]) || i - j);
  const radius = (Math.sqrt(46) / 2) * PT; // scatter size s = 46 points squared
  const dots = sv("g", { stroke: "black", "stroke-width": 0.5 * PT });
  const names = sv("g", { fill: "black", "font-size": tickSize });
  for (const i of order) {
    const [px, py] = screen[i];
    dots.append(sv("circle", { cx: px.toFixed(2), cy: py.toFixed(2), r: radius.toFixed(2), fill: indexColor(i, m), "data-particle": i }));
    if (labels) names.append(sv("text", { x: (px + radius + 1).toFixed(2), y: (py - 1).toFixed(2) }, String(i)));
  }
  g.append(dots, names);

  if (frame) {
    const colours = ["#D55E00", "#009E73", "#0072B2"]; // the book's red, green and blue
    const length = 0.55 * L;
    const [ox, oy] = project([0, 0, 0]);
    ["x", "y", "z"].forEach((name, k) => {
      const tip = [0, 1, 2].map((i) => length * frame[i][k]);
      const [tx, ty] = project(tip);
      const arrow = sv("g", { stroke: colours[k], "stroke-width": 1.8 * PT, fill: "none", "stroke-linecap": "round", "data-frame-axis": name });
      arrow.append(sv("line", { x1: ox, y1: oy, x2: tx, y2: ty }));
      const dx = tx - ox, dy = ty - oy, n = Math.hypot(dx, dy);
      if (n > 1e-9) { // an arrow pointing at the viewer is a dot, its head out of sight
        const head = 0.15 * length * s, angle = (15 * Math.PI) / 180;
        for (const sign of [-1, 1]) {
          const c = Math.cos(angle), sn = sign * Math.sin(angle);
          const ux = -(dx * c - dy * sn) / n, uy = -(dx * sn + dy * c) / n;
          arrow.append(sv("line", { x1: tx, y1: ty, x2: tx + head * ux, y2: ty + head * uy }));
        }
      }
      g.append(arrow);
      const [nx, ny] = project(tip.map((v) => 1.12 * v));
      g.append(sv("text", { x: nx, y: ny, fill: colours[k], "font-size": 9 * PT, "font-weight": "bold", "text-anchor": "middle", "dominant-baseline": "central" }, name));
    });
  }

  if (lines.length) {
    const text = sv("text", { "text-anchor": "middle", "font-size": titleSize, fill: "black" });
    lines.forEach((parts, k) => {
      const row = sv("tspan", { x: x + width / 2, y: y + (k + 1) * titleSize * 1.2 });
      for (const part of parts) row.append(Array.isArray(part) ? sv("tspan", { "data-value": part[0], "data-digits": part[2] }, part[1]) : part);
      text.append(row);
    });
    g.append(text);
  }
  const flat = lines.map((parts) => parts.map((p) => (Array.isArray(p) ? p[1] : p)).join("")).join(" ");
  g.description = (flat ? flat + ": " : "") + `${m} particle${m === 1 ? "" : "s"} in 3D, each a dot coloured by its index in the list`
    + (chain && m > 1 ? " and joined to the next index by a grey line" : "")
    + (frame ? "; the arrows x, y and z are the rotated axes" : "") + ".";
  g.setAttribute("aria-label", g.description);
  parent.append(g);
  return g;
}

// The colour bar of the particle index: 0 (dark) at the bottom to m - 1 (light) at the top, its
// label to the right; (x, y) is the bar's top-left corner. Returns its group.
function drawIndexColorbar(parent, { x, y, height, width = 12, count }) {
  const g = sv("g", { "font-size": 8 * PT, fill: "black" });
  const id = "dlx-index-gradient-" + ++controlCount;
  const gradient = sv("linearGradient", { id, x1: 0, y1: 1, x2: 0, y2: 0 });
  for (let k = 0; k <= 16; k++) {
    gradient.append(sv("stop", { offset: k / 16, "stop-color": indexColor((k / 16) * Math.max(count - 1, 1), Math.max(count, 2)) }));
  }
  g.append(sv("defs", {}, gradient));
  g.append(sv("rect", { x, y, width, height, fill: `url(#${id})`, stroke: "black", "stroke-width": 0.8 * PT }));
  const ticks = count > 1 ? [[0, y + height], [count - 1, y]] : [[0, y + height]];
  for (const [t, py] of ticks) {
    g.append(sv("line", { x1: x + width, y1: py, x2: x + width + 3.5 * PT, y2: py, stroke: "black", "stroke-width": 0.8 * PT }));
    g.append(sv("text", { x: x + width + 6 * PT, y: py, "dominant-baseline": "central" }, String(t)));
  }
  const cx = x + width + 30 * PT, cy = y + height / 2;
  g.append(sv("text", { x: cx, y: cy, "text-anchor": "middle", "font-size": 8.5 * PT, transform: `rotate(-90 ${cx} ${cy})` }, "particle index"));
  parent.append(g);
  return g;
}

// An array as widgets/particles.py's _encode_values wrote it: base64 of little-endian float32 or float64
// values in byte planes (every value's first byte, then every second byte, ...) -> Float64Array.
function decodeValues(encoded) {
  const size = encoded.dtype === "float32" ? 4 : 8;
  const text = atob(encoded.data);
  const total = text.length / size;
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < total; k++) for (let b = 0; b < size; b++) bytes[k * size + b] = text.charCodeAt(b * total + k);
  const view = new DataView(bytes.buffer);
  const values = new Float64Array(total);
  for (let k = 0; k < total; k++) values[k] = size === 4 ? view.getFloat32(4 * k, true) : view.getFloat64(8 * k, true);
  return values;
}
