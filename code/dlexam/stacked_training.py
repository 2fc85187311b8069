"""The book's fast trainer: many runs of question III trained at once, as one stacked model.

``train`` does what ``training.train_plain`` does, for one run or many, and gives the same
curves for the same settings up to float rounding (the tests check it). Runs that share an
architecture and the hyperparameters that shape the computation (learning rate, batch size,
epochs, training set size) are stacked into one batched model: each Linear layer of R runs
becomes one ``torch.baddbmm`` over a (R, out, in) weight tensor, and one Adam step, written
out over one flat parameter tensor, updates all of them. Few large tensor operations instead
of many small ones: that is where the speed comes from. Nothing couples the runs: each has its
own random streams (initialisation and batch order, rotations, permutations), its own loss
term, and Adam acts element by element, so a run trained in a stack follows the same
trajectory as when trained alone.

Each stack computes on one thread: its tensors are small, and splitting every operation
between threads costs more in synchronisation than it gains (on a busy machine, far more).
The cores are used instead by training stacks side by side, one thread each, after the
largest stacks are split so that the work divides evenly.

The pages, the live widget, the bias-variance experiment and the benchmark all train with it.

The settings are checked by ``training.TrainConfig`` (with its ceilings) and by ``train``
before any work starts; a run whose loss turns NaN or huge stops as 'diverged'.
"""

import concurrent.futures
import copy
import math
import os
import time

import torch
import torch.nn.functional as F
from torch import nn

from dlexam import augment, models, particles
from dlexam._threads import torch_threads
from dlexam.training import (
    MODEL_STREAM,
    PERMUTATION_STREAM,
    ROTATION_STREAM,
    History,
    TrainConfig,
    training_set,
    validation_set,
)

# A run whose mini-batch loss exceeds this (in units of Var(P)) has diverged: predicting
# the mean scores 1, so no run that is still learning comes anywhere near it.
DIVERGED_LOSS = 1e6

_VALIDATION_CHUNK = 100  # configurations per forward pass when computing the validation loss
MAX_WORKERS = 256  # threads that train stacks side by side


# Relative cost of one run's epoch per training configuration, to divide work between cores.
_COST = {"mlp": 1.0, "deepsets": 4.0, "pairsum": 3.0}


def _apply_stacked(sequential, params, x):
    """Apply one nn.Sequential of Linear/ELU layers to R runs at once: (R, M, in) -> (R, M, out)."""
    k = 0
    for layer in sequential:
        if isinstance(layer, nn.Linear):
            weight, bias = params[k], params[k + 1]  # (R, out, in), (R, out)
            x = torch.baddbmm(bias[:, None, :], x, weight.transpose(1, 2))  # (R, M, out)
            k += 2
        elif isinstance(layer, nn.ELU):
            x = F.elu(x, inplace=True)  # x is a fresh output: saves an allocation
        else:
            raise TypeError(f"cannot stack a {type(layer).__name__} layer")
    return x


class _Adam:
    """Adam with PyTorch's defaults (betas 0.9, 0.999; eps 1e-8) on one flat parameter tensor.

    Written out for two reasons: an update of all parameters of all runs is then six tensor
    operations instead of six per parameter tensor, and constructing a torch.optim optimiser
    first imports torch._dynamo, which takes about a second: too long for the widget.
    """

    def __init__(self, params, grads, lr, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.grads, self.lr, self.betas, self.eps = params, grads, lr, betas, eps
        self.m = torch.zeros_like(params)  # first moments
        self.v = torch.zeros_like(params)  # second moments
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1**self.t)
        root_correction = math.sqrt(1 - beta2**self.t)
        self.m.lerp_(self.grads, 1 - beta1)
        self.v.mul_(beta2).addcmul_(self.grads, self.grads, value=1 - beta2)
        self.params.addcdiv_(self.m, self.v.sqrt().div_(root_correction).add_(self.eps), value=-step_size)
        self.grads.zero_()


