"""dlexam.pca: eigendecomposition, rank and null space against NumPy's linear algebra."""

import numpy as np
from hypothesis import strategies as st

from dlexam.pca import EXAM_COVARIANCE

from . import Answer, Arg, Arr, NpGen, Size, Tol, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


@st.composite
def covariances(draw, max_d=5):
    d = draw(st.integers(1, max_d))
    r = draw(st.integers(0, d))
    A = np.array(draw(st.lists(st.integers(-4, 4), min_size=d * r, max_size=d * r)), float).reshape(d, r)
    return A @ A.T


@st.composite
def matrices(draw):
    m, n = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return np.array(draw(st.lists(st.integers(-5, 5), min_size=m * n, max_size=m * n)), float).reshape(m, n)


def symmetric(valid=EXAM_COVARIANCE):
    return Arr(np.array(valid)).with_bad(("not symmetric", np.array([[1.0, 2.0], [3.0, 4.0]])),
                                         ("not square", np.ones((2, 3))), ("too large", np.zeros((2100, 2100))))


def check_pca(result, C):
    values, vectors = result
    assert np.all(np.diff(values) <= 1e-9)
    np.testing.assert_allclose(values, np.sort(np.linalg.eigvalsh(C))[::-1], atol=1e-8)
    np.testing.assert_allclose(C @ vectors, vectors * values, atol=1e-8)
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(len(C)), atol=1e-10)


TOL = Tol(1e-6).optional()

spec("pca.pca", {"C": symmetric()}, given=st.fixed_dictionaries({"C": covariances()}), check=check_pca)
record("pca.PCAResult")
spec("pca.rank", {"C": Arr(EXAM_COVARIANCE), "tol": TOL},
     given=st.fixed_dictionaries({"C": st.one_of(matrices(), covariances())}),
     check=lambda r, C, tol: r == np.linalg.matrix_rank(C) or _fail(r))
spec("pca.is_positive_semidefinite", {"C": symmetric(), "tol": TOL},
     given=st.fixed_dictionaries({"C": st.one_of(covariances(), covariances().map(lambda C: -C))}),
     check=lambda r, C, tol: r == bool(np.linalg.eigvalsh(C).min() >= -1e-9 * max(1.0, np.abs(C).max()))
     or _fail(r))


def check_ratio(result, C):
    values = np.sort(np.linalg.eigvalsh(C))[::-1]
    np.testing.assert_allclose(result, values / values.sum(), atol=1e-9)


spec("pca.explained_variance_ratio", {"C": symmetric().with_bad(("zero", np.zeros((2, 2))),
                                                                ("negative", np.diag([1.0, -2.0])))},
     given=st.fixed_dictionaries({"C": covariances()}).filter(lambda kw: kw["C"].any()), check=check_ratio)


def check_samples(result, C, n, generator):
    assert result.shape == (n, len(C))
    null = np.linalg.svd(C)[2][np.linalg.matrix_rank(C):]
    assert np.abs(result @ null.T).max(initial=0.0) < 1e-8 * max(1.0, np.abs(C).max())


spec("pca.sample_with_covariance",
     {"C": symmetric(), "n": Size(5).named("n"), "generator": NpGen()},
     given=st.fixed_dictionaries({"C": covariances(), "n": st.integers(1, 50)}), check=check_samples)
spec("pca.rank_tolerance", {"C": Arr(EXAM_COVARIANCE)}, given=st.fixed_dictionaries({"C": matrices()}),
     check=lambda r, C: np.isclose(r, np.linalg.svd(C, compute_uv=False).max() * max(C.shape)
                                   * np.finfo(float).eps, rtol=1e-12, atol=0) or _fail(r))


def check_null(result, C, tol):
    assert result.shape == (C.shape[1], C.shape[1] - np.linalg.matrix_rank(C))
    np.testing.assert_allclose(C @ result, 0, atol=1e-8 * max(1.0, np.abs(C).max()))
    np.testing.assert_allclose(result.T @ result, np.eye(result.shape[1]), atol=1e-10)


spec("pca.null_space", {"C": Arr(EXAM_COVARIANCE), "tol": TOL},
     given=st.fixed_dictionaries({"C": st.one_of(matrices(), covariances())}), check=check_null)


def is_covariance(C, rank):
    C = np.asarray(C, float)
    ok = C.ndim == 2 and C.shape[0] == C.shape[1] and np.allclose(C, C.T) \
        and np.linalg.eigvalsh(C).min() >= -1e-9 * max(1.0, np.abs(C).max())
    return ok and (rank is None or np.linalg.matrix_rank(C) == rank)


spec("pca.check_covariance",
     {"C": symmetric().as_answer(),
      "rank": Arg(None, [("text", "2"), ("float", 1.5), ("bool", True), ("negative", -1), ("nan", float("nan"))],
                  [("right", 2), ("wrong", 1), ("huge", 10**12)])},
     given=st.fixed_dictionaries({"C": st.one_of(covariances(), matrices()),
                                  "rank": st.one_of(st.none(), st.integers(0, 5))}),
     check=lambda r, C, rank: bool(r) == is_covariance(C, rank) or _fail(r))
spec("pca.check_rank", {"C": Arr(EXAM_COVARIANCE), "answer": Answer(2), "tol": TOL},
     given=st.fixed_dictionaries({"C": st.one_of(covariances(), matrices()), "answer": st.integers(0, 5)}),
     check=lambda r, C, answer, tol: bool(r) == (answer == np.linalg.matrix_rank(C)) or _fail(r))
