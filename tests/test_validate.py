"""dlexam.validate: the shared argument checks, their bounds, defaults and exact messages."""

import warnings

import numpy as np
import pytest
import torch

from dlexam import validate


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0, 0, 1])
def test_probability_accepts_0_to_1_inclusive(value):
    """Both ends of [0, 1] are probabilities, returned as floats."""
    assert validate.probability(value, "p") == float(value)


@pytest.mark.parametrize("value, message", [
    (-0.5, "p must be at least 0, got -0.5"),
    (1.5, "p must be at most 1, got 1.5"),
])
def test_probability_refuses_numbers_outside_0_to_1(value, message):
    """Below 0 and above 1 raise with the exact message."""
    with pytest.raises(ValueError) as info:
        validate.probability(value, "p")
    assert str(info.value) == message


GENERATORS = [
    (validate.numpy_generator, np.random.default_rng(0),
     "must be a numpy.random.Generator such as np.random.default_rng(0)"),
    (validate.torch_generator, torch.Generator().manual_seed(0),
     "must be a torch.Generator such as torch.Generator().manual_seed(0)"),
]


@pytest.mark.parametrize("check, generator, says", GENERATORS)
def test_generator_checks_return_the_generator(check, generator, says):
    """A generator passes through unchanged, optional or not; None passes only when optional."""
    assert check(generator) is generator
    assert check(generator, "rng", optional=True) is generator
    assert check(None, "rng", optional=True) is None


@pytest.mark.parametrize("check, generator, says", GENERATORS)
def test_generator_checks_name_the_argument_and_what_they_got(check, generator, says):
    """The default name is 'generator'; the message shows the value given; None is refused unless optional."""
    with pytest.raises(TypeError) as info:
        check(7)
    assert str(info.value) == f"generator {says}, got 7 (int)"
    with pytest.raises(TypeError) as info:
        check(None, "rng")
    assert str(info.value) == f"rng {says}, got None (NoneType)"


# --- instances: a rule for a list of instances of one class ---------------------------------------------


def test_instances_default_needs_one_item_and_allows_an_empty_list_only_when_asked():
    """By default one item is enough; with min_length=0 an empty list is accepted (and returned as a list)."""
    assert validate.instances(int)((7,), "xs") == [7]
    assert validate.instances(int, min_length=0)([], "xs") == []


@pytest.mark.parametrize("what, kind", [(None, "int"), ("whole numbers", "whole numbers")])
def test_instances_too_few_items_exact_message(what, kind):
    """Fewer than min_length items raise a TypeError naming the argument, the minimum, the kind and the count."""
    check = validate.instances(int, what, min_length=2)
    assert check([1, 2], "xs") == [1, 2]  # exactly min_length is enough
    with pytest.raises(TypeError) as info:
        check([1], "xs")
    assert str(info.value) == f"xs must be a list of at least 2 {kind}, got 1"


def test_instances_max_length_is_passed_on():
    """More than max_length items raise the sequence's ValueError with the argument's name."""
    with pytest.raises(ValueError, match=r"^xs must hold at most 2 items, got 3$"):
        validate.instances(int, max_length=2)([1, 2, 3], "xs")


def test_instances_a_str_is_not_a_sequence_and_the_argument_is_named():
    """A str raises the sequence's TypeError, naming the argument."""
    with pytest.raises(TypeError, match=r"^xs must be a sequence \(a list or tuple\), got 'ab' \(str\)$"):
        validate.instances(int)("ab", "xs")


@pytest.mark.parametrize("what, message", [
    (None, "xs[1] must be a int, got 'a' (str)"),
    ("whole number", "xs[1] must be a whole number, got 'a' (str)"),
])
def test_instances_names_the_wrong_item_and_what_it_must_be(what, message):
    """A wrong item is named by its index, and `what` (when given) says what it must be."""
    with pytest.raises(TypeError) as info:
        validate.instances(int, what)([1, "a"], "xs")
    assert str(info.value) == message


