"""dlexam.widgets.pooling and dlexam.widgets.replay: the browser-computed explorers' helpers and constructors."""

import numpy as np

from dlexam import training

from . import Arg, Fixed, spec
from .widgets import BAD_OBJECT, C, SEED, _fail, explorer, field, is_view

# --- pooling (II(A)'s layer-order explorer) -----------------------------------------------------

from dlexam import layer_order as lo  # noqa: E402
from dlexam.widgets import pooling as pooling_widget, replay as replay_widget  # noqa: E402

BOX = np.ones((3, 3)) / 9
BOX_TEXTS = pooling_widget.kernel_texts(BOX)
COMPARISON = lo.compare_options(lo.example_image("random pixels", (8, 8)), BOX, 0.1)[2]
spec("widgets.pooling.verdict_text", {"comparison": Fixed(COMPARISON)}, check=lambda r, **kw: isinstance(r, str) or _fail(r))
spec("widgets.pooling.figure_verdict", {"comparison": Fixed(COMPARISON)},
     check=lambda r, **kw: isinstance(r, str) or _fail(r))
spec("widgets.pooling.kernel_texts", {"kernel": Fixed(BOX)}, check=lambda r, **kw: len(r) == 9 or _fail(r))
spec("widgets.pooling.parse_kernel", {"texts": Fixed(BOX_TEXTS)},
     check=lambda r, **kw: np.allclose(r, BOX, atol=1e-3) or _fail(r))
spec("widgets.pooling.image_of", {"image": Fixed("random pixels"), "seed": Fixed(0), "found": Fixed(None)},
     check=lambda r, **kw: np.asarray(r).ndim == 2 or _fail(r))
spec("widgets.pooling.guarantee_text", {"lowest": Fixed(0.1), "pool": Fixed("max")},
     check=lambda r, **kw: isinstance(r, str) or _fail(r))
spec("widgets.pooling.layer_order_view",
     {"kernel": field(BOX_TEXTS, ("too few", ["1"] * 3), ("words", ["x"] * 9)),
      "bias": field(0.1, ("nan", float("nan")), ("inf", float("inf")), ("text", "0.1")),
      "image": field("random pixels", ("unknown", "noise")), "seed": Fixed(0),
      "pool": field("max", ("unknown", "min")), "found": Fixed(None), "report": Fixed("")},
     edges=False, check=lambda r, **kw: (is_view(r) is None and r["kind"] != "error") or _fail(r))
spec("widgets.pooling.view_noise", {"view": Fixed(None)},
     call=lambda f, view: f(pooling_widget.layer_order_view(BOX_TEXTS, 0.1)),
     check=lambda r, **kw: isinstance(r, dict) or _fail(r))
spec("widgets.pooling.search_result", {"kernel": Fixed(BOX_TEXTS), "bias": Fixed(0.2), "pool": Fixed("max"),
                                       "press": Fixed(1)},
     check=lambda r, **kw: isinstance(r, tuple) and len(r) == 2 or _fail(r))
spec("widgets.pooling.preset_of", {"kernel": Fixed(BOX_TEXTS), "bias": Fixed(0.1)},
     check=lambda r, **kw: isinstance(r, str) or _fail(r))
spec("widgets.pooling.frontend_config", {}, check=lambda r: isinstance(r, dict) or _fail(r))
spec("widgets.pooling.view_vectors", {"count": Fixed(2), "seed": Fixed(0)}, check=lambda r, **kw: len(r) > 2 or _fail(r))
explorer("pooling.LayerOrderExplorer", {"preset": C("positive kernel, bias < 0"), "image": C("random pixels"),
                                        "seed": SEED, "pool": C("max")})

# --- replay (III(E)'s curves, replayed without a kernel) ------------------------------------------


def _fake(model, augmentation):
    config = training.TrainConfig(model=model, rotate=augmentation in ("rotations", "both"),
                                  permute=augmentation in ("permutations", "both"), epochs=3)
    return training.History(config, train_loss=[1.0, 0.5, 0.3], val_loss=[1.1, 0.7, 0.6], status="completed")


RUNS = [_fake("mlp", "none"), _fake("deepsets", "both")]
DATA = replay_widget.replay_data(RUNS)
spec("widgets.replay.rounded", {"values": Fixed([1.234567, 2.0]), "digits": Fixed(4)},
     check=lambda r, **kw: r == [1.235, 2.0] or _fail(r))
spec("widgets.replay.lr_text", {"lr": Fixed(0.001)}, check=lambda r, lr: r == "0.001" or _fail(r))
spec("widgets.replay.run_choices", {"history": Fixed(RUNS[0])}, check=lambda r, **kw: r["model"] == "mlp" or _fail(r))
spec("widgets.replay.replay_data", {"histories": Fixed(RUNS), "digits": Fixed(4)},
     check=lambda r, **kw: len(r["runs"]) == 2 or _fail(r))
