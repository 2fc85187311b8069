"""Figures of 2-D convolution: one step of the sliding window, all windows, output sizes."""

import io

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .. import conv
from . import _checks as checks
from .style import COLORS, book_style, describe, figure_png, new_figure

_PADDING_FILL = "#e4e4e4"  # zeros added around the input
_WINDOW_FILL = "#ffe2a8"  # cells under the kernel
_DONE_FILL = "#d4e9f7"  # output entries already computed
_UNUSED_FILL = "#f7c6ae"  # input cells no window reads
_EDGE = "#9a9a9a"
_LIGHT = ["#cfe3f3", "#fde3b0", "#c9eadf", "#f6d0bd", "#efd3e6", "#d9eefa", "#f9f3b9", "#dddddd"]


@checks.checked(fig=checks.FIGURE, colors=checks.INT(2, 256))
def compact_png(fig, colors=64):
    """PNG bytes of a figure with a palette of at most `colors` colours: about a third of the size.

    For figures embedded many times in a page (the stepper's frames); flat-coloured grids and
    text lose nothing visible.
    """
    from PIL import Image  # a dependency of matplotlib

    picture = Image.open(io.BytesIO(figure_png(fig))).convert("RGB")
    median_cut = Image.Quantize.MEDIANCUT if hasattr(Image, "Quantize") else Image.MEDIANCUT  # Pillow < 9.1
    buffer = io.BytesIO()
    picture.quantize(colors=colors, method=median_cut).save(buffer, format="png", optimize=True)
    return buffer.getvalue()


@checks.checked(v=checks.ENTRY)
def format_entry(v):
    """A matrix entry as short text: integers without a decimal point, NaN (not yet computed) blank."""
    if np.isnan(v):
        return ""
    v = float(v) + 0.0  # no "-0"
    return f"{v:.0f}" if v.is_integer() and abs(v) < 1e6 else f"{v:.3g}"


def _draw_matrix(ax, values, fills, fontsize, title, origin, text_colors=None, bold=()):
    """Cells of `values` with their numbers, filled with `fills[i][j]`; cell (i, j) centred at origin + (j, i)."""
    values = np.asarray(values, dtype=float)
    h, w = values.shape
    x0, y0 = origin
    cells = [Rectangle((x0 + j - 0.5, y0 + i - 0.5), 1, 1) for i in range(h) for j in range(w)]
    # One collection per matrix: much faster to add and draw than a patch per cell.
    ax.add_collection(PatchCollection(cells, facecolors=[fills[i][j] for i in range(h) for j in range(w)],
                                      edgecolors=_EDGE, linewidths=0.8), autolim=False)
    for i in range(h):
        for j in range(w):
            colour = text_colors[i][j] if text_colors is not None else "black"
            weight = "bold" if (i, j) in bold else "normal"
            ax.text(x0 + j, y0 + i, format_entry(values[i, j]), ha="center", va="center", fontsize=fontsize,
                    color=colour, fontweight=weight)
    ax.text(x0 + (w - 1) / 2, y0 - 0.62, title, ha="center", va="bottom", fontsize=fontsize + 0.5)