def test_checked_refuses_rules_for_arguments_the_function_does_not_have():
    """Rules for unknown arguments raise at decoration, naming the function and the sorted unknown names."""
    def f(a, b=1):
        return a + b

    with pytest.raises(TypeError) as info:
        validate.checked(z=validate.real, y=validate.real, a=validate.real)(f)
    assert str(info.value) == "f has no arguments ['y', 'z'] to check"


def test_mapping_accepts_a_dict_and_returns_it():
    """A dict whose values pass the value check is returned as it is."""
    value = {"a": 1.0, "b": 2}
    assert validate.mapping(validate.real)(value, "weights") is value


@pytest.mark.parametrize("value, error, message", [
    ([1.0], TypeError, "weights must be a dict {label: value}, got [1.0] (list)"),
    ({}, ValueError, "weights must hold at least 1 entries, got 0"),
    ({"a": 1.0, "b": "x"}, TypeError, "weights['b'] must be a number, got 'x' (str)"),
])
def test_mapping_exact_messages(value, error, message):
    """Not a dict, too few entries, a bad value named by its key: exact messages."""
    with pytest.raises(error) as info:
        validate.mapping(validate.real)(value, "weights")
    assert str(info.value) == message


def test_optional_passes_none_and_the_name_on():
    """None is accepted; any other value is checked under the argument's own name."""
    check = validate.optional(validate.real)
    assert check(None, "lr") is None
    assert check(2, "lr") == 2.0
    with pytest.raises(TypeError) as info:
        check("x", "lr")
    assert str(info.value) == "lr must be a number, got 'x' (str)"


@pytest.mark.parametrize("value, shape, message", [
    ([1.0, 2.0], (3,), "x must have shape (3,), got (2,)"),
    ([[1.0, 2.0]], (None, 3), "x must have shape (n, 3), got (1, 2)"),
    ([[1.0, 2.0]], (2, 2), "x must have shape (2, 2), got (1, 2)"),
    ([[[1.0]]], (None, None, 2), "x must have shape (n, m, 2), got (1, 1, 1)"),
])
def test_array_shape_message_writes_the_expected_shape(value, shape, message):
    """The expected shape is written like a tuple: a trailing comma for one axis only, letters n, m for None."""
    with pytest.raises(ValueError) as info:
        validate.array(value, "x", shape=shape)
    assert str(info.value) == message


def test_integers_checks_the_maximum_of_every_item():
    """An item above maximum raises naming it by its index."""
    assert validate.integers([1, 3], "sizes", maximum=3) == [1, 3]
    with pytest.raises(ValueError) as info:
        validate.integers([1, 5], "sizes", maximum=3)
    assert str(info.value) == "sizes[1] must be at most 3, got 5"


def test_pair_checks_the_maximum_of_both_items():
    """pair with maximum=3 accepts (1, 3) and refuses (1, 5) naming the pair."""
    assert validate.pair((1, 3), "kernel", maximum=3) == (1, 3)
    with pytest.raises(ValueError) as info:
        validate.pair((1, 5), "kernel", maximum=3)
    assert str(info.value) == "kernel must be at most 3, got 5"


@pytest.mark.parametrize("value, example, error, message", [
    (5, None, TypeError, "how must be a set of names, got 5 (int)"),
    (b"sum", "{'sum'}", TypeError, "how must be a set of names such as {'sum'}, got b'sum' (bytes)"),
    ({"sum", 3}, None, TypeError, "how must hold names (str), got 3 (int) among them"),
    ({"sum", "median", "avg"}, None, ValueError, "how holds unknown names ['avg', 'median']: choose from 'sum', 'max'"),
])
def test_names_exact_messages(value, example, error, message):
    """Not a set (with and without an example), a non-str item, and unknown names: each exact message."""
    with pytest.raises(error) as info:
        validate.names(value, "how", ("sum", "max"), example=example)
    assert str(info.value) == message


def test_array_shape_message_marks_axes_past_the_fifth_free_one_with_a_question_mark():
    """Six free axes: the letters n, m, k, i, j run out and the sixth is written '?'."""
    with pytest.raises(ValueError) as info:
        validate.array([1.0], "x", shape=(None,) * 6)
    assert str(info.value) == "x must have shape (n, m, k, i, j, ?), got (1,)"


