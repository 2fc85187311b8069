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