class _Stack:
    """R runs of one architecture trained together; the parameters are (R, ...) tensors."""

    def __init__(self, configs, X_train, y_train):
        self.configs = configs
        self.name = configs[0].model
        # Three independent streams per run, so switching one augmentation on or off leaves
        # the initialisation, the batch order and the other augmentation's draws unchanged.
        self.generators = [particles.stream_generator(c.seed, MODEL_STREAM) for c in configs]
        self.rotation_generators = [particles.stream_generator(c.seed, ROTATION_STREAM) for c in configs]
        self.permutation_generators = [particles.stream_generator(c.seed, PERMUTATION_STREAM) for c in configs]
        runs = [models.make_model(self.name, g) for g in self.generators]
        self.template = runs[0]
        # All parameters of all runs live in one flat tensor: each stacked weight or bias,
        # (R, out, in) or (R, out), is a contiguous view into it, and its gradient a view
        # into a matching flat gradient tensor, so one Adam update covers everything.
        stacked = [torch.stack([p.detach() for p in same]) for same in zip(*(run.parameters() for run in runs))]
        flat = torch.cat([p.flatten() for p in stacked])  # (R * parameters per run,)
        flat_grad = torch.zeros_like(flat)
        self.params, offset = [], 0
        for p in stacked:
            view = flat[offset:offset + p.numel()].view(p.shape).requires_grad_()
            view.grad = flat_grad[offset:offset + p.numel()].view(p.shape)  # backward adds into it
            self.params.append(view)
            offset += p.numel()
        self.optimizer = _Adam(flat, flat_grad, lr=configs[0].lr)
        self.X = X_train  # (R, N, 20, 3)
        self.y = y_train  # (R, N)
        self.rotate = [c.rotate for c in configs]
        self.permute = [c.permute for c in configs]
        self.active = torch.ones(len(configs), dtype=torch.bool)

    def forward(self, X):
        """(R, B, m, 3) -> (R, B): every run's prediction for its own batch."""
        R, B, m, _ = X.shape
        net = self.template
        if self.name == "mlp":
            out = _apply_stacked(net.layers, self.params, X.reshape(R, B, m * 3))  # (R, B, 1)
        elif self.name == "deepsets":
            n_phi = len(list(net.phi.parameters()))
            features = _apply_stacked(net.phi.layers, self.params[:n_phi], X.reshape(R, B * m, 3))  # (R, B*m, 64)
            pooled = features.reshape(R, B, m, -1).sum(dim=2)  # (R, B, 64)
            out = _apply_stacked(net.rho.layers, self.params[n_phi:], pooled)  # (R, B, 1)
        else:  # pairsum
            distances = models.pair_distances(X.reshape(R * B, m, 3)).reshape(R, -1, 1)  # (R, B*pairs, 1)
            per_pair = _apply_stacked(net.psi.layers, self.params, distances)  # (R, B*pairs, 1)
            out = per_pair.reshape(R, B, -1).mean(dim=2, keepdim=True)  # (R, B, 1)
        return out.squeeze(-1)  # (R, B)

    def augment(self, X):
        """(R, N, m, 3) -> (R, N, m, 3): each run's configurations augmented from its own streams."""
        R, N, m, _ = X.shape
        normals = [
            torch.randn(N, 3, 3, generator=g, dtype=torch.float64)
            for g, rotate in zip(self.rotation_generators, self.rotate) if rotate
        ]
        uniforms = [
            torch.rand(N, m, generator=g, dtype=torch.float64)  # float64: ties are negligible
            for g, permute in zip(self.permutation_generators, self.permute) if permute
        ]
        if normals:
            A = torch.cat(normals)  # (r*N, 3, 3)
            rotations = augment.rotations_from_normal(A)  # (r*N, 3, 3)
            hint = torch.tensor([c.rotation_sampler == "exam hint" for c in self.configs if c.rotate])
            if hint.any():
                hint = hint.repeat_interleave(N)  # (r*N,)
                rotations[hint] = augment.qr_hint_from_normal(A[hint])
            rotations = rotations.to(X.dtype)
            chosen = torch.tensor(self.rotate)
            X[chosen] = augment.apply_rotations(X[chosen].reshape(-1, m, 3), rotations).reshape(-1, N, m, 3)
        if uniforms:
            permutations = torch.cat(uniforms).argsort(dim=1)  # (p*N, m)
            chosen = torch.tensor(self.permute)
            X[chosen] = augment.apply_permutations(X[chosen].reshape(-1, m, 3), permutations).reshape(-1, N, m, 3)
        return X

    def epoch(self, X_val, y_val, histories, validate):
        """One pass over every run's training set, then (if validate) the validation loss."""
        R, N = self.y.shape
        batch_size = self.configs[0].batch_size
        order = torch.stack([torch.randperm(N, generator=g) for g in self.generators])  # (R, N)
        runs = torch.arange(R)[:, None]  # (R, 1)
        # Shuffle and augment the whole epoch at once (indexing copies, so self.X stays
        # as it is): one large operation instead of one per mini-batch.
        X = self.augment(self.X[runs, order])  # (R, N, 20, 3)
        y = self.y[runs, order]  # (R, N)
        squared_error_sum = torch.zeros(R, dtype=torch.float64)
        for start in range(0, N, batch_size):
            batch = slice(start, start + batch_size)
            per_run = ((self.forward(X[:, batch]) - y[:, batch]) ** 2).mean(dim=1)  # (R,)
            # Runs that diverged in an earlier epoch drop out of the loss. A run diverging
            # now fills only its own slice of each tensor with inf or NaN: no other run sees it.
            per_run[self.active].sum().backward()
            self.optimizer.step()
            squared_error_sum += per_run.detach().double() * (min(start + batch_size, N) - start)
        train_loss = squared_error_sum / N  # (R,)
        self._check(train_loss, histories, "training")
        if validate:
            val_loss = ((self.predict(X_val) - y_val) ** 2).mean(dim=1)  # (R,)
            self._check(val_loss, histories, "validation")
        for r in torch.nonzero(self.active).flatten().tolist():
            histories[r].train_loss.append(float(train_loss[r]))
            if validate:
                histories[r].val_loss.append(float(val_loss[r]))

    @torch.no_grad()
    def predict(self, X):
        """(M, m, 3) -> (R, M): every run's prediction for the same configurations."""
        # In chunks: the activations of a chunk stay in the processor's cache.
        return torch.cat([self.forward(chunk.expand(len(self.configs), *chunk.shape))
                          for chunk in X.split(_VALIDATION_CHUNK)], dim=1)

    def _check(self, losses, histories, which):
        """Mark the active runs whose loss is non-finite or huge as diverged."""
        bad = self.active & ~(torch.isfinite(losses) & (losses < DIVERGED_LOSS))  # (R,)
        for r in torch.nonzero(bad).flatten().tolist():
            config = self.configs[r]
            histories[r].status = "diverged"
            histories[r].message = (
                f"{config.label} diverged in epoch {histories[r].epochs_run + 1}: the {which} loss "
                f"became {float(losses[r]):.3g}. Lower the learning rate (lr={config.lr:g})."
            )
        self.active &= ~bad

    def model(self, r):
        """Run r's trained parameters in a fresh nn.Module."""
        module = copy.deepcopy(self.template)  # not a new model: that would draw from the global RNG
        with torch.no_grad():
            for target, stacked in zip(module.parameters(), self.params):
                target.copy_(stacked[r])
        return module.eval()