def test_integers_max_length_is_passed_on():
    """More than max_length items raise the sequence's ValueError; exactly max_length pass."""
    assert validate.integers([1, 2], "sizes", max_length=2) == [1, 2]
    with pytest.raises(ValueError) as info:
        validate.integers([1, 2, 3], "sizes", max_length=2)
    assert str(info.value) == "sizes must hold at most 2 items, got 3"


# --- got: how a message shows the value it got -----------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (np.zeros((2, 3)), "an array of shape (2, 3) and dtype float64"),
    (torch.zeros(4, dtype=torch.float32), "an array of shape (4,) and dtype float32"),
    (torch.zeros(1, 2, dtype=torch.int64), "an array of shape (1, 2) and dtype int64"),
])
def test_got_describes_arrays_and_tensors_by_shape_and_dtype(value, text):
    """NumPy arrays and tensors are shown by shape and dtype, without torch's 'torch.' prefix."""
    assert validate.got(value) == text


def test_got_keeps_a_repr_of_exactly_80_characters():
    """'a' * 78 has a repr of 80 characters: shown whole."""
    assert validate.got("a" * 78) == "'" + "a" * 78 + "' (str)"


def test_got_cuts_a_longer_repr_to_80_characters_ending_in_dots():
    """'a' * 79 has a repr of 81 characters: its first 77 and '...', 80 in all."""
    assert validate.got("a" * 79) == "'" + "a" * 76 + "... (str)"


@pytest.mark.parametrize("check, message", [
    (validate.function, "f must be a function (something callable), got 5 (int)"),
    (validate.text, "f must be text (a str), got 5 (int)"),
])
def test_function_and_text_show_what_they_got(check, message):
    """Not callable / not a str: the message shows the value given and its type."""
    with pytest.raises(TypeError) as info:
        check(5, "f")
    assert str(info.value) == message


def test_integer_bounds_that_are_floats_or_numpy_ints_are_written_like_python_numbers():
    """A float bound is written with :g (1.0 as 1); a NumPy int bound like a Python int, with separators."""
    with pytest.raises(ValueError) as info:
        validate.integer(0, "n", minimum=1.0)
    assert str(info.value) == "n must be at least 1, got 0"
    with pytest.raises(ValueError) as info:
        validate.integer(2_000_000, "n", maximum=np.int64(1_234_567))
    assert str(info.value) == "n must be at most 1,234,567, got 2,000,000"


def test_tolerance_default_name_is_tol():
    """A negative tolerance raises naming 'tol' when no name is given."""
    assert validate.tolerance(0) == 0.0
    with pytest.raises(ValueError) as info:
        validate.tolerance(-1)
    assert str(info.value) == "tol must be at least 0, got -1"


# --- interval -------------------------------------------------------------------------------------------


def test_interval_refuses_infinity_by_default_and_accepts_it_when_asked():
    """finite=True (the default) refuses an infinite end; finite=False passes it through."""
    with pytest.raises(ValueError) as info:
        validate.interval((0.0, float("inf")), "r")
    assert str(info.value) == "r must be a finite number, got inf"
    assert validate.interval((0, float("inf")), "r", finite=False) == (0.0, float("inf"))


@pytest.mark.parametrize("value", [(1, 1), (2.0, 1.0)])
def test_interval_needs_low_strictly_below_high(value):
    """Equal ends, or low above high, raise with the pair as given."""
    with pytest.raises(ValueError) as info:
        validate.interval(value, "r")
    assert str(info.value) == f"r must be a pair (low, high) with low < high, got {value!r}"
    assert validate.interval((1, 1.5), "r") == (1.0, 1.5)


# --- choice, instance, integer, elementwise: exact messages ----------------------------------------------


@pytest.mark.parametrize("value, options, message", [
    ("c", ("a", "b"), "mode must be one of 'a', 'b'; got 'c' (str)"),
    ([1], {"a": 1, "b": 2}, "mode must be one of 'a', 'b'; got [1] (list)"),
    ({"a"}, frozenset({"a"}), "mode must be one of 'a'; got {'a'} (set)"),
])
def test_choice_refuses_other_values_and_unhashable_ones_with_the_options_listed(value, options, message):
    """A value not among the options, or an unhashable one looked up in a dict or set, raises listing the options."""
    with pytest.raises(ValueError) as info:
        validate.choice(value, "mode", options)
    assert str(info.value) == message
    assert validate.choice("a", "mode", options) == "a"


