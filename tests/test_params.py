"""dlexam.params against PyTorch's own count, sum(p.numel()), and exam question I(D)."""

import re

import pytest
import torch
from torch import nn

from dlexam.params import (
    EXAM_IMAGE_SIZE,
    EXAM_LAYER_SIZES,
    EXAM_OPTIONS,
    DenseLayer,
    conv_parameter_count,
    count_parameters,
    dense_layer_breakdown,
    dense_network,
    dense_parameter_count,
)

ARCHITECTURES = [
    [784, 512, 10],
    [1, 1],
    [3, 1],
    [60, 128, 128, 64, 32, 1],
    [2, 7, 5, 3, 9],
    [100, 1, 100],
]


def _torch_reference(sizes):
    """sum(p.numel()) of a network built directly from nn.Linear, independent of dense_network."""
    linears = [nn.Linear(a, b, device="meta") for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(p.numel() for layer in linears for p in layer.parameters())


@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_dense_parameter_count_matches_pytorch(sizes):
    assert dense_parameter_count(sizes) == _torch_reference(sizes)
    assert count_parameters(dense_network(sizes)) == _torch_reference(sizes)


def test_exam_i_d_answer():
    assert dense_parameter_count([28 * 28, 512, 10]) == 407_050
    assert dense_parameter_count(EXAM_LAYER_SIZES) == 407_050
    assert EXAM_IMAGE_SIZE[0] * EXAM_IMAGE_SIZE[1] == EXAM_LAYER_SIZES[0]


@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_dense_layer_breakdown_adds_up(sizes):
    layers = dense_layer_breakdown(sizes)
    assert [(layer.n_in, layer.n_out) for layer in layers] == list(zip(sizes[:-1], sizes[1:]))
    for layer in layers:
        assert layer.weights == layer.n_in * layer.n_out
        assert layer.biases == layer.n_out
        assert layer.total == layer.weights + layer.biases
    assert sum(layer.total for layer in layers) == dense_parameter_count(sizes)


def test_dense_layer_breakdown_of_the_exam_network():
    assert dense_layer_breakdown((784, 512, 10)) == [
        DenseLayer(784, 512, 401_408, 512, 401_920),
        DenseLayer(512, 10, 5_120, 10, 5_130),
    ]


@pytest.mark.parametrize(
    "in_channels, out_channels, kernel_size",
    [(1, 1, 3), (3, 16, 5), (16, 32, (3, 1)), (2, 5, (2, 4)), (64, 64, 1)],
)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_parameter_count_matches_pytorch(in_channels, out_channels, kernel_size, bias):
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, device="meta")
    expected = sum(p.numel() for p in layer.parameters())
    assert conv_parameter_count(in_channels, out_channels, kernel_size, bias) == expected
    assert count_parameters(layer) == expected


# in * out * kh * kw weights, plus out biases, counted by hand.
@pytest.mark.parametrize("in_channels, out_channels, kernel_size, with_bias, without_bias", [
    (1, 1, 3, 10, 9), (3, 16, 5, 1216, 1200), (16, 32, (3, 1), 1568, 1536), (2, 5, (2, 4), 85, 80),
    (64, 64, 1, 4160, 4096),
])
def test_conv_parameter_count_by_hand(in_channels, out_channels, kernel_size, with_bias, without_bias):
    assert conv_parameter_count(in_channels, out_channels, kernel_size, True) == with_bias
    assert conv_parameter_count(in_channels, out_channels, kernel_size, False) == without_bias


def test_count_parameters_skips_frozen_parameters_unless_asked():
    net = dense_network([4, 3, 2])
    net[1].weight.requires_grad_(False)
    assert count_parameters(net) == dense_parameter_count([4, 3, 2]) - 12
    assert count_parameters(net, trainable_only=False) == dense_parameter_count([4, 3, 2])


def test_count_parameters_counts_a_shared_layer_once():
    shared = nn.Linear(5, 5)
    assert count_parameters(nn.Sequential(shared, nn.ReLU(), shared)) == 30


def test_count_parameters_needs_a_module():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        count_parameters([torch.zeros(3)])


