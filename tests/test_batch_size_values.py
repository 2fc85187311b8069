"""dlexam.batch_size: looking up a recorded update, and the exact message when it was not recorded."""

import numpy as np
import pytest

from dlexam import batch_size as bs


def _history(updates):
    k = len(updates)
    return bs.BatchHistory(config=bs.BatchConfig(), epochs=np.arange(k), updates=np.array(updates),
                           train_loss=np.zeros((1, k)), val_loss=np.zeros((1, k)), val_accuracy=np.zeros((1, k)),
                           grad_norm=np.zeros((1, k)), params=[])


def test_at_update_finds_the_record_or_says_it_is_missing():
    """Updates 0, 18, 36, 42 are records 0..3; 20 updates were never recorded."""
    history = _history([0, 18, 36, 42])
    assert [history.at_update(u) for u in (0, 18, 36, 42)] == [0, 1, 2, 3]
    with pytest.raises(ValueError) as info:
        history.at_update(20)
    assert str(info.value) == "no record after exactly 20 updates"
