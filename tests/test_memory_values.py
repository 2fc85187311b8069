"""dlexam.memory: what saved_by_node lists on small graphs whose nodes and saved tensors are known by hand."""

import math

import numpy as np
import pytest
import torch

from dlexam import memory


def _rows(output):
    return [(r.node, r.attribute, r.shape) for r in memory.saved_by_node(output)]


def test_a_constant_operand_does_not_end_the_walk():
    """(c * u) + tanh(v) with c constant: the multiplication's missing input branch is skipped, tanh still listed."""
    u, v = torch.ones(3, requires_grad=True), torch.ones(2, requires_grad=True)
    c = torch.full((3,), 2.0)
    out = (c * u).sum() + torch.tanh(v).sum()
    assert _rows(out) == [("MulBackward0", "self", (3,)), ("TanhBackward0", "result", (2,))]


def test_a_node_reached_twice_is_listed_once_and_the_walk_goes_on():
    """(t * t) + exp(v) with t = tanh(u): tanh feeds the product twice but is listed once, and exp is reached."""
    u, v = torch.ones(3, requires_grad=True), torch.ones(2, requires_grad=True)
    t = torch.tanh(u)
    out = (t * t).sum() + torch.exp(v).sum()
    assert _rows(out) == [("MulBackward0", "other", (3,)), ("MulBackward0", "self", (3,)),
                          ("TanhBackward0", "result", (3,)), ("ExpBackward0", "result", (2,))]


def test_a_saved_tensor_that_cannot_be_read_skips_only_itself():
    """a * b, then b changed in place: the saved 'other' (b) cannot be read, the saved 'self' (a) is still listed."""
    a = torch.ones(3, requires_grad=True).clone()
    b = torch.ones(4, 1, requires_grad=True).clone()
    out = a * b
    with torch.no_grad():
        b.add_(1.0)
    assert _rows(out) == [("MulBackward0", "self", (3,))]


def test_tensors_saved_as_a_tuple_are_each_listed():
    """Indexing with a tensor saves the indices as a tuple of one (2,) tensor of int64."""
    u = torch.ones(5, requires_grad=True)
    rows = memory.saved_by_node(u[torch.tensor([0, 3])])
    assert [(r.node, r.attribute, r.shape, r.bytes) for r in rows] == [("IndexBackward0", "indices", (2,), 16)]


def test_saved_by_node_names_the_type_it_got():
    """An output that is not a tensor raises naming its type."""
    with pytest.raises(TypeError) as info:
        memory.saved_by_node([1, 2])
    assert str(info.value) == "output must be a tensor, not list"


# --- Power laws -------------------------------------------------------------------------------------------


def test_power_law_computes_in_float64():
    """A float32 input is evaluated in float64: sqrt(2) to double precision."""
    value = memory.PowerLaw(0.5, 1.0, 0.0)(np.array([2.0], dtype=np.float32))
    assert value.dtype == np.float64
    assert value[0] == math.sqrt(2.0)


@pytest.mark.parametrize("x, y", [([0, 1, 2], [1, 2, 3]), ([1, 2, 3], [1, 0, 3])])
def test_fit_power_law_refuses_zero(x, y):
    """A zero in x or in y (no logarithm): exact message."""
    with pytest.raises(ValueError) as info:
        memory.fit_power_law(x, y)
    assert str(info.value) == "x and y must be positive: a power law is fitted on their logarithms"


def test_saved_bytes_passes_keyword_arguments_on_to_fn():
    """fn(x, bias=1.0) = exp(x + bias) on 4 float32 numbers: only exp's result is saved, 16 bytes."""
    def fn(x, *, bias):
        return torch.exp(x + bias)

    assert memory.saved_bytes(fn, torch.zeros(4, requires_grad=True), bias=1.0) == 16


# --- fit_linear: the checks of y and of the table ---------------------------------------------------------


def test_fit_linear_with_no_measurements_says_how_many_are_needed():
    """An empty y is a sequence: zero rows for one column raise the rows-versus-columns message."""
    with pytest.raises(ValueError) as info:
        memory.fit_linear(np.zeros((0, 1)), [], ["a"])
    assert str(info.value) == ("0 measurements cannot determine 1 coefficients "
                               "(features needs at least as many rows as columns)")