def _check_configs(configs):
    single = isinstance(configs, TrainConfig)
    if not single and not isinstance(configs, (list, tuple)):
        raise TypeError(f"configs must be a TrainConfig or a list of them, got {type(configs).__name__}")
    configs = [configs] if single else list(configs)
    if not configs:
        raise ValueError("configs must hold at least one TrainConfig")
    for c in configs:
        if not isinstance(c, TrainConfig):
            raise TypeError(f"configs must be TrainConfig objects, got {type(c).__name__}")
    return single, configs


def available_cores():
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _divide(groups, configs, workers):
    """Split the largest groups of run indices until the work divides evenly; assign them to workers.

    Returns one list of groups per worker (longest-processing-time-first assignment).
    """
    def cost(members):
        return sum(_COST[configs[i].model] * configs[i].n_train * configs[i].epochs for i in members)

    units = [list(m) for m in groups]
    target = sum(cost(m) for m in units) / workers
    while True:
        largest = max(units, key=cost)
        if cost(largest) <= target or len(largest) < 2:
            break
        units.remove(largest)
        half = len(largest) // 2
        units += [largest[:half], largest[half:]]
    loads, assigned = [0.0] * workers, [[] for _ in range(workers)]
    for members in sorted(units, key=cost, reverse=True):
        w = loads.index(min(loads))
        assigned[w].append(members)
        loads[w] += cost(members)
    return [a for a in assigned if a]