spec("widgets.replay.replay_view", {"data": Fixed(DATA), "run": Fixed(0), "epoch": Fixed(1)},
     check=lambda r, **kw: is_view(r) is None or _fail(r))
spec("widgets.replay.carried_epoch", {"data": Fixed(DATA), "run": Fixed(0), "epoch": Fixed(2), "target": Fixed(1)},
     check=lambda r, **kw: r == 2 or _fail(r))
spec("widgets.replay.replay_move", {"data": Fixed(DATA), "run": Fixed(0), "epoch": Fixed(1), "control": Fixed("model"),
                                    "value": Fixed(replay_widget.run_choices(RUNS[1])["model"])},
     check=lambda r, **kw: r == (1, 1) or _fail(r))
explorer("replay.TrainingReplay", {"histories": Arg(RUNS, BAD_OBJECT + [("empty", [])])})

# --- augmentation (III(B)'s rotations and permutations of one configuration) ----------------------

import torch  # noqa: E402

from dlexam.widgets import particles as particles_widget  # noqa: E402

AUG_X = torch.randn(4, 20, 3, generator=torch.Generator().manual_seed(0))
BAD_X = [("text", "abc"), ("number", 3), ("two columns", torch.zeros(2, 20, 2)), ("one particle", torch.zeros(2, 1, 3)),
         ("complex", torch.zeros(2, 20, 3, dtype=torch.complex64)), ("too many", torch.zeros(20_000, 20, 3))]
AUG_STATE = {"index": field(0, ("beyond X", 4), ("negative", -1), ("float", 1.5), ("None", None)),
             "azimuth": field(30.0, ("beyond 180", 185.0), ("nan", float("nan")), ("text", "30"), ("None", None)),
             "elevation": field(40.0, ("beyond 90", 95.0), ("inf", float("inf"))),
             "angle": field(90.0, ("beyond 180", -185.0), ("bool", True)),
             "permutation_seed": field(0, ("beyond 99", 100), ("float", 2.0)),
             "draws": field(0, ("negative", -1), ("float", 1.5)),
             "X": Arg(AUG_X, BAD_X)}
spec("widgets.particles.augmentation_data", {"X": Arg(AUG_X, BAD_X)},
     check=lambda r, X: torch.equal(r, X) or _fail(r))
spec("widgets.particles.augmentation_view", AUG_STATE, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and r["shown"]["verdict"] == "P unchanged") or _fail(r))
spec("widgets.particles.augmentation_noise", {"view": Fixed(None)},
     call=lambda f, view: f(particles_widget.augmentation_view(0, 30.0, 40.0, 90.0, 3, X=AUG_X)),
     check=lambda r, **kw: set(r) == {"change", "relative", "orthogonality"} or _fail(r))
spec("widgets.particles.augmentation_config", {"X": Arg(AUG_X, BAD_X)},
     check=lambda r, **kw: len(r["permutations"]) == 99 or _fail(r))
spec("widgets.particles.augmentation_vectors", {"count": Fixed(2), "seed": Fixed(0)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.particles.random_rotation_draw", {"seed": Arg(1, [("None", None), ("text", "1"), ("float", 1.5), ("negative", -1)])},
     check=lambda r, seed: all(v % 5 == 0 for v in r) or _fail(r))
spec("widgets.particles.rotation_draws", {}, check=lambda r: len(r) == particles_widget.ROTATION_DRAWS or _fail(r))
spec("widgets.particles.draw_seed", {"draws": Arg(101, [("None", None), ("text", "1"), ("float", 1.5), ("negative", -1)])},
     check=lambda r, draws: r == 1 or _fail(r))
spec("widgets.particles.AugmentationWidget", record=True, note="the front-end an explorer builds; its traits are typed by traitlets")

# --- permutation (III(C)'s permuted and rotated copies, and the outputs on them) ------------------

PERM_X = torch.randn(4, 20, 3, generator=torch.Generator().manual_seed(1))
BAD_PERM_X = [("text", "abc"), ("number", 3), ("two columns", torch.zeros(2, 20, 2)), ("seven particles", torch.zeros(2, 7, 3)),
              ("complex", torch.zeros(2, 20, 3, dtype=torch.complex64)), ("too many", torch.zeros(1001, 20, 3)),
              ("nan", torch.full((2, 20, 3), float("nan")))]
spec("widgets.particles.permutation_data", {"X": Arg(PERM_X, BAD_PERM_X)}, check=lambda r, X: torch.equal(r, X) or _fail(r))
spec("widgets.particles.permutation_outputs", {"X": Arg(PERM_X, BAD_PERM_X[:4])},
     check=lambda r, X: (set(r) == {"P", "MLP", "DeepSets"} and all(v.shape == (4, 61) for v in r.values())) or _fail(r))
spec("widgets.particles.permutation_config", {"X": Arg(PERM_X, BAD_PERM_X[:4])},
     check=lambda r, X: (r["copies"] == 30 and len(r["permutations"]) == len(r["rotations"]) == 30) or _fail(r))
spec("widgets.particles.another_permutation_seed",
     {"seed": Arg(30, [("None", None), ("text", "1"), ("float", 1.5), ("bool", True), ("negative", -1), ("beyond 30", 31)])},
     check=lambda r, seed: r == 1 or _fail(r))
spec("widgets.particles.permutation_view",
     {"index": field(0, ("beyond X", 4), ("negative", -1), ("float", 1.5), ("None", None), ("bool", True)),
      "seed": field(1, ("beyond 30", 31), ("negative", -1), ("float", 2.0), ("None", None)),
      "rotate": field(False, ("text", "yes"), ("number", 1), ("None", None)),
      "X": Arg(PERM_X, BAD_PERM_X[:4])}, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and "P" in r["unchanged"]) or _fail(r))