def test_fit_linear_fewer_rows_than_columns_exact_message():
    """One measurement cannot determine two coefficients: exact message."""
    with pytest.raises(ValueError) as info:
        memory.fit_linear([[1.0, 2.0]], [1.0], ["a", "b"])
    assert str(info.value) == ("1 measurements cannot determine 2 coefficients "
                               "(features needs at least as many rows as columns)")


@pytest.mark.parametrize("y, message", [
    # a read-only view of 50,000,001 zeros: over the element limit without allocating it
    (np.broadcast_to(0.0, (50_000_001,)),
     "y must be a sequence of numbers: y holds 50,000,001 numbers, more than the limit of 50,000,000"),
    ([[1.0], [2.0, 3.0]], "y must be a sequence of numbers: y must be an array of numbers with rows of equal length ("),
])
def test_fit_linear_refuses_y_that_is_not_a_sequence_of_numbers(y, message):
    """Too many numbers, or ragged rows: a TypeError that names y and says why."""
    with pytest.raises(TypeError) as info:
        memory.fit_linear([[1.0]], y, ["a"])
    assert str(info.value).startswith(message)


# --- Linear fits ------------------------------------------------------------------------------------------


def test_linear_fit_predict_computes_in_float64():
    """Integer features and coefficients give float64 predictions: 1*2 + 2*3 = 8 and 4*2 + 5*3 = 23."""
    values = memory.LinearFit(("a", "b"), (2, 3), 0.0).predict([[1, 2], [4, 5]])
    assert values.dtype == np.float64
    assert values.tolist() == [8.0, 23.0]


# --- fit_linear: y and features that are not what they must be -------------------------------------------


@pytest.mark.parametrize("y, error, message", [
    (5.0, ValueError, "y must be one-dimensional, got a single number"),
    (np.float64(5.0), ValueError, "y must be one-dimensional, got a single number"),
    ("abc", TypeError, "y must be an array of numbers, got 'abc' (str)"),
    ([1.0, float("nan")], ValueError, "y must hold finite numbers only"),
    ([1.0, float("inf")], ValueError, "y must hold finite numbers only"),
])
def test_fit_linear_refuses_a_y_that_is_not_a_vector_of_finite_numbers(y, error, message):
    """A single number, a str, NaN or infinity in y: each exact error type and message."""
    with pytest.raises(error) as info:
        memory.fit_linear([[1.0], [2.0]], y, ["a"])
    assert str(info.value) == message


@pytest.mark.parametrize("features", [[[1.0], [float("nan")]], [[float("-inf")], [2.0]]])
def test_fit_linear_refuses_features_that_are_not_finite_with_a_value_error(features):
    """NaN or infinity in a well-shaped table of features: ValueError with the exact message."""
    with pytest.raises(ValueError) as info:
        memory.fit_linear(features, [1.0, 2.0], ["a"])
    assert str(info.value) == "features must hold finite numbers only"


@pytest.mark.parametrize("names, kind", [(5, "int"), ("ab", "str"), (None, "NoneType")])
def test_fit_linear_names_that_are_not_a_sequence_name_their_type(names, kind):
    """names given as a number, a str or None: a TypeError that names the type given."""
    with pytest.raises(TypeError) as info:
        memory.fit_linear([[1.0], [2.0]], [1.0, 2.0], names)
    assert str(info.value) == f"names must be a sequence of feature names, got {kind}"


def test_fit_linear_column_of_zeros_exact_message():
    """A feature column of zeros cannot be fitted: exact message."""
    with pytest.raises(ValueError) as info:
        memory.fit_linear([[1.0, 0.0], [2.0, 0.0]], [1.0, 2.0], ["a", "b"])
    assert str(info.value) == "a column of features is all zeros: its coefficient cannot be fitted"