def test_dense_network_shape_and_layers():
    net = dense_network(EXAM_LAYER_SIZES)
    assert net(torch.zeros(2, *EXAM_IMAGE_SIZE)).shape == (2, 10)
    assert net(torch.zeros(2, 784)).shape == (2, 10)
    assert [type(m) for m in net] == [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]


def test_dense_network_leaves_the_global_random_state_alone_and_is_reproducible():
    before = torch.get_rng_state()
    a = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(1))
    b = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(1))
    c = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(2))
    assert torch.equal(torch.get_rng_state(), before)
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(p, q)
        assert not torch.equal(p, r)


def test_dense_network_initialisation_bounds_like_pytorch():
    net = dense_network([400, 30, 2])
    for layer in (net[1], net[3]):
        bound = layer.in_features**-0.5
        for p in layer.parameters():
            assert p.abs().max() <= bound
            assert p.abs().max() > 0.9 * bound  # spread over the whole interval, not all zero
            assert torch.isfinite(p).all()


@pytest.mark.parametrize(
    "height, width, hidden, outputs", [(28, 28, 512, 10), (32, 32, 100, 3), (5, 7, 9, 2), (2, 3, 1, 1)]
)
def test_only_the_marked_exam_option_counts_the_parameters(height, width, hidden, outputs):
    truth = count_parameters(dense_network([height * width, hidden, outputs]))
    right = [option.value(height, width, hidden, outputs) == truth for option in EXAM_OPTIONS]
    assert right == [option.marked for option in EXAM_OPTIONS]
    assert sum(right) == 1


def test_exam_options_formulas_are_their_labels():
    # the label, read as arithmetic, gives the formula's value at the exam's sizes
    for option in EXAM_OPTIONS:
        assert eval(re.sub("×", "*", option.label)) == option.value()
    assert [option.value() for option in EXAM_OPTIONS] == [19_456, 407_050, 406_528, 19_978]


@pytest.mark.parametrize(
    "sizes, error, match",
    [
        ([784], ValueError, "at least two sizes"),
        ([], ValueError, "at least two sizes"),
        ([784, 0, 10], ValueError, r"layer_sizes\[1\] must be a positive integer, got 0"),
        ([784, -5], ValueError, "positive integer"),
        ([784.0, 10], TypeError, r"layer_sizes\[0\] must be a positive integer"),
        ([784, True], TypeError, "positive integer"),
        ("784", TypeError, "sequence of ints"),
        (784, TypeError, "sequence of ints"),
    ],
)
@pytest.mark.parametrize("function", [dense_parameter_count, dense_layer_breakdown, dense_network])
def test_bad_layer_sizes_are_rejected(function, sizes, error, match):
    with pytest.raises(error, match=match):
        function(sizes)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((0, 1, 3), ValueError, "in_channels"),
        ((1, 1, 0), ValueError, "kernel_size"),
        ((1, 1, (3, 3, 3)), ValueError, "pair"),
        ((1, 1.0, 3), TypeError, "out_channels"),
        ((1, 1, 3, 1), TypeError, "bias must be True or False"),
    ],
)
def test_conv_parameter_count_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        conv_parameter_count(*args)


def test_dense_network_rejects_a_numpy_generator():
    import numpy as np

    with pytest.raises(TypeError, match="torch.Generator"):
        dense_network([2, 1], generator=np.random.default_rng(0))


# --- images as inputs, PyTorch's count, bytes, weight sharing, self-checks -------------------

from dlexam.params import (  # noqa: E402
    ConvComparison,
    check_conv_parameter_count,
    check_parameter_count,
    conv_vs_dense,
    explain_count,
    image_input_size,
    mistaken_counts,
    parameter_bytes,
    pytorch_dense_parameter_count,
)


@pytest.mark.parametrize("shape", [(28, 28), (28, 28, 1), (32, 32, 3), (5, 7, 2), (1, 1)])
def test_image_input_size_is_what_flatten_produces(shape):
    h, w, c = (*shape, 1)[:3]
    assert image_input_size(shape) == nn.Flatten()(torch.zeros(1, c, h, w)).shape[1]