def train(configs, callback=None, validate=True, progress=None, workers=None):
    """Train one TrainConfig (returns a History) or a sequence of them (returns a list of Histories).

    ``callback``, if given, is called after every epoch with what ``train`` would return at
    that point (a History or the list); returning False stops all runs (status 'stopped').
    ``validate=False`` skips the validation loss after each epoch (``val_loss`` stays empty):
    for experiments that only need the trained models. ``progress``, a number of seconds,
    prints a line at most that often while training. ``workers``: how many stacks train side
    by side, one core each (default: the cores available). A diverging run stops with status
    'diverged' and a message; the other runs go on. The same configs give the same
    histories, bit for bit, on the same machine.
    """
    single, configs = _check_configs(configs)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    if not isinstance(validate, bool):
        raise TypeError(f"validate must be True or False, got {validate!r}")
    if progress is not None and (isinstance(progress, bool) or not isinstance(progress, (int, float))
                                 or not 0 < progress < math.inf):
        raise ValueError(f"progress must be a positive number of seconds or None, got {progress!r}")

    workers = available_cores() if workers is None else workers
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    if workers > MAX_WORKERS:
        raise ValueError(f"workers must be at most {MAX_WORKERS}, got {workers:,}")

    start = time.perf_counter()
    histories = [History(config=c) for c in configs]
    groups = {}
    for i, c in enumerate(configs):
        groups.setdefault((c.model, c.lr, c.batch_size, c.epochs, c.n_train), []).append(i)
    plan = _divide(groups.values(), configs, workers)  # per worker: the groups it trains
    stacks = []  # per worker: [(members, _Stack), ...]
    with torch_threads():  # making the data sets is small work too
        X_val, y_val = validation_set()
        for worker_groups in plan:
            stacks.append([])
            for members in worker_groups:
                data = [training_set(configs[i]) for i in members]
                X_train = torch.stack([X for X, _ in data])  # (R, N, 20, 3)
                y_train = torch.stack([y for _, y in data])  # (R, N)
                stacks[-1].append((members, _Stack([configs[i] for i in members], X_train, y_train)))

    def run_epochs(worker_stacks, first, last):
        with torch_threads():
            for epoch in range(first, last):
                for members, stack in worker_stacks:
                    if epoch < stack.configs[0].epochs and stack.active.any():
                        stack.epoch(X_val, y_val, [histories[i] for i in members], validate)

    def report():
        done = sum(h.epochs_run if h.status == "running" else h.config.epochs for h in histories)
        total = sum(h.config.epochs for h in histories)
        print(f"  training {len(histories)} runs: {done / total:.0%} done, {time.perf_counter() - start:.0f} s",
              flush=True)

    epochs = max(c.epochs for c in configs)
    with concurrent.futures.ThreadPoolExecutor(len(stacks)) as pool:
        if callback is None:
            # Every worker trains its stacks to the end on its own; this thread only reports.
            futures = [pool.submit(run_epochs, worker_stacks, 0, epochs) for worker_stacks in stacks]
            while concurrent.futures.wait(futures, timeout=progress).not_done:
                report()
            for future in futures:
                future.result()  # re-raises an error of the worker
            if progress is not None:
                report()
        else:
            # Epoch by epoch, so that the callback sees every run after every epoch.
            for epoch in range(epochs):
                for future in [pool.submit(run_epochs, worker_stacks, epoch, epoch + 1) for worker_stacks in stacks]:
                    future.result()
                elapsed = time.perf_counter() - start
                for h in histories:
                    h.seconds = elapsed
                if callback(histories[0] if single else histories) is False:
                    for h in histories:
                        if h.status == "running" and h.epochs_run < h.config.epochs:
                            h.status = "stopped"
                            h.message = f"{h.config.label}: stopped after epoch {h.epochs_run}."
                    break

    for members, stack in (pair for worker_stacks in stacks for pair in worker_stacks):
        for r, i in enumerate(members):
            h = histories[i]
            if h.status == "running":
                h.status = "completed"
                h.message = f"{h.config.label}: {h.epochs_run} epochs."
            if h.status != "diverged":
                h.model = stack.model(r)
    for h in histories:
        h.seconds = time.perf_counter() - start
    return histories[0] if single else histories
