"""dlexam.plots: every figure draws from valid input, and refuses the reader's bad values by name.

Figures are checked for what they are (a matplotlib Figure with axes); what they show is tested
in tests/test_plots_*.py. Edge values are skipped here: each would draw a figure.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlexam import (  # noqa: E402
    augment, backprop, batch_size as bs, bias_variance, binary, conv, invariance, landscape as ls, layer_order as lo,
    models, params, particles, pca, regression as R, reversible, training,
)
from dlexam.plots import style  # noqa: E402

from . import Arg, Arr, Bool, Choice, Fixed, Fresh, Int, Obj, Real, Size, Text, spec  # noqa: E402

BAD_OBJECT = [("None", None), ("number", 3), ("text", "abc")]


def O(valid, *extra):  # noqa: E743
    return Arg(valid, BAD_OBJECT + list(extra))


def is_figure(_figure, **kwargs):
    assert isinstance(_figure, Figure) and _figure.axes, _figure


def figure(name, args=None, **options):
    options.setdefault("check", is_figure)
    return spec(f"plots.{name}", args or {}, edges=False, **options)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def axes(projection=None):
    return Fresh(lambda: style.new_figure(subplot_kw={"projection": projection} if projection else {})[1])


INTERVAL = lambda valid: Arg(valid, [("None", None), ("one number", 1.0), ("reversed", (valid[1], valid[0])),  # noqa: E731
                                     ("nan", (float("nan"), valid[1])), ("text", "auto")])
OPTIONAL_REAL = lambda valid=None: Arg(valid, [("text", "1"), ("nan", float("nan")), ("inf", float("inf")),  # noqa: E731
                                               ("list", [1.0])])

# --- activations -----------------------------------------------------------------------------

ROUNDING = {"target": Real(1.0), "decimals": Int(1, 0, 12), "convention": Choice("half_up")}
figure("activations.plot_activation_bands", {"z_mark": OPTIONAL_REAL(), **ROUNDING, "x_limits": INTERVAL((-20.0, 2000.0))})
figure("activations.plot_rounding_thresholds", {**ROUNDING, "x_limits": INTERVAL((-1.0, 5.0))})
figure("activations.plot_saturation_gradients", {"z_mark": OPTIONAL_REAL(), "zoom": INTERVAL((0.0, 45.0)),
                                                 "full": INTERVAL((0.0, 1100.0))})
figure("activations.plot_activation_reading", {"activation": Choice("sigmoid"), "z": Real(2.0), **ROUNDING})

# --- backprop --------------------------------------------------------------------------------

figure("backprop.plot_graphical_notation", {"layers": Int(3, 1), "substep": Arg(None, [
    ("zero", 0), ("six", 6), ("text", "1"), ("float", 1.5)], [("2", 2)])})
figure("backprop.plot_dense_block", {"width": Int(4, 1, 8), "saved": Bool(True)})
GRID = backprop.saved_bytes_grid([1, 2, 4], [1, 4], [2, 8])
figure("backprop.plot_saved_growth", {"measurements": O(GRID, ("numbers", [1, 2])), "fit": Arg(None, BAD_OBJECT[1:])})
ROWS = [backprop.gradient_memory(2, B, 4, gen()) for B in (1, 2, 4)]
figure("backprop.plot_gradient_memory", {"rows": O(ROWS, ("empty", []))})
BUDGETS = [backprop.memory_budget(2, 4, 8, o) for o in backprop.OPTIMIZERS]
figure("backprop.plot_memory_budget", {"budgets": O(BUDGETS, ("numbers", [3])),
                                       "sweep": Arg((), [("number", 3), ("numbers", [1, 2])])})
figure("backprop.plot_sgd_progress", {"layers": Int(3, 1), "substep": Int(0, 0, 5),
                                      "history": Arg([(1, 0.5, 0.4), (2, 0.3, 0.3)], BAD_OBJECT + [
                                          ("nan", [(1, float("nan"), 0.4)]), ("short rows", [(1, 0.5)])])})

# --- bias_variance ----------------------------------------------------------------------------

REGIMES = [bias_variance.Regime("mlp", "none", f, n) for f in ("canonical", "random") for n in (100, 500)]
RESULTS = [bias_variance.BiasVariance(r, v, 1.0, 0.6, 0.4, 0.1, torch.randn(3, 500, generator=gen(i)))
           for i, r in enumerate(REGIMES) for v in ("random", "canonical")]
Y = torch.randn(500, generator=gen(9))
figure("bias_variance.plot_bias_variance", {"results": O(RESULTS, ("numbers", [1, 2]), ("empty", [])),
                                            "panels": Arg((("canonical", "random"),), [
                                                ("None", None), ("unknown", (("canonical", "sorted"),)),
                                                ("text", "canonical")])})
figure("bias_variance.plot_model_spread", {"result": O(RESULTS[0]), "y": Arg(Y, BAD_OBJECT + [
    ("wrong length", torch.zeros(3))]), "n": Int(12, 1, 500), "models": Arg(None, [("zero", 0), ("too many", 4),
                                                                                      ("text", "2")]),
                                           "how": Choice("spread over P")})
figure("bias_variance.plot_against_training_size", {"results": O(RESULTS, ("empty", [])), "val_frame": Choice("random")})

# --- binary -----------------------------------------------------------------------------------

RUN = binary.train(binary.BinaryConfig(n=20, epochs=2, hidden=(4,)))
RUN2 = binary.train(binary.BinaryConfig(head="two_softmax", n=20, epochs=2, hidden=(4,)))
RESOLUTION = Int(21, 2, 2000)
figure("binary.plot_decision_boundary", {"history": O(RUN), "ax": Arg(axes(), BAD_OBJECT[1:], [("None", None)]),
                                         "limits": INTERVAL(((-1.0, 2.0), (-1.0, 1.0))).without("reversed", "None"),
                                         "resolution": RESOLUTION})
REF = figure.__globals__  # keep flake8 quiet about the helpers above
figure("binary.plot_training_comparison", {"histories": O([RUN, RUN2], ("empty", []), ("numbers", [1])),
                                           "epochs": Arg(None, [("zero", 0), ("text", "2"), ("float", 1.5)], [("1", 1)]),
                                           "resolution": RESOLUTION})
figure("binary.plot_softmax_difference", {"limit": Real(6.0, above=0.0), "resolution": RESOLUTION})

# --- conv -------------------------------------------------------------------------------------

A, K = np.array(conv.EXAM_IE_INPUT), np.array(conv.EXAM_IE_KERNEL)
STEP = conv.conv2d_steps(A, K, 2)[0]
spec("plots.conv.compact_png", {"fig": O(Fresh(lambda: style.new_figure()[0])), "colors": Int(64, 2, 256)},
     edges=False, check=lambda r, **kw: isinstance(r, bytes) and r[:8] == b"\x89PNG\r\n\x1a\n")
spec("plots.conv.format_entry", {"v": Arg(1.0, [("None", None), ("text", "1"), ("list", [1.0])],
                                          [("nan", float("nan")), ("int", 3)])},
     check=lambda r, v: r == ("1" if v == 1.0 else r))
PADDING = Arg("valid", [("None", None), ("unknown", "full"), ("negative", -1)], [("same", "same")])
figure("conv.plot_conv_step", {"step": O(STEP), "kernel": Arr(K), "pads": Arg((0, 0), [
    ("None", None), ("negative", (-1, 0)), ("float", (0.5, 0))]), "step_number": Arg(None, [("zero", 0), ("text", "1")]),
    "total": Arg(None, [("zero", 0), ("text", "1")]), "input_name": Text("A"), "kernel_name": Text("K")})
figure("conv.plot_windows", {"x": Arr(A).named("input"), "k": Arr(K).named("kernel"), "stride": Int(2, 1),
                             "padding": PADDING, "input_name": Text("A")})
figure("conv.plot_subsampling", {"x": Arr(A).named("input"), "k": Arr(K).named("kernel"), "stride": Int(2, 1),
                                 "padding": PADDING})
figure("conv.plot_window_positions", {"n": Size(8).named("n"), "k": Int(3, 1).named("k"), "stride": Int(2, 1),
                                      "padding": Int(0, 0), "max_windows": Int(40, 1, 1000)})
figure("conv.plot_output_size_staircase", {"k": Int(5, 1, 10_000).named("k"), "stride": Int(2, 1, 10_000),
                                           "padding": Int(0, 0, 10_000),
                                           "sizes": Arg(None, [("text", "1-40"), ("zero", [0, 1]), ("float", [1.5])]),
                                           "marks": Arg((), [("None", None), ("text", "25"), ("float", (2.5,))])})

# --- landscape --------------------------------------------------------------------------------

SURFACE = ls.make_landscape(n=10)
FULL = ls.descend(SURFACE, ls.BOOK_START, 0.3, 10, 2)
MINI = ls.descend(SURFACE, ls.BOOK_START, 0.3, 5, 2, runs=2)
LIMITS = INTERVAL(((-2.6, 2.4), (-1.6, 2.0))).without("reversed")
spec("plots.landscape.draw_landscape", {"ax": O(axes()), "landscape": O(SURFACE), "limits": LIMITS,
                                        "resolution": Int(21, 2, 1000), "critical": Bool(True)},
     edges=False, check=lambda r, **kw: r is not None)
figure("landscape.plot_descents", {"landscape": O(SURFACE), "descents": O([FULL, MINI], ("empty", [])),
                                   "labels": Arg(["full", "mini"], [("None", None), ("too few", ["full"])]),
                                   "colours": Arg(None, [("number", 3)]),
                                   "x": Choice("epochs"), "show_finals": Bool(True), "limits": LIMITS,
                                   "title": Arg(None, [("number", 3)])})
TABLE = ls.escape_table(SURFACE, ls.BOOK_START, 0.5, [1, 10], 1, runs=3)
figure("landscape.plot_escape", {"fixed": O(TABLE, ("numbers", [0.5])), "scaled": Arg(None, BAD_OBJECT[1:]),
                                 "temperature_runs": Arg(None, [("number", 3), ("text", "1")]),
                                 "n": Arg(None, [("zero", 0), ("text", "10")], [("10", 10)]),
                                 "stability_lr": Arg(None, [("nan", float("nan")), ("negative", -1.0), ("text", "1")])})
BATCH = [bs.train(bs.BatchConfig(batch_size=10, epochs=2, runs=2, n_train=20, n_validation=20, hidden=(4,)))]
figure("landscape.plot_batch_training", {"histories": O(BATCH, ("empty", [])), "labels": Arg(["10"], [
    ("None", None), ("too many", ["a", "b"])]), "colours": Arg(None, [("number", 3)])})
figure("landscape.plot_positive_definite", {"dims": Arr(np.array([1, 2, 3])), "fractions": Arr(
    np.array([0.5, 0.15, 0.01])).with_bad(("too few", np.array([0.5])), ("above 1", np.array([0.5, 2.0, 0.1]))),
    "count": Int(1000, 1), "rate": Real(0.27, above=0.0)})

# --- neuron, params ---------------------------------------------------------------------------

figure("neuron.plot_truth_table_surface", {"w1": Real(-10.0), "w2": Real(-10.0), "b": Real(10.0),
                                           "table": Choice("exam").named("table"),
                                           "ax": Arg(None, BAD_OBJECT[1:]), "resolution": Int(21, 2, 2000)})
figure("neuron.plot_scale_tradeoff", {"scales": Arr(np.array([1.0, 3.0, 10.0]))})
figure("params.plot_dense_network", {"layer_sizes": Arg([784, 512, 10], [("None", None), ("one size", [784]),
                                                                         ("zero", [784, 0])]),
                                     "image_shape": Arg(None, [("mismatch", (32, 32)), ("text", "28x28")],
                                                        [("28x28", (28, 28))]),
                                     "max_drawn": Int(7, 3, 50)})
figure("params.plot_parameter_breakdown", {"layer_sizes": Arg([60, 128, 1], [("None", None), ("one size", [784]),
                                                                             ("zero", [784, 0])])})
figure("params.plot_conv_vs_dense", {"comparison": O(params.conv_vs_dense((28, 28), 32, 3))})

# --- particles --------------------------------------------------------------------------------

X = particles.make_dataset(3, seed=0)[0].double()
V = particles.make_dataset(1, seed=0, validation=True)[0].double()
CONFIG_ARR = Arg(X[0].numpy(), [("None", None), ("text", "abc"), ("two columns", np.zeros((20, 2))),
                                ("nan", np.full((20, 3), np.nan))])
spec("plots.particles.draw_configuration",
     {"ax": O(axes("3d")), "x": CONFIG_ARR, "limit": Arg(None, [("negative", -1.0), ("nan", float("nan"))]),
      "chain": Bool(True), "labels": Bool(True), "frame": Arg(None, [("wrong shape", np.eye(2))]),
      "title": Arg(None, [("number", 3)])}, edges=False, check=lambda r, **kw: r is not None)
figure("particles.plot_configurations", {"configs": Arg([X[0], X[1]], [("None", None), ("empty", []),
                                                                       ("two columns", [np.zeros((20, 2))])]),
                                         "titles": Arg(None, [("too many", ["a", "b", "c"]), ("number", 3)]),
                                         "frames": Arg(None, [("too many", [np.eye(3)] * 3)]),
                                         "chain": Bool(True), "labels": Bool(True),
                                         "suptitle": Arg(None, [("number", 3)]),
                                         "ncols": Arg(None, [("zero", 0), ("text", "2")])})
figure("particles.plot_training_and_validation", {"x_train": CONFIG_ARR, "x_val": CONFIG_ARR})
R3 = augment.random_rotations(1, gen(), dtype=torch.float64)[0]
PERM = augment.random_permutations(1, 20, gen())[0]
figure("particles.plot_augmentations", {"x": CONFIG_ARR, "R": Arg(R3, [("None", None), ("2x2", np.eye(2)),
                                                                      ("nan", np.full((3, 3), np.nan))]),
                                        "permutation": Arg(PERM, [("None", None), ("repeated", np.zeros(20, int)),
                                                                  ("too short", np.arange(5))])})
SAMPLES = {"uniform": augment.random_rotations(200, gen(), dtype=torch.float64)}
figure("particles.plot_rotation_samplers", {"samples": Arg(SAMPLES, [("None", None), ("empty", {}),
                                                                     ("not matrices", {"a": np.zeros(3)})]),
                                            "bins": Int(30, 1, 1000)})
GAPS = {"P": invariance.invariance_gap(particles.target, X, 3, "both", gen())}
figure("particles.plot_invariance_gaps", {"gaps": Arg(GAPS, [("None", None), ("empty", {}),
                                                             ("not gaps", {"a": 3})]),
                                          "floor": Real(1e-18, above=0.0)})
figure("particles.plot_outputs_under_permutations", {"gaps": Arg(GAPS, [("None", None), ("empty", {})]),
                                                     "n_configurations": Int(2, 1)})
ANGLES = np.linspace(0, np.pi, 5)
figure("particles.plot_output_under_rotation",
       {"angles": Arr(ANGLES), "curves": Arg({"flat": np.ones(5)}, [("None", None), ("wrong length", {"a": np.ones(4)}),
                                                                    ("empty", {})]),
        "reference_label": Arg(None, [("unknown", "wavy"), ("number", 3)])})
FEATURES = np.random.default_rng(0).normal(size=(20, 8))
figure("particles.plot_phi_embeddings", {"features": Arr(FEATURES), "pooled": Arr(FEATURES.sum(0)).with_bad(
    ("wrong length", np.zeros(5))), "output": OPTIONAL_REAL(), "order": Arg(None, [("repeated", np.zeros(20, int)),
                                                                                  ("text", "abc")])})
figure("particles.plot_permutation_changes", {"x": CONFIG_ARR, "changes": Arg({"P": np.zeros(5), "MLP": np.ones(5)}, [
    ("None", None), ("empty", {}), ("negative", {"P": -np.ones(5)})]), "current": Int(0, 0, 5),
    "floor": Real(1e-18, above=0.0)})

# --- pca --------------------------------------------------------------------------------------

SAMPLE = pca.sample_with_covariance(pca.EXAM_COVARIANCE, 30, np.random.default_rng(0))
figure("pca.plot_scree", {"C": Arr(pca.EXAM_COVARIANCE), "ax": Arg(None, BAD_OBJECT[1:])})
figure("pca.plot_collapse", {"X": Arr(SAMPLE).with_bad(("two columns", SAMPLE[:, :2])), "C": Arr(pca.EXAM_COVARIANCE)})
figure("pca.plot_covariances", {"matrices": Arg([pca.EXAM_COVARIANCE, np.eye(3)], [("None", None), ("empty", []),
                                                                                   ("not matrices", [np.zeros(3)])]),
                                "titles": Arg(["C", "I"], [("None", None), ("too few", ["C"])])})
figure("pca.plot_smallest_eigenvalue_vs_noise", {"noise_levels": Arr(np.array([0.0, 0.1, 1.0])),
                                                 "smallest": Arr(np.array([1e-16, 0.01, 1.0])).with_bad(
                                                     ("too few", np.array([1.0]))),
                                                 "tolerances": Arr(np.array([1e-15, 1e-15, 1e-15]))})

# --- pooling ----------------------------------------------------------------------------------

IMAGE = lo.example_image("dark, bright square", (8, 8))
KERNEL = np.ones((3, 3)) / 9
CE = lo.relu_conv_counterexample(np.array([[1.0, -1.0], [-1.0, 1.0]]), 0.0, np.random.default_rng(0))
figure("pooling.plot_options", {"image": Arr(IMAGE), "kernel": Arr(KERNEL), "bias": Real(-0.3), "pool": Choice("max"),
                                "image_numbers": Arg(None, [("text", "yes"), ("number", 3)], [("True", True)])})
figure("pooling.plot_counterexample", {"counterexample": O(CE), "left_label": Text("ReLU(Conv(x))"),
                                       "right_label": Text("Conv(ReLU(x))"), "title": Arg(None, [("number", 3)])})
COMMUTE = [lo.max_pool_commutes_with(f, np.random.default_rng(0), n_images=3) for f in ("relu", "abs")]
figure("pooling.plot_pooling_commutation", {"results": O(COMMUTE, ("empty", [])), "low": Real(-3.5),
                                            "high": Real(2.5).with_bad(("below low", -5.0))})
figure("pooling.plot_pool_swaps", {"swaps": Arg({"avg": lo.pool_conv_swap(IMAGE, KERNEL)}, [
    ("None", None), ("empty", {}), ("not swaps", {"a": 3})])})

# --- regression -------------------------------------------------------------------------------

CARS_X, CARS_Y, LABEL = R.make_data(R.DATASETS[0])
SPLITS = {"sorted": R.sorted_split(CARS_X, 0.8)}
FITS = {"sorted": {"linear regression": R.fit(R.LINEAR, CARS_X[SPLITS["sorted"][0]], CARS_Y[SPLITS["sorted"][0]])}}
RUNS = R.run_experiment([R.LINEAR], CARS_X, CARS_Y, SPLITS)
spec("plots.regression.model_colour", {"config": O(R.LINEAR)}, check=lambda r, config: isinstance(r, str))
figure("regression.plot_linearity", {"x": Arr(CARS_X), "y": Arr(CARS_Y), "x_label": Text(LABEL),
                                     "y_label": Text("CO2"), "n_bins": Int(5, 1, 398)})
figure("regression.plot_extrapolation", {"x": Arr(CARS_X), "y": Arr(CARS_Y), "splits": Arg(SPLITS, [
    ("None", None), ("empty", {})]), "fits": Arg(FITS, [("None", None), ("empty", {})]),
    "x_range": Arg(None, [("reversed", (2000.0, 500.0)), ("text", "all")]), "x_label": Text(LABEL),
    "y_label": Text("CO2"), "ylim": Arg(None, [("reversed", (300.0, 0.0)), ("text", "auto")])})
figure("regression.plot_split_fit", {"result": O(R.split_and_fit(R.DATASETS[0], R.LINEAR)),
                                     "x_range": Arg(None, [("reversed", (2000.0, 500.0)), ("text", "all")]),
                                     "y_label": Text("CO2")})
figure("regression.plot_validation_spread", {"runs": O(RUNS, ("empty", [])), "floor": OPTIONAL_REAL(),
                                             "split_order": Arg(("shuffled", "sorted"), [("None", None),
                                                                                         ("number", 3)])})

# --- reversible -------------------------------------------------------------------------------

BLOCKS = reversible.coupling_blocks(3, 4, 3, gen(), dtype=torch.float64)
FP = reversible.fixed_point_inverse(lambda x: 0.5 * torch.tanh(x), torch.ones(2, 2, dtype=torch.float64))
figure("reversible.plot_coupling_block", {"inverse": Bool(False)})
figure("reversible.plot_tanh_residuals", {"cs": Arg((-0.5, -2.0, 3.0), [("None", None), ("text", "abc"),
                                                                       ("nan", (float("nan"),)), ("empty", ())]),
                                          "y": Real(0.0), "limit": Real(4.0, above=0.0)})
figure("reversible.plot_fixed_point", {"results": O({"L = 0.5": FP}, ("empty", {}), ("list", [FP])),
                                       "lipschitz": Arg(None, [("number", 0.5), ("nan", {"L = 0.5": float("nan")})],
                                                        [("one", {"L = 0.5": 0.5})])})
DEPTHS = [1, 2, 3]
figure("reversible.plot_round_trip_errors", {"depths": Arr(np.array(DEPTHS)), "errors": Arg(
    {"float32": [1e-7, 2e-7, 4e-7]}, [("None", None), ("wrong length", {"float32": [1.0]}), ("empty", {})])})
figure("reversible.plot_gradient_errors", {"depths": Arr(np.array(DEPTHS)), "errors": Arg(
    {"reversible": [1e-7, 2e-7, 4e-7]}, [("None", None), ("wrong length", {"a": [1.0]}), ("empty", {})])})
figure("reversible.plot_saved_memory", {"depths": Arr(np.array(DEPTHS)), "curves": Arg(
    {"store": [2**20, 2**21, 2**22], "reversible": [2**20] * 3}, [("None", None), ("wrong length", {"store": [1]})]),
    "highlight": Arg(None, [("unknown mode", (2, "fast")), ("text", "2")], [("2, store", (2, "store"))])})
figure("reversible.plot_residual_inverse", {"c": Real(0.5), "y": Real(0.5), "result": O(FP), "limit": Real(4.0, above=0.0)})

# --- training ---------------------------------------------------------------------------------


def fake_history(model, augmentation, frame="canonical", epochs=3):
    config = training.TrainConfig(model=model, rotate=augmentation in ("rotations", "both"),
                                   permute=augmentation in ("permutations", "both"), frame=frame, epochs=epochs)
    return training.History(config, train_loss=[1.0, 0.5, 0.3][:epochs], val_loss=[1.1, 0.7, 0.6][:epochs],
                            status="completed")


HISTORIES = [fake_history(m, a) for m in ("mlp", "deepsets") for a in training.AUGMENTATIONS]
YLIM = Arg((0.001, 5.0), [("None", None), ("reversed", (5.0, 0.001)), ("negative", (-1.0, 5.0)), ("text", "auto")])
figure("training.plot_training_curves", {"histories": O(HISTORIES[:1], ("empty", []), ("text list", ["MLP"])),
                                         "epochs": Arg(None, [("zero", 0), ("text", "3")]),
                                         "previous": Arg(None, [("text", "MLP"), ("number", 3)]),
                                         "previous_label": Text("previous run"), "ylim": YLIM})
figure("training.plot_validation_comparison", {"histories": O(HISTORIES, ("empty", [])), "frame": Choice("canonical"),
                                               "ylim": YLIM})

# --- style ------------------------------------------------------------------------------------

spec("plots.style.book_style", {}, check=lambda r: hasattr(r, "__enter__"))
spec("plots.style.new_figure", {"nrows": Int(1, 1, 20), "ncols": Int(2, 1, 20),
                                "figsize": Arg((6, 4), [("None", None), ("negative", (-1, 4)), ("text", "6x4")])},
     edges=False, check=lambda r, nrows, ncols, figsize: isinstance(r[0], Figure) and len(r[0].axes) == nrows * ncols)
spec("plots.style.figure_png", {"fig": O(Fresh(lambda: style.new_figure()[0])),
                                "description": Arg(None, [("number", 3)], [("text", "a figure")])},
     edges=False, check=lambda r, **kw: r[:8] == b"\x89PNG\r\n\x1a\n")
spec("plots.style.BookFigure", record=True, note="a matplotlib Figure that new_figure builds")
spec("plots.style.describe", {"fig": O(Fresh(lambda: style.new_figure()[0])), "text": Text("a figure")},
     edges=False, check=lambda r, fig, text: text in style.figure_description(fig) or r is None)
spec("plots.style.plain_text", {"label": Fixed("$\\sigma(z)$")}, check=lambda r, label: "$" not in r)
spec("plots.style.figure_description", {"fig": O(Fresh(lambda: style.new_figure()[0]))}, edges=False,
     check=lambda r, fig: isinstance(r, str))