@pytest.mark.parametrize(
    "shape, error", [((28,), ValueError), ((28, 28, 1, 1), ValueError), ((28, 0), ValueError),
                     ((28.0, 28), TypeError), ("28x28", TypeError), (784, TypeError)]
)
def test_image_input_size_rejects_bad_shapes(shape, error):
    with pytest.raises(error, match="image"):
        image_input_size(shape)


@pytest.mark.parametrize("sizes", ARCHITECTURES + [[10**6, 10**6, 10**6]])
def test_pytorch_count_on_the_meta_device_matches_the_formula(sizes):
    # a million by a million weights would need 4 TB; on the meta device they need nothing
    assert pytorch_dense_parameter_count(sizes) == dense_parameter_count(sizes)


@pytest.mark.parametrize("dtype, size", [(torch.float32, 4), (torch.float16, 2), (torch.float64, 8), (torch.bfloat16, 2)])
def test_parameter_bytes_match_the_tensors(dtype, size):
    net = dense_network([784, 512, 10]).to(dtype)
    stored = sum(p.numel() * p.element_size() for p in net.parameters())
    assert parameter_bytes(count_parameters(net), dtype) == stored == 407_050 * size


@pytest.mark.parametrize(
    "args, error, message",
    [((-1,), ValueError, "n_parameters must be at least 0"), ((1.5,), TypeError, "n_parameters must be an integer"),
     ((10, "float32"), TypeError, "dtype must be a torch.dtype"), ((True,), TypeError, "n_parameters must be an integer")],
)
def test_parameter_bytes_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        parameter_bytes(*args)


CONV_CASES = [
    ((28, 28, 1), 32, 3, 1, 0),
    ((28, 28), 32, 3, 1, 1),
    ((32, 32, 3), 16, 5, 2, 0),
    ((9, 7, 2), 4, (3, 2), 1, 2),
    ((5, 5, 1), 1, 5, 1, 0),
]


@pytest.mark.parametrize("shape, out_channels, kernel, stride, padding", CONV_CASES)
def test_conv_vs_dense_against_pytorch(shape, out_channels, kernel, stride, padding):
    c = conv_vs_dense(shape, out_channels, kernel, stride, padding)
    h, w, ch = (*shape, 1)[:3]
    conv = nn.Conv2d(ch, out_channels, kernel, stride=stride, padding=padding)
    out = conv(torch.zeros(1, ch, h, w))  # (1, out_channels, out_h, out_w)
    assert c.output_shape == (out.shape[2], out.shape[3], out.shape[1])
    assert c.conv == count_parameters(conv)
    assert c.n_outputs == out.numel()
    # dense: nn.Linear from the flattened image to the flattened output
    assert c.dense == count_parameters(nn.Linear(h * w * ch, out.numel(), device="meta"))
    # locally connected: one weight per entry of every unfolded window, per output channel, plus
    # a bias per output; nn.Unfold lists the windows the convolution sees
    windows = nn.Unfold(kernel, padding=padding, stride=stride)(torch.zeros(1, ch, h, w))  # (1, ch*kh*kw, L)
    assert c.locally_connected == windows.shape[2] * out_channels * (windows.shape[1] + 1)
    assert c.conv <= c.locally_connected <= c.dense


def test_conv_vs_dense_for_the_exam_image():
    assert conv_vs_dense((28, 28), 32, 3) == ConvComparison(
        (28, 28, 1), (26, 26, 32), (3, 3), conv=320, locally_connected=216_320, dense=16_981_120
    )


def test_conv_vs_dense_rejects_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="does not fit"):
        conv_vs_dense((4, 4), 8, 5)


def test_mistaken_counts_of_the_exam_network():
    # 407,050 = 784*512 + 512 + 512*10 + 10; each mistake, counted by hand:
    expected = {
        406_528: "leaves out the 522 biases",  # 784*512 + 512*10
        19_978: "one side of the image (28)",  # 28*512 + 512 + 5,130
        19_456: "one side of the image (28)",  # 28*512 + 512*10, and no biases
        407_834: "gives the 784 inputs biases",  # 407,050 + 784
        5_130: "leaves out layer 1",  # 512*10 + 10
        401_920: "leaves out layer 2",  # 784*512 + 512
        1_306: "counts the neurons instead of the connections",  # 784 + 512 + 10
        522: "not counting the inputs",  # 512 + 10
    }
    mistakes = dict((count, text) for text, count in mistaken_counts([784, 512, 10], (28, 28)))
    assert set(mistakes) == set(expected)
    for count, words in expected.items():
        assert words in mistakes[count]
    assert "leaves out the 522 biases" in mistakes[19_456]