@pytest.mark.parametrize("cls, message", [
    ((int, float), "x must be a int or float, got 'a' (str)"),
    ((float,), "x must be a float, got 'a' (str)"),
    (float, "x must be a float, got 'a' (str)"),
])
def test_instance_names_every_class_of_a_tuple(cls, message):
    """A tuple of classes is written 'A or B'; a single class (bare or in a tuple) by its name."""
    with pytest.raises(TypeError) as info:
        validate.instance("a", "x", cls)
    assert str(info.value) == message
    assert validate.instance(1.5, "x", cls) == 1.5


@pytest.mark.parametrize("value, shown", [
    (True, "True (bool)"),
    (np.array(True), "True (bool)"),
    (2.5, "2.5 (float)"),
    ("3", "'3' (str)"),
    (np.array(2.0), "2.0 (float)"),
])
def test_integer_refuses_bools_and_non_integers_with_the_exact_message(value, shown):
    """A bool, a float (even as 0-d arrays) or text is not a whole number: TypeError showing what was given."""
    with pytest.raises(TypeError) as info:
        validate.integer(value, "n")
    assert str(info.value) == f"n must be an integer (a whole number), got {shown}"


def test_elementwise_passes_nan_and_empty_and_names_the_argument_when_refusing():
    """NaN, infinity and empty input pass as float64; text raises naming the argument."""
    out = validate.elementwise([np.nan, np.inf, 1], "z")
    assert out.dtype == np.float64 and np.isnan(out[0]) and out[1] == np.inf and out[2] == 1.0
    assert validate.elementwise([], "z").shape == (0,)
    with pytest.raises(TypeError) as info:
        validate.elementwise("abc", "z")
    assert str(info.value) == "z must be an array of numbers, got 'abc' (str)"


# --- sequence ---------------------------------------------------------------------------------------------


def test_sequence_accepts_an_empty_list_by_default():
    """min_length defaults to 0: an empty list or tuple is returned as []."""
    assert validate.sequence([], "xs") == []
    assert validate.sequence((), "xs") == []


@pytest.mark.parametrize("value, expected", [
    ((1, 2), [1, 2]),
    (np.array([1.0, 2.0]), [1.0, 2.0]),
    (torch.tensor([3.0, 4.0]), [3.0, 4.0]),
])
def test_sequence_accepts_tuples_and_1d_arrays_and_tensors(value, expected):
    """A tuple, a 1-D NumPy array or a 1-D tensor becomes a list of its items."""
    items = validate.sequence(value, "xs")
    assert isinstance(items, list) and len(items) == len(expected)
    assert [float(v) for v in items] == expected


@pytest.mark.parametrize("value, shown", [
    (5, "5 (int)"),
    ("ab", "'ab' (str)"),
    ({1, 2}, "{1, 2} (set)"),
    (np.zeros((2, 2)), "an array of shape (2, 2) and dtype float64"),
    (np.array(1.0), "an array of shape () and dtype float64"),
    (torch.zeros(2, 2), "an array of shape (2, 2) and dtype float32"),
    (torch.tensor(1.0), "an array of shape () and dtype float32"),
])
def test_sequence_refuses_non_sequences_and_arrays_that_are_not_1d(value, shown):
    """Not iterable, text, a set, or an array/tensor with 0 or 2 axes: TypeError showing what was given."""
    with pytest.raises(TypeError) as info:
        validate.sequence(value, "xs")
    assert str(info.value) == f"xs must be a sequence (a list or tuple), got {shown}"


def test_sequence_too_few_items_exact_message():
    """Fewer than min_length items raise naming the minimum and the count; exactly min_length pass."""
    assert validate.sequence([1, 2], "xs", min_length=2) == [1, 2]
    with pytest.raises(ValueError) as info:
        validate.sequence([1], "xs", min_length=2)
    assert str(info.value) == "xs must hold at least 2 items, got 1"