spec("widgets.particles.permutation_vectors", {"count": Fixed(2), "seed": Fixed(0)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.particles.PermutationWidget", record=True, note="the front-end an explorer builds; its traits are typed by traitlets")

# --- shape trace (III(A)'s batch traced through the MLP or DeepSets) ------------------------------

spec("widgets.particles.shape_trace_templates", {},
     check=lambda r: len(r) == 2 * 2 * particles_widget.MAX_PARTICLES or _fail(r))
spec("widgets.particles.shape_trace_config", {},
     check=lambda r: (len(r["errors"]) == 2 and len(r["traces"]["MLP"]["(B, m, 3)"]) == 200) or _fail(r))
spec("widgets.particles.shape_trace_view",
     {"network": field("MLP", ("unknown", "CNN"), ("None", None), ("number", 3), ("list", ["MLP"])),
      "layout": field("(B, m, 3)", ("unknown", "(B, 60)"), ("None", None), ("list", [1])),
      "B": field(32, ("zero", 0), ("beyond 1024", 1025), ("float", 2.5), ("bool", True), ("text", "32"), ("None", None)),
      "m": field(20, ("zero", 0), ("beyond 200", 201), ("float", 1.5), ("text", "20"))}, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and r["parameters"] == 34_689) or _fail(r))
spec("widgets.particles.shape_trace_vectors", {"count": Fixed(2), "seed": Fixed(0)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.particles.ShapeTraceWidget", record=True, note="the front-end an explorer builds; its traits are typed by traitlets")

# --- embedding (III(D)'s φ embeddings, run in the page) -----------------------------------------

EMB_X = torch.randn(4, 20, 3, generator=torch.Generator().manual_seed(2))
BAD_EMB_X = [("text", "abc"), ("number", 3), ("two columns", torch.zeros(2, 20, 2)),
             ("complex", torch.zeros(2, 20, 3, dtype=torch.complex64)), ("too many", torch.zeros(20_000, 20, 3)),
             ("nan", torch.full((2, 20, 3), float("nan")))]
spec("widgets.particles.embedding_data", {"X": Arg(EMB_X, BAD_EMB_X)}, check=lambda r, X: torch.equal(r, X) or _fail(r))
spec("widgets.particles.embedding_config", {"X": Arg(EMB_X, BAD_EMB_X[:5])},
     check=lambda r, X: (len(r["ranks"]) == 99 and len(r["layers"]) == 7) or _fail(r))
spec("widgets.particles.permutation_ranks", {"m": Fixed(20)}, check=lambda r, m: tuple(r.shape) == (99, 20) or _fail(r))
spec("widgets.particles.rdbu_r_colours", {"n": Fixed(256)}, check=lambda r, n: len(r) == 256 or _fail(r))
spec("widgets.particles.embedding_view",
     {"index": field(0, ("beyond X", 4), ("negative", -1), ("float", 1.5), ("None", None), ("bool", True)),
      "seed": field(4, ("beyond 99", 100), ("negative", -1), ("float", 2.0), ("None", None)),
      "n_particles": field(20, ("zero", 0), ("beyond X", 21), ("float", 2.0), ("None", None)),
      "X": Arg(EMB_X, BAD_EMB_X[:5])}, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and r["shown"]["verdict"] == "float32 round-off")
     or _fail(r))
spec("widgets.particles.embedding_noise", {"view": Fixed(None)},
     call=lambda f, view: f(particles_widget.embedding_view(0, 4, 20, X=EMB_X)),
     check=lambda r, **kw: ("output" in r and "sum-0" in r) or _fail(r))
spec("widgets.particles.embedding_vectors", {"count": Fixed(2), "seed": Fixed(0)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.particles.EmbeddingWidget", record=True, note="the front-end an explorer builds; its traits are typed by traitlets")

# --- bias_variance (III(F)'s K models, configuration by configuration, computed in the page) --------

from dlexam import bias_variance  # noqa: E402
from dlexam.widgets import bias_variance as bias_variance_widget  # noqa: E402

BV_RESULTS = [bias_variance.BiasVariance(bias_variance.Regime(m, "none"), f, 1.0, 0.6, 0.4, 0.1,
                                         torch.randn(3, 500, generator=torch.Generator().manual_seed(i)))
              for i, m in enumerate(("mlp", "deepsets")) for f in ("random", "canonical")]
BV_CONFIG = bias_variance_widget.bias_variance_config(BV_RESULTS)
BV_LABEL = BV_CONFIG["regimes"][0][0]
spec("widgets.bias_variance.bias_variance_config",
     {"results": Arg(BV_RESULTS, BAD_OBJECT + [("empty", []), ("twice", BV_RESULTS + BV_RESULTS[:1])]),
      "y": Arg(None, [("text", "abc"), ("short", torch.zeros(3))])},
     check=lambda r, **kw: (len(r["results"]) == 4 and r["k"] == 3) or _fail(r))
spec("widgets.bias_variance.config_predictions", {"config": Fixed(BV_CONFIG), "index": Fixed(1)},
     check=lambda r, **kw: torch.equal(r, BV_RESULTS[1].predictions) or _fail(r))
spec("widgets.bias_variance.config_y", {"config": Fixed(BV_CONFIG)},
     check=lambda r, **kw: torch.equal(r, training.validation_set()[1]) or _fail(r))
spec("widgets.bias_variance.bias_variance_view",
     {"config": Fixed(BV_CONFIG), "regime": field(BV_LABEL, ("unknown", "no such regime"), ("None", None)),
      "val_frame": field("random", ("unknown", "sideways"), ("None", None)),
      "models_used": field(3, ("one", 1), ("beyond K", 4), ("float", 2.5), ("bool", True)),
      "n": field(30, ("zero", 0), ("not a step", 7), ("beyond", 105), ("None", None)),
      "how": field("spread over P", ("unknown", "smallest bias"), ("None", None))}, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and r["shown"]["count"] == kw["n"]) or _fail(r))
spec("widgets.bias_variance.bias_variance_noise", {"view": Fixed(None)},
     call=lambda f, view: f(bias_variance_widget.bias_variance_view(BV_CONFIG, BV_LABEL)),
     check=lambda r, **kw: ("all-mse" in r and "chosen" not in r) or _fail(r))
spec("widgets.bias_variance.bias_variance_vectors", {"config": Fixed(BV_CONFIG), "count": Fixed(2), "seed": Fixed(0)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.bias_variance.BiasVarianceWidget", record=True,
     note="the front-end an explorer builds; its traits are typed by traitlets")

# --- reversible (IV(C)'s preimages and fixed-point iteration, computed in the page) ----------------

from dlexam.widgets import reversible as reversible_widget  # noqa: E402

spec("widgets.reversible.residual_inverse_view",
     {"c": field(-2.0, ("beyond", 4.0), ("nan", float("nan")), ("text", "1"), ("None", None)),
      "y": field(0.5, ("beyond", -3.5), ("text", "1")),
      "max_iterations": field(60, ("zero", 0), ("float", 2.5), ("bool", True))}, edges=False,
     check=lambda r, **kw: (is_view(r) is None and r["kind"] == "" and r["shown"]["max-iterations"] == kw["max_iterations"])
     or _fail(r))
spec("widgets.reversible.residual_inverse_noise", {"view": Fixed(None)},
     call=lambda f, view: f(reversible_widget.residual_inverse_view(-2.0, 0.5)),
     check=lambda r, **kw: (r["preimage-0"] == 1e-9 and "c" not in r) or _fail(r))
spec("widgets.reversible.residual_inverse_vectors", {"count": Fixed(2), "seed": Fixed(0), "max_iterations": Fixed(60)},
     check=lambda r, **kw: len(r) > 2 or _fail(r))
spec("widgets.reversible.residual_inverse_config", {}, check=lambda r: r["range"] == [-3.0, 3.0, 0.1] or _fail(r))
spec("widgets.reversible.ResidualInverseWidget", record=True,
     note="the front-end an explorer builds; its traits are typed by traitlets")