def test_every_mistaken_count_is_wrong_and_named():
    for sizes, shape in [((784, 512, 10), (28, 28)), ((3072, 512, 10), (32, 32, 3)), ((784, 256, 128, 10), None)]:
        right = dense_parameter_count(sizes)
        mistakes = mistaken_counts(sizes, shape)
        assert mistakes and all(count != right for _, count in mistakes)
        for text, count in mistakes:
            verdict = check_parameter_count(sizes, count, image_shape=shape)
            assert not verdict
            assert str(count) in verdict.message.replace(",", "")
            assert explain_count(sizes, count, image_shape=shape) in verdict.message


def test_exam_options_are_explained():
    shape, sizes = EXAM_IMAGE_SIZE, EXAM_LAYER_SIZES
    explained = [explain_count(sizes, option.value(), image_shape=shape) for option in EXAM_OPTIONS]
    assert explained[1] == "right"
    assert "one side of the image (28)" in explained[0] and "522 biases" in explained[0]
    assert explained[2] == "leaves out the 522 biases"
    assert "one side of the image (28)" in explained[3] and "biases" not in explained[3]


def test_mistaken_counts_for_colour_images_name_the_channels():
    texts = dict((count, text) for text, count in mistaken_counts([3072, 512, 10], (32, 32, 3)))
    assert "not the 3 channels" in texts[dense_parameter_count([1024, 512, 10])]


@pytest.mark.parametrize("sizes", [[784, 256, 128, 10], [3, 1], [60, 128, 128, 64, 32, 1]])
def test_check_parameter_count_right_and_unknown_wrong_answers(sizes):
    right = dense_parameter_count(sizes)
    assert check_parameter_count(sizes, right)
    assert check_parameter_count(sizes, float(right))  # 235146.0 is a whole number too
    known = {count for _, count in mistaken_counts(sizes)}
    for wrong in (right + 7, right - 3, 0):
        if wrong in known:
            continue
        verdict = check_parameter_count(sizes, wrong)
        assert not verdict
        assert ("too high" if wrong > right else "too low") in verdict.message
        assert f"{right:,}" not in verdict.message  # the check does not give the answer away


@pytest.mark.parametrize("answer, error, message", [
    (1.5, ValueError, "answer must be a whole number"), ("407050", TypeError, "answer must be a number"),
    (float("nan"), ValueError, "answer must be a whole number"), (None, TypeError, "answer must be a number"),
])
def test_check_parameter_count_rejects_non_counts(answer, error, message):
    with pytest.raises(error, match=message):
        check_parameter_count([784, 512, 10], answer)


def test_mistaken_counts_need_an_image_of_the_input_size():
    with pytest.raises(ValueError, match="must agree"):
        mistaken_counts([784, 512, 10], (32, 32))


@pytest.mark.parametrize("in_channels, out_channels, kernel", [(1, 32, 3), (3, 16, 5), (16, 8, (3, 1))])
def test_check_conv_parameter_count(in_channels, out_channels, kernel):
    right = count_parameters(nn.Conv2d(in_channels, out_channels, kernel, device="meta"))
    assert check_conv_parameter_count(in_channels, out_channels, kernel, right)
    no_bias = count_parameters(nn.Conv2d(in_channels, out_channels, kernel, bias=False, device="meta"))
    verdict = check_conv_parameter_count(in_channels, out_channels, kernel, no_bias)
    assert not verdict and "biases" in verdict.message
    assert not check_conv_parameter_count(in_channels, out_channels, kernel, 0)


# --- exact messages, defaults and boundaries (each expected value worked out by hand) ---------

EXAM_HINT = ("A dense layer from n_in to n_out neurons has n_in × n_out weights and n_out biases; "
             "add them up layer by layer.")
