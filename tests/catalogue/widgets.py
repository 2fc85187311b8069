"""dlexam.widgets: every explorer builds from valid settings and refuses bad constructor arguments by name;
the view helpers give the library's message for a bad field instead of raising, and the rest is tested in
tests/test_widgets_*.py. Edge values are skipped: each would build a widget."""

import numpy as np
import torch
from matplotlib.figure import Figure

from dlexam import bias_variance, conv, training
from dlexam.plots import style

from . import Arg, Fixed, Fresh, spec

BAD_OBJECT = [("None", None), ("number", 3), ("text", "abc")]
BAD_INT = [("None", None), ("text", "3"), ("float", 1.5), ("bool", True), ("negative", -1), ("huge", 10**12)]
BAD_REAL = [("None", None), ("text", "1"), ("nan", float("nan")), ("inf", float("inf")), ("bool", True)]
BAD_CHOICE = [("unknown", "no such option"), ("None", None), ("number", 3), ("list", ["a"])]
UI = lambda r, **kw: (r.ui is not None and hasattr(r, "message")) or _fail(r)  # noqa: E731


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


SEED = Arg(0, [("None", None), ("text", "3"), ("float", 1.5), ("bool", True), ("negative", -1)])


def I(valid, *extra):  # noqa: E743
    return Arg(valid, BAD_INT + list(extra))


def F(valid, *extra):  # noqa: E743
    return Arg(valid, BAD_REAL + list(extra))


def C(valid):  # noqa: E743
    return Arg(valid, BAD_CHOICE)


def explorer(name, args, **options):
    options.setdefault("check", UI)
    return spec(f"widgets.{name}", args, edges=False, **options)


def is_view(result, **kwargs):
    assert isinstance(result, dict) and "message" in result and "kind" in result, result


def error_view(result):
    return isinstance(result, dict) and result.get("kind") == "error"


def field(valid, *bad):
    """A text field as typed: a bad one gives the library's message in the view (kind "error")."""
    return Arg(valid, [], [(label, value, error_view) for label, value in bad])


BAD_TEXT = [("word", "two"), ("empty", ""), ("nan", "nan"), ("None", None), ("number", 3)]

# --- base, frontend ---------------------------------------------------------------------------

spec("widgets.base.Explorer", {}, check=lambda r: hasattr(r, "ui") or _fail(r))
spec("widgets.base.FigureImage", {}, record=True, note="an ipywidgets Image built by image_widget")
spec("widgets.base.image_widget", {"width": Fixed("100%"), "max_width": Fixed("640px")},
     edges=False, check=lambda r, **kw: r.format == "png" or _fail(r))
spec("widgets.base.set_figure", {"image": Fixed(Fresh(lambda: __import__("dlexam.widgets.base").widgets.base.image_widget())),
                                 "fig": Fixed(Fresh(lambda: style.new_figure()[0])), "png": Fixed(None)},
     edges=False, check=lambda r, image, **kw: image.value[:8] == b"\x89PNG\r\n\x1a\n" or _fail(r))
spec("widgets.base.OneRunAtATime", {}, check=lambda r: (not r.running and r.run(lambda: None)) or _fail(r))
spec("widgets.frontend.module_source", {"name": Fixed("activations")},
     edges=False, check=lambda r, name: "export" in r or _fail(r))
spec("widgets.frontend.style_source", {}, check=lambda r: isinstance(r, str) and r or _fail(r))
for name in ("frontend.BrowserWidget", "activations.ActivationWidget", "conv.OutputSizeWidget", "neuron.TruthTableWidget",
             "params.ParameterCountWidget", "pca.CovarianceWidget", "pooling.LayerOrderWidget", "replay.ReplayWidget"):
    spec(f"widgets.{name}", record=True, note="the front-end an explorer builds; its traits are typed by traitlets")

# --- activations ------------------------------------------------------------------------------

spec("widgets.activations.activation_view",
     {"activation": field("sigmoid", ("unknown", "softplus"), ("None", None)),
      "weights": field("7.3, 193.4, -30.2", *BAD_TEXT), "bias": field("8.3", *BAD_TEXT, ("two numbers", "1, 2")),
      "inputs": field("2.1, 5.2, -0.2", *BAD_TEXT, ("too few", "1, 2")),
      "convention": field("half_up", ("unknown", "up")),
      "observed": field(1.0, *[(l, v) for l, v in BAD_REAL])},
     edges=False, check=lambda r, **kw: (is_view(r) is None and r["kind"] == "") or _fail(r))
