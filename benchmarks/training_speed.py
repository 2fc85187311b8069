"""Time the eight training runs of exam III(E): the book's stacked trainer against plain loops.

All train the same eight runs ({MLP, DeepSets} x {none, rotations, permutations, both}) with
the book's settings (training.BOOK_CONFIG): same epochs, batch size, learning rate, initial
weights and data. Compared:

- ``stacked_training.train``: runs of one architecture stacked into one batched model, each
  stack on one thread, stacks side by side on the available cores (and on one core, to see
  what the side-by-side part adds);
- ``training.train_plain``: the book's reference loop, one run at a time, batched
  augmentation, torch.optim.Adam, on 1 and on 2 intra-op threads;
- a straightforward loop: one run at a time with a DataLoader, augmenting sample by sample
  with NumPy as the exam's hint suggests (``np.linalg.qr(rng.normal(size=(3, 3)))[0]`` and
  ``rng.shuffle``), on 2 threads.

Also measured: the time from a cold start to the first epoch of a single live run, which
is what a reader waits for after clicking "train" in the widget. Process CPU time is printed
beside wall time: on a machine that other work keeps busy, it is the better guide.

    python benchmarks/training_speed.py [--epochs N] [--batch-size B] [--lr LR] [--skip-straightforward]
"""

import argparse
import dataclasses
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from dlexam import particles, stacked_training, training


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

    stacked_training.train(config, callback=callback)
    return seen[0]


def timed(function, *args, **kwargs):
    """(result, wall seconds, process CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=training.BOOK_CONFIG.epochs)
    parser.add_argument("--batch-size", type=int, default=training.BOOK_CONFIG.batch_size)
    parser.add_argument("--lr", type=float, default=training.BOOK_CONFIG.lr)
    parser.add_argument("--skip-straightforward", action="store_true", help="skip the slowest comparison")
    args = parser.parse_args()
    base = dataclasses.replace(training.BOOK_CONFIG, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr)
    configs = training.exam_configs(base)
    cores = stacked_training.available_cores()
    print(f"settings: epochs={base.epochs}, batch_size={base.batch_size}, lr={base.lr:g}, "
          f"n_train={base.n_train}, n_validation={particles.N_VALIDATION}, cores available={cores}")

    # Constructing a torch.optim optimiser imports torch._dynamo (about a second): do it
    # before any clock starts, so no timing pays for it.
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])

    live = dataclasses.replace(base, model="deepsets", rotate=True, permute=True)
    latency = first_epoch_latency(live)
    print(f"first epoch of a single live run ({live.label}, cold start): {latency:.2f} s (target < 1 s)")

    rows = []
    histories, wall, cpu = timed(stacked_training.train, configs)
    rows.append((f"stacked, {cores} cores side by side", wall, cpu))
    _, wall, cpu = timed(stacked_training.train, configs, workers=1)
    rows.append(("stacked, one core", wall, cpu))
    plain = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results, wall, cpu = timed(lambda: [training.train_plain(c) for c in configs])
        plain[threads] = results
        rows.append((f"train_plain, one run at a time, {threads} thread(s)", wall, cpu))
    loop_results = None
    if not args.skip_straightforward:
        torch.set_num_threads(2)
        loop_results, wall, cpu = timed(lambda: [train_straightforward(c) for c in configs])
        rows.append(("straightforward (DataLoader, NumPy per sample), 2 threads", wall, cpu))

    print("final MSE in units of Var(P), train / validation (validation randomly rotated and permuted):")
    print(f"{'run':24s} {'stacked':>17s} {'train_plain':>17s} {'straightforward':>17s}")
    for i, h in enumerate(histories):
        p = plain[1][i]
        loop = f"{loop_results[i][0][-1]:8.4f} {loop_results[i][1][-1]:8.4f}" if loop_results else ""
        print(f"{h.config.label:24s} {h.train_loss[-1]:8.4f} {h.val_loss[-1]:8.4f} "
              f"{p.train_loss[-1]:8.4f} {p.val_loss[-1]:8.4f} {loop}")
    print(f"{'trainer':60s} {'wall s':>7s} {'CPU s':>7s}")
    for name, wall, cpu in rows:
        print(f"{name:60s} {wall:7.1f} {cpu:7.1f}")


if __name__ == "__main__":
    main()
