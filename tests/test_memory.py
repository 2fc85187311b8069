"""memory.saved_bytes / saved_tensors against counts derived by hand, and the growth fits."""

import numpy as np
import pytest
import torch
from torch import nn

from dlexam import memory


def one_block(device="cpu", x_requires_grad=False):
    """nn.Linear(5, 4) then tanh on a (3, 5) float32 batch."""
    linear = nn.Linear(5, 4, device=device)
    x = torch.zeros(3, 5, device=device, requires_grad=x_requires_grad)
    return linear, x, lambda: torch.tanh(linear(x))


def test_one_linear_tanh_block_matches_the_hand_count():
    # Paper count, float32 = 4 bytes: the Linear keeps its input x (3 x 5 = 15 numbers = 60 bytes)
    # for dW; it keeps no weight, because x does not require grad (dx is never needed); tanh keeps
    # its output (3 x 4 = 12 numbers = 48 bytes) for 1 - tanh^2. Together 108 bytes, 2 storages.
    linear, x, fn = one_block()
    saved = memory.saved_tensors(fn)
    assert saved.bytes == 108 and saved.storages == 2 and saved.tensors == 2
    assert memory.saved_bytes(fn) == 108
    assert tuple(saved.result.shape) == (3, 4)


def test_when_the_input_requires_grad_the_weight_is_saved_too():
    # + W (4 x 5 = 20 numbers = 80 bytes), needed for dx = g W: 188 bytes. The weight is a view of
    # the parameter: with exclude=parameters it moves to excluded_bytes.
    linear, x, fn = one_block(x_requires_grad=True)
    assert memory.saved_bytes(fn) == 188
    saved = memory.saved_tensors(fn, exclude=linear.parameters())
    assert (saved.bytes, saved.excluded_bytes, saved.total_bytes) == (108, 80, 188)
    assert (saved.storages, saved.excluded_storages) == (2, 1)
    assert memory.saved_bytes(fn, exclude=[linear.weight]) == 108
    assert memory.saved_bytes(fn, exclude=linear.weight) == 108  # a single tensor is accepted too
    assert [s.excluded for s in saved.saved] == [False, True, False]


def test_a_storage_saved_twice_counts_once():
    a = torch.arange(10.0, dtype=torch.float64, requires_grad=True)
    b = torch.ones(10, dtype=torch.float64, requires_grad=True)
    both = memory.saved_tensors(lambda: a * b)  # mul keeps a (for db) and b (for da): 2 x 80 bytes
    assert (both.bytes, both.storages, both.tensors) == (160, 2, 2)
    same = memory.saved_tensors(lambda: a * a)  # the same tensor twice: one storage of 80 bytes
    assert (same.bytes, same.storages, same.tensors) == (80, 1, 2)
    view = memory.saved_tensors(lambda: a[:5] * b[:5])  # views keep their whole storage alive
    assert view.bytes == 160


def test_exp_keeps_its_result_and_relu_nothing_new():
    x = torch.zeros(7, 3, requires_grad=True)
    assert memory.saved_bytes(lambda: x.exp()) == 7 * 3 * 4
    assert memory.saved_bytes(lambda: x + 1) == 0


def test_keyword_arguments_go_to_fn():
    x = torch.zeros(6, requires_grad=True)
    assert memory.saved_bytes(lambda t, scale=1.0: (t * scale).exp(), x, scale=2.0) == 24


def test_counts_stay_right_when_fn_runs_backward_itself():
    # Backward frees the graph inside fn; the saved storages must not be recycled and miscounted.
    w = torch.ones(50, requires_grad=True)

    def step():
        for _ in range(3):
            (w * torch.full((50,), 2.0)).exp().sum().backward()
        return None

    saved = memory.saved_tensors(step)
    assert saved.tensors == 3 * 2  # mul keeps the constant (for dw), exp its result, three times
    assert saved.bytes == 3 * 2 * 200


def test_meta_device_counts_like_the_cpu():
    cpu = memory.saved_tensors(one_block("cpu", True)[2])
    meta = memory.saved_tensors(one_block("meta", True)[2])
    assert (meta.bytes, meta.storages, meta.tensors) == (cpu.bytes, cpu.storages, cpu.tensors) == (188, 3, 3)