spec("widgets.activations.frontend_config", {"observed": Fixed(1.0), "decimals": Fixed(1)}, edges=False,
     check=lambda r, **kw: "bands" in r or _fail(r))
spec("widgets.activations.view_vectors", {"count": Fixed(3), "seed": Fixed(0)}, edges=False,
     check=lambda r, count, seed: len(r) > count or _fail(r))
spec("widgets.activations.view_noise", {"state": Fixed({"activation": "sigmoid", "convention": "half_up",
                                                        "weights": "1", "bias": "0", "inputs": "1"}),
                                        "view": Fixed(None)},
     call=lambda f, state, view: f(state, __import__("dlexam.widgets.activations").widgets.activations.activation_view(
         **state)), check=lambda r, **kw: isinstance(r, dict) or _fail(r))
explorer("activations.ActivationExplorer", {"activation": C("sigmoid"), "w": Arg((7.3, 193.4, -30.2), BAD_OBJECT),
                                            "b": F(8.3), "x": Arg((2.1, 5.2, -0.2), BAD_OBJECT), "observed": F(1.0)})

# --- backprop ---------------------------------------------------------------------------------

explorer("backprop.SGDStepExplorer", {"batch_size": I(4), "lr": F(0.5, ("zero", 0.0)), "seed": I(0), "layers": I(2),
                                      "width": I(3), "n": I(32), "steps": I(0), "substep": I(0, ("six", 6))})
explorer("backprop.SavedBytesExplorer", {"layers": I(2), "batch_size": I(4), "width": I(8), "activation": C("tanh")})

# --- bias_variance ----------------------------------------------------------------------------

REGIMES = [bias_variance.Regime(m, "none") for m in ("mlp", "deepsets")]
RESULTS = [bias_variance.BiasVariance(r, f, 1.0, 0.6, 0.4, 0.1, torch.randn(3, 500, generator=torch.Generator()
                                                                             .manual_seed(i)))
           for i, r in enumerate(REGIMES) for f in ("random", "canonical")]
explorer("bias_variance.BiasVarianceExplorer", {"results": Arg(RESULTS, BAD_OBJECT + [("empty", [])]),
                                                "val_frame": C("random"), "n": I(10, ("zero", 0)),
                                                "how": C("spread over P")})

# --- binary -----------------------------------------------------------------------------------

explorer("binary.BinaryTrainingExplorer", {"left": C("one_sigmoid"), "right": C("two_softmax"), "data": C("moons"),
                                           "epochs": I(2, ("zero", 0)), "lr": F(0.05, ("zero", 0.0)), "seed": SEED,
                                           "redraws": I(2, ("zero", 0))})

# --- conv -------------------------------------------------------------------------------------

STEPS = conv.conv2d_steps(np.array(conv.EXAM_IE_INPUT), np.array(conv.EXAM_IE_KERNEL), 2)
spec("widgets.conv.step_caption", {"step": Fixed(STEPS[0]), "kernel": Fixed(np.array(conv.EXAM_IE_KERNEL)),
                                   "number": Fixed(1), "total": Fixed(2), "padded": Fixed(False)},
     edges=False, check=lambda r, **kw: isinstance(r, str) or _fail(r))
explorer("conv.ConvStepper", {"stride": Arg(None, [("three", 3), ("text", "2")]), "padding": Arg(None, [("full", "full")]),
                              "operation": C("cross-correlation"), "max_frames": I(8, ("zero", 0))})
spec("widgets.conv.output_size_view", {"n": field(25, ("None", None), ("text", "25"), ("zero", 0)),
                                       "k": field(5, ("too large", 99)), "stride": field(2, ("zero", 0)),
                                       "padding": field(0, ("negative", -1))},
     edges=False, check=lambda r, **kw: (is_view(r) is None and r["output_size"] == 11) or _fail(r))
