"""Compression: the reference solution of module 16.

Generated from curriculum/modules/16_compression.py by `python -m curriculum.generate`. Do not edit.
"""

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss


def _check_fraction(value, name):
    """A sparsity (or fraction to remove) must be a number in [0, 1): 1 would remove everything."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1) (0.8 zeroes 80% of the weights), got {value!r}")


def _linear(weight, bias):
    """A Linear holding copies of these arrays (bias None: no bias)."""
    layer = Linear(weight.shape[0], weight.shape[1], bias=bias is not None)
    layer.weight.data = np.array(weight, dtype=np.float32)
    if bias is not None:
        layer.bias.data = np.array(bias, dtype=np.float32)
    return layer


def magnitude_mask(weight, sparsity):
    """A float32 array of weight's shape: 0 at the round(sparsity * size) smallest |weight|, 1 elsewhere."""
    _check_fraction(sparsity, "sparsity")
    k = int(round(sparsity * weight.size))
    order = np.argsort(np.abs(weight), axis=None, kind="stable")
    mask = np.ones(weight.size, dtype=np.float32)
    mask[order[:k]] = 0
    return mask.reshape(weight.shape)


class PrunedLinear(Linear):
    """A Linear with a fixed 0/1 mask on its weight: computes x @ (weight * mask) + bias, so the
    pruned weights get zero gradient and stay zero through fine-tuning."""

    def __init__(self, linear, sparsity):
        """Copy linear's weights, prune the smallest ones to `sparsity` (self.mask), zero them."""
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.mask = magnitude_mask(linear.weight.data, sparsity)
        self.weight = Tensor(linear.weight.data * self.mask, requires_grad=True)
        self.bias = None if linear.bias is None else Tensor(linear.bias.data.copy(), requires_grad=True)

    def forward(self, x):
        """x @ (weight * mask) + bias."""
        out = x @ (self.weight * Tensor(self.mask))
        return out if self.bias is None else out + self.bias

    def __repr__(self):
        return f"PrunedLinear(in_features={self.in_features}, out_features={self.out_features}, sparsity={1 - self.mask.mean():.2f})"


def _map_linears(model, convert):
    """A copy of the Sequential `model` with convert(layer) in place of every Linear (nested Sequentials too)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"expected a Sequential model, got {type(model).__name__}")
    return Sequential(*[convert(layer) if isinstance(layer, Linear) else _map_linears(layer, convert)
                        if isinstance(layer, Sequential) else layer for layer in model.layers])


def magnitude_prune(model, sparsity):
    """A copy of the Sequential `model` in which every Linear is a PrunedLinear at `sparsity`."""
    _check_fraction(sparsity, "sparsity")
    return _map_linears(model, lambda layer: PrunedLinear(layer, sparsity))


def _weights(model):
    """The weight arrays of every Linear in the model (the masked values for a PrunedLinear)."""
    found = []
    for layer in model.layers:
        if isinstance(layer, Sequential):
            found += _weights(layer)
        elif isinstance(layer, Linear):
            found.append(layer.weight.data * layer.mask if isinstance(layer, PrunedLinear) else layer.weight.data)
    return found


def sparsity(model):
    """The fraction of the model's Linear weights that are exactly zero (biases not counted)."""
    weights = _weights(model)
    return float(sum(int(np.sum(w == 0)) for w in weights) / sum(w.size for w in weights))


def to_csr(weight):
    """(values float32, col_indices int32, row_ptr int32) of a 2-D array: its non-zeros, row by row."""
    rows, cols = np.nonzero(weight)
    counts = np.bincount(rows, minlength=weight.shape[0])
    row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return weight[rows, cols].astype(np.float32), cols.astype(np.int32), row_ptr


def from_csr(values, col_indices, row_ptr, shape):
    """The dense array that to_csr stored (a check that nothing was lost)."""
    dense = np.zeros(shape, dtype=np.float32)
    rows = np.repeat(np.arange(shape[0]), np.diff(row_ptr))
    dense[rows, col_indices] = values
    return dense


