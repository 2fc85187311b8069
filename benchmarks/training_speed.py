"""Time the eight training runs of exam III(E): the book's trainer against a straightforward loop.

Both train the same eight runs ({MLP, DeepSets} x {none, rotations, permutations, both}) with
the book's settings (training.BOOK_CONFIG): same epochs, batch size, learning rate, initial
weights and data, on 2 threads. The book's trainer stacks the runs of each architecture
into one batched model and augments whole batches at once. The straightforward loop trains
one run at a time with a DataLoader and augments sample by sample with NumPy, as the exam's
hint suggests: ``np.linalg.qr(rng.normal(size=(3, 3)))[0]`` and ``rng.shuffle``.

Also measured: the time from a cold start to the first epoch of a single live run, which
is what a reader waits for after clicking "train" in the widget.

    python benchmarks/training_speed.py [--epochs N] [--batch-size B] [--lr LR]
"""

import argparse
import dataclasses
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from dlexam import particles, training


class AugmentedParticles(Dataset):
    """Configurations augmented one at a time, the way the exam's hint suggests."""

    def __init__(self, X, y, rotate, permute, rng):
        self.X, self.y = X.numpy(), y
        self.rotate, self.permute, self.rng = rotate, permute, rng

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        x = self.X[i].copy()  # (20, 3)
        if self.rotate:
            x = x @ np.linalg.qr(self.rng.normal(size=(3, 3)))[0].T
        if self.permute:
            self.rng.shuffle(x)  # shuffles the rows: the particles
        return torch.from_numpy(x.astype(np.float32)), self.y[i]


def train_straightforward(config):
    """One run, one mini-batch at a time: returns (train_loss, val_loss) per epoch."""
    X, y, X_val, y_val = training.training_data(config)
    model = training.initial_model(config)  # the same initial weights as the book's trainer
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    data = AugmentedParticles(X, y, config.rotate, config.permute, np.random.default_rng(config.seed))
    loader = DataLoader(data, batch_size=config.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(config.seed))
    train_loss, val_loss = [], []
    for _ in range(config.epochs):
        total = 0.0
        for xb, yb in loader:
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        train_loss.append(total / len(data))
        with torch.no_grad():
            val_loss.append(torch.nn.functional.mse_loss(model(X_val), y_val).item())
    return train_loss, val_loss


def first_epoch_latency(config):
    """Seconds from calling train to the first epoch's callback, for one run."""
    start = time.perf_counter()
    seen = []

    def callback(history):
        seen.append(time.perf_counter() - start)
        return False  # the widget's stop button: one epoch is all we time

    training.train(config, callback=callback)
    return seen[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=training.BOOK_CONFIG.epochs)
    parser.add_argument("--batch-size", type=int, default=training.BOOK_CONFIG.batch_size)
    parser.add_argument("--lr", type=float, default=training.BOOK_CONFIG.lr)
    args = parser.parse_args()
    torch.set_num_threads(2)
    base = dataclasses.replace(training.BOOK_CONFIG, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr)
    configs = training.exam_configs(base)
    print(f"settings: epochs={base.epochs}, batch_size={base.batch_size}, lr={base.lr:g}, "
          f"n_train={base.n_train}, n_validation={particles.N_VALIDATION}, threads={torch.get_num_threads()}")

    # Constructing a torch.optim optimiser imports torch._dynamo (about a second): do it
    # before any clock starts, so neither timing pays for it.
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])

    live = dataclasses.replace(base, model="deepsets", rotate=True, permute=True)
    latency = first_epoch_latency(live)
    print(f"first epoch of a single live run ({live.label}, cold start): {latency:.2f} s (target < 1 s)")

    start = time.perf_counter()
    histories = training.train(configs)
    book_seconds = time.perf_counter() - start

    loop_seconds, loop_results = 0.0, []
    for config in configs:
        start = time.perf_counter()
        loop_results.append(train_straightforward(config))
        seconds = time.perf_counter() - start
        loop_seconds += seconds
        loop_results[-1] += (seconds,)

    print("final MSE in units of Var(P), train / validation (validation randomly rotated and permuted):")
    print(f"{'run':24s} {'book trainer':>17s} {'straightforward':>17s} {'loop s':>7s}")
    for h, (train_loss, val_loss, seconds) in zip(histories, loop_results):
        print(f"{h.config.label:24s} {h.train_loss[-1]:8.4f} {h.val_loss[-1]:8.4f} "
              f"{train_loss[-1]:8.4f} {val_loss[-1]:8.4f} {seconds:7.1f}")
    print(f"book trainer: all eight runs together; per run {book_seconds / len(configs):.2f} s on average")
    print(f"book trainer: {book_seconds:.1f} s | straightforward loop: {loop_seconds:.1f} s "
          f"| speed-up: {loop_seconds / book_seconds:.1f}x")


if __name__ == "__main__":
    main()
