"""The explorers' base class, and the few public methods no other test calls by name."""

import ipywidgets as widgets
import pytest

from dlexam import backprop, regression
from dlexam.widgets.backprop import FIT_GRID, SavedBytesExplorer, SGDStepExplorer
from dlexam.widgets.base import MESSAGE_COLOURS, Explorer


class Toy(Explorer):
    """Shows `value` squared; a negative value is refused."""

    def __init__(self):
        super().__init__()
        self.preset = widgets.Dropdown(options=["custom", "two"], value="two")
        self.value = widgets.IntText(value=2)
        self.table = widgets.HTML()
        self.updates = 0
        self.ui = widgets.VBox([self.preset, self.value, self.message, self.table])

    def _update(self):
        self.updates += 1
        if self.value.value < 0:
            raise ValueError(f"value must be at least 0, got {self.value.value}")
        self.table.value = str(self.value.value ** 2)


def test_mark_stale_hides_the_results_and_unmark_stale_shows_them_as_they_were():
    """mark_stale hides every result widget (not the message) once; unmark_stale restores each display."""
    e = Toy()
    e.table.layout.display = "flex"
    e.mark_stale()
    e.mark_stale()  # twice: the first display is kept, not "none"
    assert e.stale and e.table.layout.display == "none" and e.message.layout.display is None
    e.unmark_stale()
    assert not e.stale and e.table.layout.display == "flex"


def test_a_refused_value_marks_stale_and_the_next_good_one_clears_the_error():
    """update: a ValueError becomes an error message and hides the results; a good value brings them back."""
    e = Toy()
    e.value.value = -1
    e.update()
    assert e.stale and e.message_kind == "error" and "value must be at least 0, got -1" in e.message.value
    e.value.value = 3
    e.update()
    assert not e.stale and e.message.value == "" and e.table.value == "9"


@pytest.mark.parametrize("kind", ["info", "warning", "error"])
def test_show_message_escapes_the_text_in_its_kind_colours(kind):
    """The text is HTML-escaped, drawn in its kind's colour on its panel; empty text clears it and its kind."""
    e = Toy()
    e.show_message("a < b & c", kind=kind)
    colour, panel = MESSAGE_COLOURS[kind]
    assert "a &lt; b &amp; c" in e.message.value and f"color:{colour}" in e.message.value
    assert f"background:{panel}" in e.message.value and e.message_kind == kind
    e.show_message("")
    assert e.message.value == "" and e.message_kind == ""


def test_leave_preset_shows_custom_once_and_not_while_a_preset_is_applied():
    """A control moved by hand turns the chooser to 'custom' (one update); set_controls holds it back."""
    e = Toy()
    e._holding = True
    e.leave_preset(e.preset)
    assert e.preset.value == "two" and e.updates == 0
    e._holding = False
    e.leave_preset(e.preset)
    assert e.preset.value == "custom" and e.updates == 1
    e.leave_preset(e.preset)  # already custom: just recompute
    assert e.preset.value == "custom" and e.updates == 2


def test_next_substep_and_finish_step_called_directly():
    """next_substep walks 1..5 and closes the step at 5; finish_step from sub-step 2 ends at 5 with one step."""
    e = SGDStepExplorer(batch_size=4)
    e.next_substep()
    assert e.substep == 1 and e.steps == 0
    e.next_substep()
    e.finish_step()
    assert e.substep == 5 and e.steps == 1 and len(e.history) == 1
    assert e.params is e.trace.new_params
    e.finish_step()  # a whole new step
    assert e.substep == 5 and e.steps == 2 and [s for s, *_ in e.history] == [1, 2]


def test_fit_for_is_the_library_fit_on_the_grid_computed_once():
    """fit_for(activation) is fit_activation_bytes of saved_bytes_grid on FIT_GRID, cached per activation."""
    e = SavedBytesExplorer(layers=2, batch_size=4, width=8)
    fit = e.fit_for("tanh")
    grid = backprop.saved_bytes_grid(FIT_GRID["layers"], FIT_GRID["batch_sizes"], FIT_GRID["widths"], "tanh")
    assert fit == backprop.fit_activation_bytes(grid)
    assert e.fit_for("tanh") is fit


@pytest.mark.parametrize("width, depth, sizes", [(16, 1, (16,)), (32, 2, (32, 32)), (16, 3, (16, 16, 16))])
def test_model_config_hidden_sizes_repeat_the_width_depth_times(width, depth, sizes):
    """ModelConfig.hidden_sizes: `depth` hidden layers of `width` units."""
    assert regression.ModelConfig(width=width, depth=depth).hidden_sizes == sizes