spec("widgets.conv.output_size_config", {"max_n": Fixed(40)}, edges=False,
     check=lambda r, max_n: r["sliders"]["n"][2] == max_n or _fail(r))
spec("widgets.conv.output_size_vectors", {}, check=lambda r: len(r) > 100 or _fail(r))
explorer("conv.OutputSizeExplorer", {"n": I(25), "k": I(5), "stride": I(2), "padding": I(0),
                                     "max_n": I(40, ("zero", 0))})

# --- landscape --------------------------------------------------------------------------------

explorer("landscape.LandscapeExplorer", {"batch_size": I(1, ("zero", 0), ("more than the examples", 41)), "lr": F(0.5, ("zero", 0.0)),
                                         "epochs": I(2, ("zero", 0)), "start": Arg((-1.9, 1.4), BAD_OBJECT + [
                                             ("nan", (float("nan"), 0.0))]), "seed": SEED, "runs": I(2, ("zero", 0)),
                                         "landscape": Arg(None, [("text", "book"), ("number", 3)])})

# --- neuron -----------------------------------------------------------------------------------

spec("widgets.neuron.option_label", {"w1": Fixed(-10.0), "w2": Fixed(-10.0), "b": Fixed(10.0)}, edges=False,
     check=lambda r, **kw: isinstance(r, str) or _fail(r))
spec("widgets.neuron.truth_table_view", {"w1": Arg(-10.0, BAD_REAL), "w2": Arg(-10.0, BAD_REAL), "b": Arg(10.0, BAD_REAL),
                                         "table": Arg("exam", BAD_CHOICE[:3])},
     edges=False, check=lambda r, **kw: r["verdict"] == "reproduces" or _fail(r))
spec("widgets.neuron.frontend_config", {"limit": Fixed(30.0)}, edges=False,
     check=lambda r, limit: isinstance(r, dict) or _fail(r))
spec("widgets.neuron.view_vectors", {"count": Fixed(3), "seed": Fixed(0), "limit": Fixed(30.0)}, edges=False,
     check=lambda r, **kw: len(r) > 3 or _fail(r))
explorer("neuron.TruthTableExplorer", {"w1": F(-10.0), "w2": F(-10.0), "b": F(10.0), "table": C("exam"),
                                       "limit": F(30.0, ("zero", 0.0))})

# --- params -----------------------------------------------------------------------------------

spec("widgets.params.parse_widths", {"text": Fixed("512, 10")},
     edges=False, check=lambda r, text: list(r) == [512, 10] or _fail(r))
spec("widgets.params.check_image_shape", {"height": Fixed(28), "width": Fixed(28), "channels": Fixed(1)},
     edges=False, check=lambda r, **kw: r is None or bool(r) or True)
spec("widgets.params.format_bytes", {"n": Fixed(2048)}, edges=False, check=lambda r, n: isinstance(r, str) or _fail(r))
spec("widgets.params.parse_side", {"text": Fixed("28"), "name": Fixed("height")},
     edges=False, check=lambda r, **kw: r == 28 or _fail(r))
spec("widgets.params.parameter_view", {"height": field("28", ("word", "x"), ("None", None)), "width": field("28", ("zero", "0")),
                                       "channels": field("1", ("zero", "0")), "widths": field("512, 10", ("empty", ""))},
     edges=False, check=lambda r, **kw: (is_view(r) is None and r["kind"] != "error") or _fail(r))
spec("widgets.params.frontend_config", {}, check=lambda r: isinstance(r, dict) or _fail(r))
spec("widgets.params.view_vectors", {"count": Fixed(3), "seed": Fixed(0)}, edges=False, check=lambda r, **kw: len(r) > 3 or _fail(r))
explorer("params.ParameterCountExplorer", {"height": I(28, ("zero", 0)), "width": I(28, ("zero", 0)),
                                           "channels": I(1, ("zero", 0)), "widths": Arg("512, 10", BAD_OBJECT[:2])})

# --- particles --------------------------------------------------------------------------------

spec("widgets.particles.seeded_models", {"seed": Fixed(0)}, edges=False, check=lambda r, seed: set(r) == {"MLP", "DeepSets"}
     or _fail(r))