CONV_HINT = "Each of the out_channels filters has kh × kw weights per input channel, plus one bias."
ONE_SIDE_28 = "feeds the first layer one side of the image (28) instead of all its 28×28 = 784 inputs"


@pytest.mark.parametrize("kernel, got", [((3, 0), "0"), ((0, 3), "0")])
def test_conv_parameter_count_names_kernel_size_in_a_pair(kernel, got):
    """A bad entry of a (kh, kw) pair is reported as kernel_size."""
    with pytest.raises(ValueError, match=f"^kernel_size must be a positive integer, got {got}$"):
        conv_parameter_count(1, 1, kernel)


def test_dense_network_refuses_too_many_parameters_with_the_count():
    """The refusal states the (n_in + 1) * n_out parameters asked for: 10,001 * 10,000."""
    with pytest.raises(ValueError) as info:
        dense_network([10_000, 10_000])
    assert str(info.value) == ("layer_sizes would need 100,010,000 parameters, more than the limit of "
                               "50,000,000: use smaller values")


def test_dense_network_default_generator_is_seeded_0():
    """Without a generator the weights are those of torch.Generator().manual_seed(0)."""
    default = dense_network([6, 4, 3])
    seeded = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(0))
    other = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(1))
    for p, q, r in zip(default.parameters(), seeded.parameters(), other.parameters()):
        assert torch.equal(p, q)
        assert not torch.equal(p, r)


def test_dense_network_names_the_type_of_a_bad_generator():
    """The TypeError shows the type actually given."""
    with pytest.raises(TypeError, match="^generator must be a torch.Generator or None, got int$"):
        dense_network([2, 1], generator=0)


@pytest.mark.parametrize("shape, name", [((0, 28), "height"), ((28, 0), "width"), ((28, 28, 0), "channels")])
def test_image_shape_errors_name_the_side(shape, name):
    """A non-positive entry of image_shape is named height, width or channels."""
    with pytest.raises(ValueError, match=f"^image_shape's {name} must be a positive integer, got 0$"):
        image_input_size(shape)


@pytest.mark.parametrize("shape, kernel, padding, message", [
    ((4, 10), 5, 0, "kernel_size 5x5 does not fit image_shape 4x10 with padding 0"),  # too tall only
    ((10, 4), 5, 0, "kernel_size 5x5 does not fit image_shape 10x4 with padding 0"),  # too wide only
    ((4, 10), (7, 3), 1, "kernel_size 7x3 does not fit image_shape 4x10 with padding 1"),  # 7 > 4 + 2
    ((10, 4), (3, 7), 1, "kernel_size 3x7 does not fit image_shape 10x4 with padding 1"),  # 7 > 4 + 2
])
def test_conv_vs_dense_rejects_a_kernel_too_large_in_one_direction(shape, kernel, padding, message):
    """Either side of the kernel larger than the padded image is refused, with the full message."""
    with pytest.raises(ValueError) as info:
        conv_vs_dense(shape, 1, kernel, padding=padding)
    assert str(info.value) == message + ": use a smaller kernel or more padding"


@pytest.mark.parametrize("shape, kernel, padding, output_shape", [
    ((4, 10), (6, 3), 1, (1, 10, 1)),  # 6 == 4 + 2: fits exactly; 10 + 2 - 3 + 1 = 10 columns
    ((10, 4), (3, 6), 1, (10, 1, 1)),
])
def test_conv_vs_dense_accepts_a_kernel_exactly_as_large_as_the_padded_image(shape, kernel, padding, output_shape):
    """A kernel as tall (or wide) as the padded image gives one output row (or column)."""
    assert conv_vs_dense(shape, 1, kernel, padding=padding).output_shape == output_shape