@pytest.mark.parametrize("y, coefficient, error", [
    ([1.0, 3.0], 2.0, 1.0),  # predictions 2, 2: |2/1 - 1| = 1 and |2/3 - 1| = 1/3
    ([0.0, 2.0], 1.0, 0.5),  # predictions 1, 1: the zero measurement is skipped, |1/2 - 1| = 1/2
    ([0.0, 0.0], 0.0, 0.0),  # every measurement zero: no relative error to take, 0
])
def test_fit_linear_max_relative_error_by_hand(y, coefficient, error):
    """One constant feature: the coefficient is the mean of y and the error the largest |fit / y - 1| over y != 0."""
    fit = memory.fit_linear([[1.0], [1.0]], y, ["c"])
    assert fit.coefficients == pytest.approx((coefficient,), abs=1e-12)
    assert fit.max_relative_error == pytest.approx(error, abs=1e-12)


# --- saved_tensors: what each pack records, and the storages it counts ---------------------------------


def test_saved_tensor_records_shape_dtype_bytes_and_a_storage_id():
    """exp then tanh: each keeps its (2, 3) float32 result, 24 bytes, in a storage of its own; x * x shares one."""
    x = torch.zeros(2, 3, requires_grad=True)
    saved = memory.saved_tensors(lambda: x.exp().tanh()).saved
    assert [(s.shape, s.dtype, s.storage_bytes, s.excluded) for s in saved] == [
        ((2, 3), torch.float32, 24, False), ((2, 3), torch.float32, 24, False)]
    assert all(type(s.storage) is int for s in saved)
    assert saved[0].storage != saved[1].storage
    same = memory.saved_tensors(lambda: x * x).saved
    assert same[0].storage == same[1].storage


def test_an_empty_saved_tensor_counts_no_storage():
    """exp of an empty tensor saves a 0-byte result: packed once, but no storage and no bytes."""
    x = torch.zeros(0, requires_grad=True)
    saved = memory.saved_tensors(lambda: x.exp())
    assert (saved.bytes, saved.storages, saved.tensors) == (0, 0, 1)


def test_a_one_byte_storage_counts():
    """torch.where keeps its one-element bool condition: a storage of 1 byte, counted."""
    x = torch.zeros(1, requires_grad=True)
    saved = memory.saved_tensors(lambda: torch.where(torch.tensor([True]), x, 0.0))
    assert (saved.bytes, saved.storages, saved.tensors) == (1, 1, 1)
    assert saved.saved[0].storage_bytes == 1 and saved.saved[0].dtype == torch.bool


def test_tensors_without_a_plain_storage_count_themselves():
    """Two sparse (2, 2) float32 operands of sparse.mm: each counted apart, as 2 * 2 * 4 = 16 bytes."""
    indices = torch.tensor([[0, 1], [1, 0]])
    s1 = torch.sparse_coo_tensor(indices, torch.tensor([1.0, 2.0]), (2, 2), check_invariants=True)
    s2 = torch.sparse_coo_tensor(indices, torch.tensor([3.0, 4.0]), (2, 2), check_invariants=True)
    d = torch.ones(2, 3, requires_grad=True)
    saved = memory.saved_tensors(lambda: torch.sparse.mm(s1, d) + torch.sparse.mm(s2, d))
    assert (saved.bytes, saved.storages, saved.tensors) == (32, 2, 2)
    assert [s.storage_bytes for s in saved.saved] == [16, 16]


def test_storages_freed_inside_fn_are_not_mistaken_for_new_ones():
    """fn runs backward 30 times: each exp result (50 float32 = 200 bytes) is a storage of its own, even once freed."""
    w = torch.ones(50, requires_grad=True)

    def steps():
        for _ in range(30):
            w.exp().sum().backward()

    saved = memory.saved_tensors(steps)
    assert (saved.bytes, saved.storages, saved.tensors) == (30 * 200, 30, 30)


@pytest.mark.parametrize("call, message", [
    (lambda: memory.saved_tensors(42), "fn must be callable (a function or an nn.Module), not int"),
    (lambda: memory.saved_tensors(abs, exclude=3),
     "exclude must be an iterable of tensors, such as model.parameters(), not int"),
    (lambda: memory.saved_tensors(abs, exclude="w"),
     "exclude must be an iterable of tensors, such as model.parameters(), not str"),
    (lambda: memory.saved_tensors(abs, exclude=[torch.zeros(1), 2.5]),
     "exclude must hold tensors only; item 1 is a float"),
])
def test_saved_tensors_type_errors_exact_messages(call, message):
    """A non-callable fn, an exclude that is no iterable, and a non-tensor item: each names the type it got."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message
