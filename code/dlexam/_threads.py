"""How many threads torch computes with inside a block: set on entry, restored on exit."""

import contextlib

import torch


@contextlib.contextmanager
def torch_threads(n=1):
    """Run torch on ``n`` intra-op threads inside the block (None: leave the setting), then restore it.

    The book's networks are small: one thread is fastest for them, more threads mostly wait on
    each other (many times slower on a busy two-core machine).
    """
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