def test_mistaken_counts_of_the_exam_network_exactly():
    """The full list for 784 → 512 → 10 fed 28×28 images, in order, counted by hand."""
    assert dense_parameter_count([784, 512, 10]) == _torch_reference([784, 512, 10]) == 407_050
    assert mistaken_counts([784, 512, 10], (28, 28)) == [
        ("leaves out the 522 biases", 406_528),  # 784*512 + 512*10
        (ONE_SIDE_28, 19_978),  # 28*512 + 512 + 512*10 + 10
        (ONE_SIDE_28 + " and leaves out the 522 biases", 19_456),  # 28*512 + 512*10
        ("gives the 784 inputs biases too (inputs are data, not neurons)", 407_834),  # 407,050 + 784
        ("leaves out layer 1 (784 → 512: 401,408 weights and 512 biases)", 5_130),  # 512*10 + 10
        ("leaves out layer 2 (512 → 10: 5,120 weights and 10 biases)", 401_920),  # 784*512 + 512
        ("counts the neurons instead of the connections", 1_306),  # 784 + 512 + 10
        ("counts the neurons, not counting the inputs", 522),  # 512 + 10
    ]


def test_mistaken_counts_of_a_two_channel_image_exactly():
    """4×5×2 images into 40 → 3 → 2 (131 parameters): the channel slip is listed too."""
    assert _torch_reference([40, 3, 2]) == 131  # 40*3 + 3 + 3*2 + 2
    one_side = "feeds the first layer one side of the image (4) instead of all its 4×5×2 = 40 inputs"
    channels = "counts 4×5 = 20 pixels but not the 2 channels"
    assert mistaken_counts([40, 3, 2], (4, 5, 2)) == [
        ("leaves out the 5 biases", 126),  # 40*3 + 3*2
        (channels, 71),  # 20*3 + 3 + 3*2 + 2
        (channels + " and leaves out the 5 biases", 66),  # 20*3 + 3*2
        (one_side, 23),  # 4*3 + 3 + 3*2 + 2
        (one_side + " and leaves out the 5 biases", 18),  # 4*3 + 3*2
        ("gives the 40 inputs biases too (inputs are data, not neurons)", 171),  # 131 + 40
        ("leaves out layer 1 (40 → 3: 120 weights and 3 biases)", 8),  # 3*2 + 2
        ("leaves out layer 2 (3 → 2: 6 weights and 2 biases)", 123),  # 40*3 + 3
        ("counts the neurons instead of the connections", 45),  # 40 + 3 + 2
        ("counts the neurons, not counting the inputs", 5),  # 3 + 2
    ]


def test_mistaken_counts_of_a_single_layer_exactly():
    """5 → 2 (12 parameters) has no 'leaves out layer' slip: leaving out its only layer is not a count."""
    assert _torch_reference([5, 2]) == 12  # 5*2 + 2
    assert mistaken_counts([5, 2]) == [
        ("leaves out the 2 biases", 10),  # 5*2
        ("gives the 5 inputs biases too (inputs are data, not neurons)", 17),  # 12 + 5
        ("counts the neurons instead of the connections", 7),  # 5 + 2
        ("counts the neurons, not counting the inputs", 2),  # 2
    ]


@pytest.mark.parametrize("shape, message", [
    ((32, 32), "image_shape 32x32x1 has 1024 pixel values, but layer_sizes starts with 784 inputs: they must agree"),
    ((4, 5, 3), "image_shape 4x5x3 has 60 pixel values, but layer_sizes starts with 784 inputs: they must agree"),
])
def test_mistaken_counts_mismatched_image_message(shape, message):
    """The mismatch message gives h*w*c pixel values and the first layer size."""
    with pytest.raises(ValueError) as info:
        mistaken_counts([784, 512, 10], shape)
    assert str(info.value) == message


@pytest.mark.parametrize("answer, message", [
    (407_050, "Right: 407,050 parameters."),
    (19_456, f"Not yet: 19,456 is the count that {ONE_SIDE_28} and leaves out the 522 biases."),
    (406_528, "Not yet: 406,528 is the count that leaves out the 522 biases."),
    (407_057, f"Not yet: 407,057 is too high. {EXAM_HINT}"),
    (407_047, f"Not yet: 407,047 is too low. {EXAM_HINT}"),
])
def test_check_parameter_count_exact_messages(answer, message):
    """Every branch of the dense check: right, a named slip, too high, too low."""
    result = check_parameter_count([784, 512, 10], answer, image_shape=(28, 28))
    assert result.correct is (answer == 407_050)
    assert result.message == message