X = Fresh(lambda: torch.randn(3, 20, 3, generator=torch.Generator().manual_seed(0)))
explorer("particles.ShapeTraceExplorer", {"model": C("MLP"), "batch_size": I(4, ("zero", 0)),
                                          "n_particles": I(20, ("zero", 0)), "layout": C("(B, m, 3)")})
explorer("particles.AugmentationExplorer", {"index": I(0, ("beyond X", 99)), "azimuth": F(30.0), "elevation": F(40.0),
                                            "angle": F(90.0), "permutation_seed": SEED,
                                            "X": Arg(X, [("text", "abc"), ("number", 3), ("two columns", torch.zeros(2, 20, 2))])})
explorer("particles.PermutationExplorer", {"index": I(0, ("beyond X", 99)), "seed": SEED, "rotate": Arg(False, [("text", "no")]),
                                           "X": Arg(X, [("text", "abc"), ("number", 3)])})
explorer("particles.EmbeddingExplorer", {"index": I(0, ("beyond X", 99)), "seed": SEED, "n_particles": I(20, ("zero", 0)),
                                         "X": Arg(X, [("text", "abc"), ("number", 3)])})

# --- pca --------------------------------------------------------------------------------------

ENTRIES = ("2.5", "5", "0.5", "10", "1", "5")
spec("widgets.pca.symmetric_from_upper", {"entries": Fixed((2.5, 5.0, 0.5, 10.0, 1.0, 5.0))}, edges=False,
     check=lambda r, entries: np.allclose(r, r.T) or _fail(r))
spec("widgets.pca.parse_entries", {"texts": Fixed(ENTRIES)},
     edges=False, check=lambda r, texts: len(r) == 6 or _fail(r))
spec("widgets.pca.entry_texts", {"C": Fixed(np.eye(3))}, edges=False,
     check=lambda r, C: len(r) == 6 or _fail(r))
spec("widgets.pca.covariance_view", {"entries": field(ENTRIES, ("word", ("x",) * 6), ("None", None)),
                                     "tolerance": Arg(None, [("unknown", "tiny"), ("number", 3)])},
     edges=False, check=lambda r, **kw: is_view(r) is None or _fail(r))
spec("widgets.pca.view_noise", {"view": Fixed(None)},
     call=lambda f, view: f(__import__("dlexam.widgets.pca").widgets.pca.covariance_view(ENTRIES)),
     check=lambda r, **kw: isinstance(r, dict) or _fail(r))
spec("widgets.pca.frontend_config", {}, check=lambda r: isinstance(r, dict) or _fail(r))
spec("widgets.pca.view_vectors", {"count": Fixed(3), "seed": Fixed(0)}, edges=False, check=lambda r, **kw: len(r) > 3 or _fail(r))
explorer("pca.CovarianceExplorer", {"C": Arg(None, [("text", "abc"), ("2x2", np.eye(2)), ("number", 3)]),
                                    "tolerance": Arg(None, [("unknown", "tiny"), ("number", 3)])})

# --- regression, reversible, training ---------------------------------------------------------

explorer("regression.SplitExplorer", {"data": C("cars: CO2 vs weight"), "split": C("sorted"),
                                      "train_fraction": F(0.8, ("one", 1.0)), "model": C("linear regression"),
                                      "noise": F(0.0, ("negative", -1.0)), "seed": I(0, ("five", 5))})
explorer("reversible.ResidualInverseExplorer", {"c": F(-2.0, ("ten", 10.0)), "y": F(0.5, ("ten", 10.0)),
                                                "max_iterations": I(20, ("zero", 0))})
explorer("reversible.ReversibleStackExplorer", {"depth": I(2, ("zero", 0)), "dtype": C("float32"), "mode": C("reversible"),
                                                "config": Arg(__import__("dlexam.reversible").reversible.StackConfig(
                                                    d=4, batch=2, hidden=3, max_depth=4), BAD_OBJECT[1:])})
explorer("training.TrainingExplorer", {"model": C("mlp"), "augmentation": C("none"), "epochs": I(2, ("zero", 0)),
                                       "lr": F(1e-3, ("zero", 0.0)), "batch_size": I(32, ("zero", 0)), "seed": SEED,
                                       "frame": C("canonical"), "redraw_seconds": F(0.5, ("negative", -1.0))})