def csr_bytes(model):
    """Bytes to store the model's Linear weights in CSR (the arrays' real nbytes), biases dense."""
    total = 0
    for weight in _weights(model):
        total += sum(array.nbytes for array in to_csr(weight))
    biases = [layer.bias for layer in _all_linears(model) if layer.bias is not None]
    return int(total + sum(b.data.nbytes for b in biases))


def _all_linears(model):
    """Every Linear of the model, nested Sequentials included."""
    found = []
    for layer in model.layers:
        found += _all_linears(layer) if isinstance(layer, Sequential) else [layer] if isinstance(layer, Linear) else []
    return found


def structured_prune(model, fraction):
    """A copy of a flat Sequential with round(fraction * n) of the n outputs of every Linear but the
    last removed (the smallest L2 norm of their weight column), and the matching rows of the next Linear.
    """
    _check_fraction(fraction, "fraction")
    if not isinstance(model, Sequential) or any(isinstance(layer, Sequential) for layer in model.layers):
        raise TypeError("structured_prune works on a flat Sequential (Linears and element-wise layers)")
    layers = [_linear(l.weight.data, None if l.bias is None else l.bias.data) if isinstance(l, Linear) else l for l in model.layers]
    positions = [i for i, layer in enumerate(layers) if isinstance(layer, Linear)]
    for a, b in zip(positions, positions[1:]):
        first, second = layers[a], layers[b]
        n = first.out_features
        n_keep = max(1, n - int(round(fraction * n)))
        keep = np.sort(np.argsort(-np.linalg.norm(first.weight.data, axis=0), kind="stable")[:n_keep])
        layers[a] = _linear(first.weight.data[:, keep], None if first.bias is None else first.bias.data[keep])
        layers[b] = _linear(second.weight.data[keep], None if second.bias is None else second.bias.data)
    return Sequential(*layers)


def low_rank(linear, rank):
    """Sequential(Linear(in, rank, bias=False), Linear(rank, out)) whose product is the best rank-`rank`
    approximation of linear's weight, with linear's bias on the second.
    """
    if not isinstance(rank, (int, np.integer)) or not 1 <= rank <= min(linear.in_features, linear.out_features):
        raise ValueError(f"rank must be a whole number from 1 to min(in, out) = {min(linear.in_features, linear.out_features)} "
                         f"for {linear!r}, got {rank!r}")
    u, s, vt = np.linalg.svd(linear.weight.data, full_matrices=False)
    first = _linear(u[:, :rank] * s[:rank], None)
    second = _linear(vt[:rank], None if linear.bias is None else linear.bias.data)
    return Sequential(first, second)


def _log_softmax(z):
    """log(softmax(z)) along the last axis, from Tensor operations (so it has gradients)."""
    shifted = z - Tensor(z.data.max(axis=-1, keepdims=True))  # a constant shift: no gradient needed
    return shifted - shifted.exp().sum(axis=-1, keepdims=True).log()


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    """alpha * T² * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * cross-entropy(student, targets),
    averaged over the batch; a scalar Tensor with gradients for the student.
    """
    teacher = teacher_logits.data if isinstance(teacher_logits, Tensor) else np.asarray(teacher_logits, dtype=np.float32)
    if teacher.shape != student_logits.shape:
        raise ValueError(f"distillation_loss: student logits {student_logits.shape} and teacher logits {teacher.shape} must have the same shape")
    if not temperature > 0:
        raise ValueError(f"distillation_loss: temperature must be > 0, got {temperature}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"distillation_loss: alpha must be in [0, 1] (the weight of the teacher's term), got {alpha}")
    t = teacher / temperature
    t = t - t.max(axis=-1, keepdims=True)
    log_pt = t - np.log(np.exp(t).sum(axis=-1, keepdims=True))
    log_ps = _log_softmax(student_logits / temperature)
    kl = (Tensor(np.exp(log_pt)) * (Tensor(log_pt) - log_ps)).sum() / student_logits.shape[0]
    return kl * (alpha * temperature * temperature) + CrossEntropyLoss()(student_logits, targets) * (1 - alpha)