@pytest.mark.parametrize("count, text", [
    (407_050, "right"),
    (406_528, "leaves out the 522 biases"),
    (407_057, "is 7 too high"),
    (407_047, "is 3 too low"),
    (500_000, "is 92,950 too high"),
    (1, "is 407,049 too low"),
])
def test_explain_count_exact_text(count, text):
    """explain_count says right, names the slip, or gives the distance and direction."""
    assert explain_count([784, 512, 10], count) == text


# nn.Conv2d(3, 16, 5): 3*16*5*5 + 16 = 1,216 parameters; each slip counted by hand.
@pytest.mark.parametrize("answer, message", [
    (1216, "Right: 1,216 parameters."),
    (1200, "Not yet: 1,200 is the count that leaves out the 16 biases, one per filter."),  # 3*16*25
    (416, "Not yet: 416 is the count that forgets that each filter spans all 3 input channels."),  # 25*16 + 16
    (400, "Not yet: 400 is the count that forgets the input channels and the biases."),  # 25*16
    (76, "Not yet: 76 is the count that counts one filter only."),  # 3*25 + 1
    (1248, "Not yet: 1,248 is the count that gives every input channel a bias."),  # 1200 + 3*16
    (1217, f"Not yet: 1,217 is too high. {CONV_HINT}"),
    (1215, f"Not yet: 1,215 is too low. {CONV_HINT}"),
])
def test_check_conv_parameter_count_exact_messages(answer, message):
    """Every branch of the convolution check, for nn.Conv2d(3, 16, 5)."""
    assert count_parameters(nn.Conv2d(3, 16, 5, device="meta")) == 1216
    result = check_conv_parameter_count(3, 16, 5, answer)
    assert result.correct is (answer == 1216)
    assert result.message == message


# nn.Conv2d(2, 8, (3, 2)): 2*8*3*2 + 8 = 104 parameters; the kernel's area is 3*2 = 6.
@pytest.mark.parametrize("answer, message", [
    (56, "Not yet: 56 is the count that forgets that each filter spans all 2 input channels."),  # 6*8 + 8
    (48, "Not yet: 48 is the count that forgets the input channels and the biases."),  # 6*8
    (13, "Not yet: 13 is the count that counts one filter only."),  # 2*6 + 1
])
def test_check_conv_parameter_count_rectangular_kernel(answer, message):
    """A (3, 2) kernel's slips use its area 3*2 = 6."""
    assert count_parameters(nn.Conv2d(2, 8, (3, 2), device="meta")) == 104
    result = check_conv_parameter_count(2, 8, (3, 2), answer)
    assert result.correct is False
    assert result.message == message


@pytest.mark.parametrize("module, name", [([torch.zeros(3)], "list"), (None, "NoneType"), (nn.Linear, "type")])
def test_count_parameters_names_the_type_it_got(module, name):
    """Something that is not an nn.Module is refused, naming its type."""
    with pytest.raises(TypeError, match=f"^module must be a torch.nn.Module, got {name}$"):
        count_parameters(module)


@pytest.mark.parametrize("call, message", [
    (lambda: dense_parameter_count([784, 2.5]), "layer_sizes[1] must be a positive integer, got 2.5 (float)"),
    (lambda: dense_parameter_count(["784", 10]), "layer_sizes[0] must be a positive integer, got '784' (str)"),
    (lambda: conv_parameter_count(1.5, 1, 3), "in_channels must be a positive integer, got 1.5 (float)"),
    (lambda: conv_parameter_count(1, None, 3), "out_channels must be a positive integer, got None (NoneType)"),
])
def test_a_size_that_is_not_an_integer_is_refused_with_its_type(call, message):
    """A size that is not a whole number: TypeError showing the value and its type."""
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        call()


def test_layer_sizes_may_hold_exactly_max_items_sizes():
    """10**6 sizes of 1 (the limit) are counted: 999,999 layers of 1 weight and 1 bias; one more is refused."""
    assert dense_parameter_count([1] * 10**6) == 1_999_998
    with pytest.raises(ValueError, match=r"^layer_sizes holds 1,000,001 sizes, more than the limit of 1,000,000$"):
        dense_parameter_count([1] * (10**6 + 1))