def test_work_counts_numbers_by_default():
    """Without `what`, the refusal speaks of numbers; at the ceiling itself nothing is refused."""
    validate.work(10, "n", 10)
    with pytest.raises(ValueError) as info:
        validate.work(11, "n", 10)
    assert str(info.value) == "n would need 11 numbers, more than the limit of 10: use smaller values"


# ---- array and tensor: the paths only unusual values take, and their exact messages -----------

def test_array_takes_a_tensor_that_requires_grad_as_its_numbers():
    """NumPy cannot read such a tensor itself: array detaches it first."""
    x = torch.tensor([1.5, -2.0], requires_grad=True)
    np.testing.assert_array_equal(validate.array(x, "x"), [1.5, -2.0])


def test_array_takes_python_ints_beyond_int64_as_floats():
    a = validate.array([2**70, 1], "x")  # NumPy holds these as objects
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, [1180591620717411303424.0, 1.0])


def test_array_names_the_entry_kinds_it_refuses():
    with pytest.raises(TypeError, match=r"^x must be an array of numbers with rows of equal length, got \[1, None\] \(list\)$"):
        validate.array([1, None], "x")
    with pytest.raises(TypeError, match=r"^x must be an array of numbers, got \[1000000000000000000000"):
        validate.array([10**400, 1], "x")  # a number no float64 holds


def test_tensor_messages_for_what_is_not_a_tensor():
    with pytest.raises(TypeError, match=r"^x must be a torch\.Tensor, got \[1, 2\] \(list\)$"):
        validate.tensor([1, 2], "x")
    with pytest.raises(TypeError, match=r"^x must be a torch\.Tensor or a NumPy array, got \[1, 2\] \(list\)$"):
        validate.tensor([1, 2], "x", numpy=True)
    with pytest.raises(TypeError, match=r"^x must hold real numbers, got dtype complex128$"):
        validate.tensor(np.array([1j]), "x", numpy=True)


def test_tensor_limit_on_its_entries_is_inclusive():
    assert validate.tensor(torch.zeros(4), "x", max_elements=4).shape == (4,)
    with pytest.raises(ValueError, match=r"^x holds 5 numbers, more than the limit of 4$"):
        validate.tensor(torch.zeros(5), "x", max_elements=4)


def test_tensor_on_the_meta_device_is_not_read():
    """A meta tensor has a shape but no numbers: there is nothing to check for NaN."""
    x = torch.empty(3, device="meta")
    assert validate.tensor(x, "x") is x


def test_array_limit_on_its_entries_is_inclusive():
    assert validate.array(np.zeros(4), "x", max_elements=4).shape == (4,)
    with pytest.raises(ValueError, match=r"^x holds 5 numbers, more than the limit of 4$"):
        validate.array(np.zeros(5), "x", max_elements=4)


def test_array_converts_to_the_dtype_asked_for_without_copying_what_already_has_it():
    a = np.zeros(3)
    assert validate.array(a, "x") is a  # float64 already: no copy of a large array
    assert validate.array([1, 2], "x", dtype=np.float32).dtype == np.float32


def test_array_refuses_a_number_float32_cannot_hold_as_infinite_without_a_warning():
    """1e300 becomes inf in float32: the refusal names it; NumPy's overflow warning is not passed on."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^x must hold finite numbers \(no NaN or infinity\); entry \[0\] is inf$"):
            validate.array([1e300], "x", dtype=np.float32)


def test_real_names_an_int_too_large_for_a_float():
    with pytest.raises(ValueError, match=r"^x is too large for a float, got 100000000000000000000"):
        validate.real(10**400, "x")


def test_real_below_is_exclusive():
    assert validate.real(0.5, "x", below=1) == 0.5
    for value in (1, 2):
        with pytest.raises(ValueError, match=rf"^x must be below 1, got {value}$"):
            validate.real(value, "x", below=1)


def test_array_names_every_number_of_axes_it_allows():
    with pytest.raises(ValueError, match=r"^x must be a 2-D or 3-D array, got shape \(3,\)$"):
        validate.array(np.zeros(3), "x", ndim=(2, 3))