def _board(shapes, cell, suptitle=False, gap=0.28, margin=0.1, title_band=0.3, top_band=0.3):
    """A figure holding matrices of the given (rows, cols) shapes side by side, in one axes.

    Sizes are in inches; the axes' data unit is one cell, y pointing down. Returns the figure,
    the axes and the centre of cell (0, 0) of every matrix. One axes without a layout engine
    draws several times faster than one axes per matrix, which matters for the stepper's frames.
    """
    gap, margin, title_band, top_band = (v / cell for v in (gap, margin, title_band, top_band))
    top = margin + title_band + (top_band if suptitle else 0)
    height = max(h for h, _ in shapes)
    width = sum(w for _, w in shapes) + gap * (len(shapes) - 1) + 2 * margin
    total_height = top + height + margin
    fig, ax = new_figure(figsize=(width * cell, total_height * cell))
    fig.set_layout_engine("none")
    ax.set_position([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(total_height, 0)
    ax.axis("off")
    origins, x = [], margin
    for h, w in shapes:
        origins.append((x + 0.5, top + (height - h) / 2 + 0.5))
        x += w + gap
    return fig, ax, origins


def _padding_label(padding):
    return f"{padding} padding" if isinstance(padding, str) else f"padding {padding}"


def _padding_mask(shape, pads):
    """(Hp, Wp), (ph, pw) -> bool array, True on the zeros added around the input."""
    mask = np.ones(shape, dtype=bool)
    (ph, pw), (hp, wp) = pads, shape
    mask[ph:hp - ph, pw:wp - pw] = False
    return mask


def _grid_size(columns, rows, max_width=6.0, max_height=2.3, largest=0.36):
    """Cell size (inches) and font size for a row of matrix panels."""
    cell = min(largest, max_width / columns, max_height / rows)
    return cell, max(5.0, min(10.0, cell * 72 * 0.42))


@checks.checked(step=checks.rule(checks.instance, cls=conv.ConvStep), kernel=checks.MATRIX, pads=checks.rule(checks.pair, minimum=0), step_number=checks.optional(checks.INT(1)), total=checks.optional(checks.INT(1)), input_name=checks.TEXT, kernel_name=checks.TEXT)
def plot_conv_step(step, kernel, pads=(0, 0), step_number=None, total=None, input_name="A", kernel_name="K"):
    """One frame of the sliding window: input with the window, kernel, products and sum, output so far.

    step: a ``conv.ConvStep``; kernel: the (kh, kw) array that produced it (as applied, i.e.
    already flipped for a true convolution); pads: (ph, pw) zeros around the input.
    """
    padded = step.padded_input
    k = np.asarray(kernel, dtype=float)
    out = step.partial_output
    shapes = [padded.shape, k.shape, k.shape, out.shape]
    cell, fontsize = _grid_size(sum(w for _, w in shapes), max(h for h, _ in shapes))
    fig, ax, (o_in, o_k, o_prod, o_out) = _board(shapes, cell, suptitle=True)
    with book_style():
        pad = _padding_mask(padded.shape, pads)
        inside = np.zeros(padded.shape, dtype=bool)
        inside[step.rows, step.cols] = True
        fills = np.where(inside, _WINDOW_FILL, np.where(pad, _PADDING_FILL, "white"))
        text = np.where(pad & ~inside, "#777777", "black")
        name = f"input {input_name}" + (" (zero-padded)" if pads != (0, 0) else "")
        _draw_matrix(ax, padded, fills, fontsize, name, o_in, text_colors=text)
        kh, kw = k.shape
        ax.add_patch(Rectangle((o_in[0] + step.cols.start - 0.5, o_in[1] + step.rows.start - 0.5), kw, kh,
                               fill=False, edgecolor=COLORS["red"], linewidth=2.2))
        _draw_matrix(ax, k, np.full(k.shape, "#eeeeee"), fontsize, f"kernel {kernel_name}", o_k)
        _draw_matrix(ax, step.products, np.full(k.shape, _WINDOW_FILL), fontsize, "products", o_prod)
        done = ~np.isnan(out)
        fills = np.where(done, _DONE_FILL, "white").astype(object)
        fills[step.index] = COLORS["orange"]
        _draw_matrix(ax, out, fills, fontsize, "output", o_out, bold={step.index})
        counter = f"step {step_number} of {total}: " if step_number is not None and total is not None else ""
        i, j = step.index
        fig.text(0.5, 1 - 0.1 / fig.get_figheight(),
                 f"{counter}sum of the products = {format_entry(step.value)} = output[{i}, {j}]",
                 ha="center", va="top", fontsize=fontsize + 1)
    describe(fig, f"{counter.capitalize() or 'One step: '}the {kh}×{kw} window at rows {step.rows.start} to "
             f"{step.rows.stop - 1}, columns {step.cols.start} to {step.cols.stop - 1} of {name} "
             f"({_matrix_words(padded)}) times kernel {kernel_name} ({_matrix_words(k)}) gives the products "
             f"({_matrix_words(step.products)}), which sum to {format_entry(step.value)}, written into output[{i}, {j}] "
             f"of the {out.shape[0]}×{out.shape[1]} output.", whole=True)
    return fig


def _matrix_words(m):
    """A small matrix read row by row: "1 0 1; 0 1 0"."""
    m = np.asarray(m, dtype=float)
    return "; ".join(" ".join(format_entry(v) or "blank" for v in row) for row in m)


@checks.checked(input_name=checks.TEXT)
def plot_windows(x, k, stride=1, padding="valid", input_name="A"):
    """Every window position on the input, each outlined in its own colour, and the output it makes."""
    steps = conv.conv2d_steps(x, k, stride, padding)
    padded, out = steps[0].padded_input, steps[-1].partial_output
    kh, kw = np.shape(k)
    pads = ((padded.shape[0] - np.shape(x)[0]) // 2, (padded.shape[1] - np.shape(x)[1]) // 2)
    cell, fontsize = _grid_size(padded.shape[1] + out.shape[1], max(padded.shape[0], out.shape[0]),
                                max_width=4.6, largest=0.42)
    fig, ax, (o_in, o_out) = _board([padded.shape, out.shape], cell, gap=0.5)
    palette = list(COLORS.values())
    with book_style():
        pad = _padding_mask(padded.shape, pads)
        fills = np.where(pad, _PADDING_FILL, "white")
        _draw_matrix(ax, padded, fills, fontsize, f"input {input_name}, stride {stride}, {_padding_label(padding)}",
                     o_in, text_colors=np.where(pad, "#777777", "black"))
        out_fills = np.full(out.shape, "white", dtype=object)
        for t, step in enumerate(steps):
            out_fills[step.index] = _LIGHT[t % len(_LIGHT)]
        _draw_matrix(ax, out, out_fills, fontsize, "output", o_out)
        inset = min(0.16, 0.5 / max(1, len(steps)))
        for t, step in enumerate(steps):
            colour = palette[t % len(palette)]
            d = 0.06 + inset * (t % 4)  # nested outlines keep overlapping windows apart
            ax.add_patch(Rectangle((o_in[0] + step.cols.start - 0.5 + d, o_in[1] + step.rows.start - 0.5 + d),
                                   kw - 2 * d, kh - 2 * d, fill=False, edgecolor=colour, linewidth=2))
            i, j = step.index
            ax.add_patch(Rectangle((o_out[0] + j - 0.44, o_out[1] + i - 0.44), 0.88, 0.88, fill=False,
                                   edgecolor=colour, linewidth=2))
    describe(fig, f"Input {input_name} ({_matrix_words(padded)}) with each of the {len(steps)} positions of the "
             f"{kh}×{kw} window at stride {stride}, {_padding_label(padding)}, outlined in its own colour, "
             f"next to the {out.shape[0]}×{out.shape[1]} output ({_matrix_words(out)}), each entry outlined in the "
             "colour of the window that makes it.", whole=True)
    return fig


def plot_subsampling(x, k, stride, padding="valid"):
    """The stride-1 output with the entries a larger stride keeps, next to the strided output."""
    full = conv.conv2d(x, k, 1, padding)
    strided = conv.conv2d(x, k, stride, padding)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    kept = np.zeros(full.shape, dtype=bool)
    kept[::sh, ::sw] = True
    cell, fontsize = _grid_size(full.shape[1] + strided.shape[1], full.shape[0], max_width=4.6, largest=0.42)
    fig, ax, (o_full, o_strided) = _board([full.shape, strided.shape], cell, gap=0.6)
    with book_style():
        _draw_matrix(ax, full, np.where(kept, _DONE_FILL, "white"), fontsize, f"stride 1, {_padding_label(padding)}",
                     o_full, text_colors=np.where(kept, "black", "#888888"), bold={tuple(ij) for ij in np.argwhere(kept)})
        _draw_matrix(ax, strided, np.full(strided.shape, _DONE_FILL), fontsize,
                     f"stride {stride}, {_padding_label(padding)}", o_strided)
    describe(fig, f"The {full.shape[0]}×{full.shape[1]} output at stride 1 ({_matrix_words(full)}) with the entries "
             f"that stride {stride} keeps (rows {', '.join(map(str, range(0, full.shape[0], sh)))}; columns "
             f"{', '.join(map(str, range(0, full.shape[1], sw)))}) highlighted, next to the {strided.shape[0]}×{strided.shape[1]} output at "
             f"stride {stride} ({_matrix_words(strided)}): the same entries.", whole=True)
    return fig


@checks.checked(max_windows=checks.INT(1, 1000))
def plot_window_positions(n, k, stride=1, padding=0, max_windows=40):
    """Windows along one axis (left) and how many windows read each pixel of an n x n input (right).

    Cells no window reads are marked; padding zeros are grey.
    """
    starts = conv.window_positions(n, k, stride, padding)
    unused = set(conv.unused_border(n, k, stride, padding))
    total = n + 2 * padding
    shown = starts[:max_windows]
    rows = len(shown)
    height = min(5.2, 1.7 + 0.14 * rows)
    fig, (ax, ax2) = new_figure(1, 2, figsize=(8.4, height), gridspec_kw={"width_ratios": [1.55, 1]})
    with book_style():
        for i in range(total):
            is_pad = i < padding or i >= padding + n
            fill = _PADDING_FILL if is_pad else (_UNUSED_FILL if i in unused else "white")
            ax.add_patch(Rectangle((i, 0), 1, 1, facecolor=fill, edgecolor=_EDGE, linewidth=0.6))
        label_every = max(1, int(np.ceil(total / 14)))
        for i in range(total):
            if (i - padding) % label_every == 0 or i in unused:
                ax.text(i + 0.5, 0.5, str(i - padding), ha="center", va="center", fontsize=6.5,
                        color=COLORS["red"] if i in unused else "black")
        for r, start in enumerate(shown):
            colour = COLORS["blue"] if r % 2 == 0 else COLORS["sky"]
            ax.add_patch(Rectangle((start, -1.15 - r), k, 0.8, facecolor=colour, edgecolor="none"))
        if len(starts) > rows:
            ax.text(total / 2, -1.6 - rows, f"... and {len(starts) - rows} more windows", ha="center", fontsize=8)
        ax.set_xlim(-0.3, total + 0.3)
        ax.set_ylim(-1.9 - rows, 1.25)
        ax.axis("off")
        legend = [Rectangle((0, 0), 1, 1, facecolor=_UNUSED_FILL, edgecolor=_EDGE, label="never read")]
        if padding:
            legend.append(Rectangle((0, 0), 1, 1, facecolor=_PADDING_FILL, edgecolor=_EDGE, label="padding zeros"))
        ax.legend(handles=legend, loc="lower left", fontsize=8, handlelength=1.2)
        out = conv.conv_output_size(n, k, stride, padding)
        ax.set_title(f"{out} windows of size {k}, stride {stride}, padding {padding} along an axis of {n}",
                     fontsize=9.5)
        # Windows covering each padded index; an n x n input with square windows reads pixel
        # (i, j) once per pair of covering windows, the outer product.
        per_index = np.zeros(total, dtype=int)
        for start in starts:
            per_index[start:start + k] += 1
        coverage = np.outer(per_index, per_index).astype(float)
        image = ax2.imshow(coverage, cmap="Blues", vmin=0, vmax=max(1, coverage.max()), interpolation="nearest")
        never = np.outer(per_index == 0, np.ones(total, dtype=bool)) | np.outer(np.ones(total, dtype=bool), per_index == 0)
        inside = ~_padding_mask((total, total), (padding, padding))
        overlay = np.zeros((total, total, 4))
        overlay[never & inside] = (0.84, 0.37, 0.0, 0.9)  # unused input pixels
        overlay[~inside] = (0.55, 0.55, 0.55, 0.45)  # padding
        ax2.imshow(overlay, interpolation="nearest")
        ax2.set_xticks([])
        ax2.set_yticks([])
        for spine in ax2.spines.values():
            spine.set_visible(False)
        count = conv.unused_pixel_count(n, k, stride, padding)
        ax2.set_title(f"windows reading each pixel; {count} never read", fontsize=9.5)
        fig.colorbar(image, ax=ax2, shrink=0.8, label="windows")
    return fig


@checks.checked(k=checks.INT(1, 10_000), stride=checks.INT(1, 10_000), padding=checks.INT(0, 10_000), sizes=checks.optional(checks.INTEGERS(1)), marks=checks.INTEGERS(1, min_length=0))
def plot_output_size_staircase(k, stride, padding=0, sizes=None, marks=()):
    """Output size against input size n for a fixed kernel, stride and padding: a staircase."""
    if sizes is None:
        sizes = range(max(1, k - 2 * padding), 41)
    sizes = np.array([n for n in sizes if k <= n + 2 * padding])
    outs = np.array([conv.conv_output_size(int(n), k, stride, padding) for n in sizes])
    fig, ax = new_figure(figsize=(6.2, 3.3))
    with book_style():
        ax.step(sizes, outs, where="post", color=COLORS["blue"], linewidth=1.5)
        ax.plot(sizes, outs, "o", color=COLORS["blue"], markersize=3)
        for t, n in enumerate(marks):
            o = conv.conv_output_size(n, k, stride, padding)
            wasted = len([i for i in conv.unused_border(n, k, stride, padding) if padding <= i < padding + n])
            ax.plot(n, o, "o", markersize=8, markerfacecolor="none", markeredgecolor=COLORS["red"], markeredgewidth=2)
            above = t % 2 == 0  # alternate sides so neighbouring labels do not overlap
            ax.annotate(f"n = {n}: {o} outputs, {wasted} unused per axis", (n, o), textcoords="offset points",
                        xytext=(-10, 16) if above else (10, -20), ha="right" if above else "left",
                        fontsize=8.5, color=COLORS["red"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("input size n")
        ax.set_ylabel("output size")
        ax.set_title(f"kernel {k}, stride {stride}, padding {padding}: floor((n + 2p - k)/s) + 1", fontsize=10)
        ax.grid(True, alpha=0.3)
    return fig