def test_saved_by_node_lists_what_each_node_holds():
    linear, x, fn = one_block(x_requires_grad=True)
    rows = memory.saved_by_node(fn(), exclude=linear.parameters())
    found = {(r.node, r.attribute): (r.shape, r.bytes, r.excluded) for r in rows}
    assert found[("TanhBackward0", "result")] == ((3, 4), 48, False)
    assert found[("AddmmBackward0", "mat1")] == ((3, 5), 60, False)
    assert found[("AddmmBackward0", "mat2")] == ((5, 4), 80, True)  # W^T, a view of the weight
    assert rows[0].node == "TanhBackward0"  # from the output towards the input


def test_saved_by_node_rejects_tensors_without_a_graph():
    with pytest.raises(ValueError, match="no backward graph"):
        memory.saved_by_node(torch.zeros(3))
    with pytest.raises(TypeError, match="output must be a tensor"):
        memory.saved_by_node([1, 2])


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: memory.saved_bytes(42), TypeError, "fn must be callable"),
        (lambda: memory.saved_bytes(lambda: None, exclude=3), TypeError, "exclude must be an iterable"),
        (lambda: memory.saved_bytes(lambda: None, exclude=[torch.zeros(1), "w"]), TypeError, "exclude must hold"),
        (lambda: memory.format_bytes(-1), ValueError, "n must be a byte count"),
        (lambda: memory.fit_power_law([1, 1], [2, 3]), ValueError, "at least two different"),
        (lambda: memory.fit_power_law([1, 2], [2, -3]), ValueError, "positive"),
        (lambda: memory.fit_power_law([1, 2, 3], [2, 3]), ValueError, "same length"),
        (lambda: memory.fit_linear([[1, 2]], [1.0], ("a", "b")), ValueError, "cannot determine"),
        (lambda: memory.fit_linear([[1, 0], [2, 0]], [1.0, 2.0], ("a", "b")), ValueError, "all zeros"),
        (lambda: memory.fit_linear([[1, 2], [3, 4]], [1.0, 2.0], ("a",)), ValueError, "names must name"),
    ],
)
def test_bad_inputs_raise_naming_the_argument(call, error, says):
    with pytest.raises(error, match=says):
        call()


@pytest.mark.parametrize("n, text", [(0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (3 * 2**20, "3.00 MiB"),
                                     (5 * 2**30 // 2, "2.50 GiB")])
def test_format_bytes(n, text):
    assert memory.format_bytes(n) == text


@pytest.mark.parametrize("exponent, coefficient", [(1.0, 4.0), (2.0, 3.0), (0.5, 10.0)])
def test_fit_power_law_recovers_an_exact_power(exponent, coefficient):
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    fit = memory.fit_power_law(x, coefficient * x**exponent)
    assert fit.exponent == pytest.approx(exponent) and fit.coefficient == pytest.approx(coefficient)
    assert fit.max_relative_error < 1e-12
    assert fit(32.0) == pytest.approx(coefficient * 32.0**exponent)


def test_fit_linear_recovers_coefficients_of_very_different_scales():
    rng = np.random.default_rng(0)
    A = np.column_stack([rng.integers(1, 100, 30) * 1e6, rng.integers(1, 100, 30), np.ones(30)])
    y = A @ np.array([4.0, -4.0, 7.0])
    fit = memory.fit_linear(A, y, ("big", "small", "one"))
    assert fit.as_dict() == pytest.approx({"big": 4.0, "small": -4.0, "one": 7.0})
    assert fit.max_relative_error < 1e-9
    assert fit.predict(A[:2]) == pytest.approx(y[:2])


def test_a_block_output_and_the_next_block_input_are_one_storage():
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Tanh())
    rows = memory.saved_by_node(model(torch.zeros(4, 3)))
    # from the output back: tanh_2 result, addmm_2 mat1 (= z_1), addmm_2 mat2, tanh_1 result (= z_1), addmm_1 mat1 (= x)
    assert [(r.node, r.attribute) for r in rows] == [
        ("TanhBackward0", "result"), ("AddmmBackward0", "mat1"), ("AddmmBackward0", "mat2"),
        ("TanhBackward0", "result"), ("AddmmBackward0", "mat1"),
    ]
    assert rows[1].storage == rows[3].storage
    assert len({r.storage for r in rows}) == 4
