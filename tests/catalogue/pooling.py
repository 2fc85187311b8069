"""dlexam.pooling: max- and average-pooling against torch, the folded kernel against its definition."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dlexam.conv import conv2d
from dlexam.pooling import avg_pool2d

from . import Arg, Arr, Choice, Size, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


@st.composite
def pool_case(draw):
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    size = draw(st.integers(1, min(h, w)))
    x = np.array(draw(st.lists(st.floats(-10, 10, allow_nan=False), min_size=h * w, max_size=h * w))).reshape(h, w)
    return {"x": x, "size": size, "stride": draw(st.integers(1, 3))}


def torch_pool(kind, x, size, stride):
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    return fn(torch.tensor(x, dtype=torch.float64)[None, None], size, stride)[0, 0].numpy()


X = np.arange(16.0).reshape(4, 4)
ARGS = {"x": Arr(X), "size": Size(2), "stride": Size(2)}

spec("pooling.max_pool2d", ARGS, given=pool_case(),
     check=lambda r, **kw: np.allclose(r, torch_pool("max", **kw)) or _fail(r))
spec("pooling.avg_pool2d", ARGS, given=pool_case(),
     check=lambda r, **kw: np.allclose(r, torch_pool("avg", **kw)) or _fail(r))
spec("pooling.pool2d", {**ARGS, "pool": Choice("max")},
     given=st.tuples(pool_case(), st.sampled_from(["max", "avg"])).map(lambda t: {**t[0], "pool": t[1]}),
     check=lambda r, pool, **kw: np.allclose(r, torch_pool(pool, **kw)) or _fail(r))
spec("pooling.pool_output_shape",
     {"shape": Arg((28, 28), [("None", None), ("text", "28x28"), ("zero side", (0, 28)), ("float side", (2.5, 3)),
                              ("huge side", (10**12, 3)), ("nan side", (float("nan"), 3)), ("triple", (1, 2, 3))]),
      "size": Size(2), "stride": Size(2)},
     given=pool_case().map(lambda c: {"shape": c["x"].shape, "size": c["size"], "stride": c["stride"]}),
     check=lambda r, shape, size, stride: r == torch_pool("max", np.zeros(shape), size, stride).shape or _fail(r))
spec("pooling.box_kernel", {"size": Size(2)}, given=st.fixed_dictionaries({"size": st.integers(1, 20)}),
     check=lambda r, size: (r.shape == (size, size) and np.isclose(r.sum(), 1.0)
                            and np.allclose(r, r[0, 0])) or _fail(r))


@st.composite
def fold_case(draw):
    size, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = np.array(draw(st.lists(st.integers(-3, 3), min_size=kh * kw, max_size=kh * kw)), float).reshape(kh, kw)
    return {"kernel": kernel, "size": size, "stride": stride}


def check_fold(result, kernel, size, stride):
    x = np.random.default_rng(0).normal(size=(10, 11))
    np.testing.assert_allclose(conv2d(x, result, stride=stride), avg_pool2d(conv2d(x, kernel), size, stride),
                               atol=1e-10)


spec("pooling.fold_avg_pool", {"kernel": Arr(np.ones((3, 3))), "size": Size(2)}, given=fold_case(),
     call=lambda f, kernel, size, stride=1: f(kernel, size), check=check_fold)
