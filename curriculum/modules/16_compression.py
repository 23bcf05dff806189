# %% [markdown]
# # Module 16: Compression, fewer numbers for the same answers
#
# Quantization (15) stored every weight in fewer bits. Compression keeps fewer weights. A trained
# network is full of weights that barely matter: zero the smallest 80% and, after a short
# fine-tune, it predicts nearly as well. Or remove whole neurons, and the matrices themselves get
# smaller. Or replace one big matrix by two thin ones. Or train a small network to imitate a big
# one. Four ideas, each measured here in numbers you can check.
#
# **You've built:** training (08), the profiling tools (14: `count_parameters`, `model_bytes`),
# int8 quantization (15).
# **You'll build:** `magnitude_prune` (unstructured, with a mask that keeps pruned weights at
# zero through fine-tuning), `sparsity` and `csr_bytes` (the stored size in a sparse format),
# `structured_prune` (whole neurons removed), `low_rank` (a Linear factorised by SVD) and
# `distillation_loss` (temperature and alpha).
# **You'll enable:** the optimization round of milestone 06 and the Memory Challenge of the
# Torch Olympics (20).
#
# ```
# Profiling (14) -> Quantization (15) -> [Compression (16)] -> Acceleration (17) -> ...
# ```
#
# **Learning objectives**
# 1. Prune by magnitude to an exact sparsity, and keep the pruned weights at zero while training.
# 2. Know when sparsity saves bytes (a sparse format) and when it saves time (structured pruning).
# 3. Factorise a layer with the SVD and predict its error from the singular values.
# 4. Train a student on a teacher's softened outputs (knowledge distillation).

# %%
#| export
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss

# %% [markdown]
# ## Magnitude pruning, with a mask
#
# The simplest rule works well: the weights with the smallest |w| matter least. To reach a
# sparsity `s` (the fraction of zeros), zero exactly `round(s * size)` of them, the smallest.
# Sorting all |w| once (`np.argsort`) gives them, ties included, so the count is exact.
#
# Then the trap: fine-tuning. The optimizer updates every weight that has a gradient, and the
# gradient of a zeroed weight is usually not zero, so training would **regrow** it. The fix is a
# **mask**, 1 for kept weights and 0 for pruned ones, used in the forward pass: the layer
# computes `x @ (weight * mask)`. Through the multiplication, autograd gives a pruned weight the
# gradient `... * 0 = 0`: no optimizer ever moves it, and even if one did, the mask would zero
# it again in the next forward.

# %%
#| export
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
    """A float32 array of weight's shape: 0 at the round(sparsity * size) smallest |weight|, 1 elsewhere.

    TODO: k = the number to prune; sort |weight| flattened; zero the first k positions of a mask.

    APPROACH:
    1. _check_fraction(sparsity, "sparsity"); k = int(round(sparsity * weight.size))
    2. order = np.argsort(np.abs(weight), axis=None, kind="stable")   (flattened indices, smallest first)
    3. mask = ones of weight.size (float32); mask[order[:k]] = 0; reshape to weight.shape
    """
    ### BEGIN SOLUTION
    _check_fraction(sparsity, "sparsity")
    k = int(round(sparsity * weight.size))
    order = np.argsort(np.abs(weight), axis=None, kind="stable")
    mask = np.ones(weight.size, dtype=np.float32)
    mask[order[:k]] = 0
    return mask.reshape(weight.shape)
    ### END SOLUTION


class PrunedLinear(Linear):
    """A Linear with a fixed 0/1 mask on its weight: computes x @ (weight * mask) + bias, so the
    pruned weights get zero gradient and stay zero through fine-tuning."""

    def __init__(self, linear, sparsity):
        """Copy linear's weights, prune the smallest ones to `sparsity` (self.mask), zero them.

        TODO: in_features, out_features as linear's; self.mask = magnitude_mask(linear's weight, sparsity);
              self.weight = a new Tensor (requires_grad=True) of the weight times the mask;
              self.bias = a new Tensor copy of the bias (requires_grad=True), or None.
        """
        ### BEGIN SOLUTION
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.mask = magnitude_mask(linear.weight.data, sparsity)
        self.weight = Tensor(linear.weight.data * self.mask, requires_grad=True)
        self.bias = None if linear.bias is None else Tensor(linear.bias.data.copy(), requires_grad=True)
        ### END SOLUTION

    def forward(self, x):
        """x @ (weight * mask) + bias.

        TODO: as Linear.forward, with the masked weight (a Tensor product, so the gradient is masked too).
        """
        ### BEGIN SOLUTION
        out = x @ (self.weight * Tensor(self.mask))
        return out if self.bias is None else out + self.bias
        ### END SOLUTION

    def __repr__(self):
        return f"PrunedLinear(in_features={self.in_features}, out_features={self.out_features}, sparsity={1 - self.mask.mean():.2f})"


def _map_linears(model, convert):
    """A copy of the Sequential `model` with convert(layer) in place of every Linear (nested Sequentials too)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"expected a Sequential model, got {type(model).__name__}")
    return Sequential(*[convert(layer) if isinstance(layer, Linear) else _map_linears(layer, convert)
                        if isinstance(layer, Sequential) else layer for layer in model.layers])


def magnitude_prune(model, sparsity):
    """A copy of the Sequential `model` in which every Linear is a PrunedLinear at `sparsity`.

    TODO: one line with _map_linears and PrunedLinear.
    """
    _check_fraction(sparsity, "sparsity")
    ### BEGIN SOLUTION
    return _map_linears(model, lambda layer: PrunedLinear(layer, sparsity))
    ### END SOLUTION


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
    """The fraction of the model's Linear weights that are exactly zero (biases not counted).

    TODO: count the zeros over _weights(model), divide by their total size.
    """
    ### BEGIN SOLUTION
    weights = _weights(model)
    return float(sum(int(np.sum(w == 0)) for w in weights) / sum(w.size for w in weights))
    ### END SOLUTION

# %%
#| test
from tinytorch.core.activations import ReLU


def test_unit_magnitude_mask():
    print("🧪 Unit Test: magnitude_mask...")
    w = np.array([[0.1, -3.0, 0.5], [-0.2, 2.0, 0.05]], dtype=np.float32)
    got = magnitude_mask(w, 0.5)
    assert got.tolist() == [[0, 1, 1], [0, 1, 0]], f"sparsity 0.5 of {w.tolist()}: expected the 3 smallest |w| (0.05, 0.1, -0.2) zeroed, got mask {got.tolist()}"
    print("✅ magnitude_mask works!")


def test_unit_magnitude_prune():
    print("🧪 Unit Test: magnitude_prune...")
    np.random.seed(0)
    model = Sequential(Linear(20, 10), ReLU(), Linear(10, 4))
    pruned = magnitude_prune(model, 0.7)
    got = sparsity(pruned)
    assert abs(got - 0.7) < 0.005, f"magnitude_prune(model, 0.7): expected sparsity 0.70, got {got:.3f}"
    assert sparsity(model) == 0.0, "the original model must stay untouched"
    x = Tensor(np.random.rand(3, 20))
    assert pruned(x).shape == (3, 4), f"the pruned model must still map (3, 20) to (3, 4), got {pruned(x).shape}"
    print("✅ magnitude_prune works!")


test_unit_magnitude_mask()
test_unit_magnitude_prune()

# %% [markdown]
# ## Does sparsity save bytes? A sparse format
#
# A zero stored as float32 still takes 4 bytes. To save space, store only the non-zeros: the
# **CSR** (compressed sparse row) format keeps three arrays:
#
# ```
# values       the non-zero weights, row by row                     (float32, nnz of them)
# col_indices  the column of each value                             (int32,   nnz)
# row_ptr      where each row starts in values; row i is values[row_ptr[i]:row_ptr[i+1]]   (int32, rows + 1)
# ```
#
# Each kept weight now costs 8 bytes (value and column) instead of 4: CSR is smaller than the
# dense matrix only above 50% sparsity. At 90% it is about 5x smaller. (Time is another matter:
# NumPy has no fast sparse product, and scattered non-zeros make poor use of the processor. For
# speed, remove whole neurons: structured pruning, below.)

# %%
#| export
def to_csr(weight):
    """(values float32, col_indices int32, row_ptr int32) of a 2-D array: its non-zeros, row by row.

    TODO: rows, cols = np.nonzero(weight) (row by row already); values = weight[rows, cols];
          row_ptr[i + 1] = the number of non-zeros in rows 0..i, row_ptr[0] = 0.
    HINT: np.bincount(rows, minlength=number of rows) counts the non-zeros per row; np.cumsum adds them up.
    """
    ### BEGIN SOLUTION
    rows, cols = np.nonzero(weight)
    counts = np.bincount(rows, minlength=weight.shape[0])
    row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return weight[rows, cols].astype(np.float32), cols.astype(np.int32), row_ptr
    ### END SOLUTION


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

# %%
#| test
def test_unit_csr():
    print("🧪 Unit Test: to_csr...")
    w = np.array([[0, 2, 0], [0, 0, 0], [3, 0, 4]], dtype=np.float32)
    values, cols, row_ptr = to_csr(w)
    assert values.tolist() == [2, 3, 4] and cols.tolist() == [1, 0, 2] and row_ptr.tolist() == [0, 1, 1, 3], \
        f"to_csr({w.tolist()}): expected values [2, 3, 4], columns [1, 0, 2], row_ptr [0, 1, 1, 3]; got {values.tolist()}, {cols.tolist()}, {row_ptr.tolist()}"
    assert values.dtype == np.float32 and cols.dtype == np.int32 and row_ptr.dtype == np.int32, \
        f"expected float32 values and int32 indices, got {values.dtype}, {cols.dtype}, {row_ptr.dtype}"
    assert np.array_equal(from_csr(values, cols, row_ptr, w.shape), w), "from_csr(to_csr(w)) must give w back"
    print("✅ to_csr works!")


test_unit_csr()

# %% [markdown]
# ## Structured pruning: remove whole neurons
#
# Unstructured zeros leave the matrices the same shape. Removing a **neuron** of a hidden layer
# removes a column of its `Linear`'s weight (and its bias entry) *and* the matching row of the
# next `Linear`'s weight: both matrices shrink, and every product is really smaller and faster.
# Which neurons? Those whose incoming weights are smallest: the L2 norm of each column.
#
# ```
# Linear(64, 32) -> ReLU -> Linear(32, 10)      remove half the hidden neurons:
# Linear(64, 16) -> ReLU -> Linear(16, 10)      columns of W1 and rows of W2 at the same indices
# ```
#
# The last `Linear` keeps its outputs (they are the model's classes); so does every input.

# %%
#| export
def structured_prune(model, fraction):
    """A copy of a flat Sequential with round(fraction * n) of the n outputs of every Linear but the
    last removed (the smallest L2 norm of their weight column), and the matching rows of the next Linear.

    TODO: copy the layers (Linears as new Linears via _linear), then for each pair of consecutive
          Linears (first, second): keep the columns of first with the largest norms.

    APPROACH:
    1. layers = list(model.layers), Linears copied; positions = the indices of the Linears
    2. for a, b in zip(positions, positions[1:]):
           w = layers[a].weight.data; n = w.shape[1]; n_keep = max(1, n - round(fraction * n))
           keep = np.sort(np.argsort(-np.linalg.norm(w, axis=0), kind="stable")[:n_keep])   (original order)
           layers[a] = _linear(w[:, keep], its bias[keep] or None)
           layers[b] = _linear(layers[b].weight.data[keep], its bias unchanged or None)
    3. return Sequential(*layers)
    """
    _check_fraction(fraction, "fraction")
    if not isinstance(model, Sequential) or any(isinstance(layer, Sequential) for layer in model.layers):
        raise TypeError("structured_prune works on a flat Sequential (Linears and element-wise layers)")
    ### BEGIN SOLUTION
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
    ### END SOLUTION

# %% [markdown]
# ## Low rank: one big matrix as two thin ones
#
# Any matrix `W` (in x out) is `U S Vᵀ` (the singular value decomposition, `np.linalg.svd`):
# `S` holds the singular values, largest first, and says how much each direction matters. Keep
# the largest `r`: `W ≈ (U[:, :r] * S[:r]) @ Vt[:r]`, two Linears of `in x r` and `r x out`, which
# is fewer numbers when `r * (in + out) < in * out`. The error is known in advance: its squared
# size (the sum of the squared entries) is the sum of the dropped `S²` (Eckart-Young: no rank-r
# matrix is closer).

# %%
#| export
def low_rank(linear, rank):
    """Sequential(Linear(in, rank, bias=False), Linear(rank, out)) whose product is the best rank-`rank`
    approximation of linear's weight, with linear's bias on the second.

    TODO: check 1 <= rank <= min(in, out) (ValueError naming both); U, S, Vt = np.linalg.svd(W, full_matrices=False);
          first weight U[:, :rank] * S[:rank], second weight Vt[:rank]; build both with _linear.
    """
    if not isinstance(rank, (int, np.integer)) or not 1 <= rank <= min(linear.in_features, linear.out_features):
        raise ValueError(f"rank must be a whole number from 1 to min(in, out) = {min(linear.in_features, linear.out_features)} "
                         f"for {linear!r}, got {rank!r}")
    ### BEGIN SOLUTION
    u, s, vt = np.linalg.svd(linear.weight.data, full_matrices=False)
    first = _linear(u[:, :rank] * s[:rank], None)
    second = _linear(vt[:rank], None if linear.bias is None else linear.bias.data)
    return Sequential(first, second)
    ### END SOLUTION

# %% [markdown]
# ## Knowledge distillation: a small student, a big teacher
#
# A trained teacher knows more than the labels say: for a "7" it may give 0.9 to 7, 0.08 to 1 and
# 0.02 to 9, which tells the student which digits look alike. Soften both distributions with a
# **temperature** `T > 1` (divide the logits by `T` before the softmax) so those small
# probabilities count, and train the student to match the teacher (the KL divergence between the
# two), mixed with the ordinary loss on the labels:
#
# $$L = \alpha \, T^2 \, \mathrm{KL}\big(\mathrm{softmax}(t/T) \,\|\, \mathrm{softmax}(s/T)\big) + (1 - \alpha)\, \mathrm{CE}(s, y)$$
#
# The `T²` keeps the soft term's gradients the same size whatever `T` is (softening divides them
# by `T²`). The teacher is fixed: its probabilities are plain numbers. The student's side is made
# of Tensor operations (a stable `log_softmax`: subtract the row max, a constant), so autograd
# differentiates it for you: no new backward to write.

# %%
#| export
def _log_softmax(z):
    """log(softmax(z)) along the last axis, from Tensor operations (so it has gradients)."""
    shifted = z - Tensor(z.data.max(axis=-1, keepdims=True))  # a constant shift: no gradient needed
    return shifted - shifted.exp().sum(axis=-1, keepdims=True).log()


def distillation_loss(student_logits, teacher_logits, targets, temperature=2.0, alpha=0.5):
    """alpha * T² * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * cross-entropy(student, targets),
    averaged over the batch; a scalar Tensor with gradients for the student.

    TODO: the teacher's softened log-probabilities as a NumPy array, the student's as a Tensor,
          then the KL per sample averaged, times T², mixed with CrossEntropyLoss by alpha.

    APPROACH:
    1. t = teacher logits as an array / T;  log_pt = t - max - log(sum(exp(t - max)))   (NumPy)
    2. log_ps = _log_softmax(student_logits / T)                                       (Tensor)
    3. kl = (Tensor(exp(log_pt)) * (Tensor(log_pt) - log_ps)).sum() / batch size
    4. return kl * (alpha * T * T) + CrossEntropyLoss()(student_logits, targets) * (1 - alpha)
    """
    teacher = teacher_logits.data if isinstance(teacher_logits, Tensor) else np.asarray(teacher_logits, dtype=np.float32)
    if teacher.shape != student_logits.shape:
        raise ValueError(f"distillation_loss: student logits {student_logits.shape} and teacher logits {teacher.shape} must have the same shape")
    if not temperature > 0:
        raise ValueError(f"distillation_loss: temperature must be > 0, got {temperature}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"distillation_loss: alpha must be in [0, 1] (the weight of the teacher's term), got {alpha}")
    ### BEGIN SOLUTION
    t = teacher / temperature
    t = t - t.max(axis=-1, keepdims=True)
    log_pt = t - np.log(np.exp(t).sum(axis=-1, keepdims=True))
    log_ps = _log_softmax(student_logits / temperature)
    kl = (Tensor(np.exp(log_pt)) * (Tensor(log_pt) - log_ps)).sum() / student_logits.shape[0]
    return kl * (alpha * temperature * temperature) + CrossEntropyLoss()(student_logits, targets) * (1 - alpha)
    ### END SOLUTION

# %%
#| test
def test_unit_structured_prune():
    print("🧪 Unit Test: structured_prune...")
    model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
    model.layers[0].weight.data[...] = [[1, 0.1, 2], [1, 0.1, 2], [1, 0.1, 2], [1, 0.1, 2]]  # column norms 2, 0.2, 4
    smaller = structured_prune(model, 1 / 3)
    shapes = [layer.weight.shape for layer in smaller.layers if isinstance(layer, Linear)]
    assert shapes == [(4, 2), (2, 2)], f"removing 1 of 3 hidden neurons: expected weights (4, 2) and (2, 2), got {shapes}"
    kept_rows = smaller.layers[2].weight.data
    assert np.allclose(kept_rows, model.layers[2].weight.data[[0, 2]]), "the neuron with the smallest column norm (index 1) must go, in both layers"
    print("✅ structured_prune works!")


def test_unit_low_rank():
    print("🧪 Unit Test: low_rank...")
    np.random.seed(2)
    linear = Linear(8, 6)
    full = low_rank(linear, 6)
    x = Tensor(np.random.rand(5, 8))
    assert np.allclose(full(x).data, linear(x).data, atol=1e-5), "low_rank at full rank must compute the same function"
    small = low_rank(linear, 2)
    shapes = [layer.weight.shape for layer in small.layers]
    assert shapes == [(8, 2), (2, 6)], f"low_rank(Linear(8, 6), 2): expected weights (8, 2) and (2, 6), got {shapes}"
    print("✅ low_rank works!")


def test_unit_distillation_loss():
    print("🧪 Unit Test: distillation_loss...")
    logits = Tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]], requires_grad=True)
    same = distillation_loss(logits, logits.data, [0, 1], temperature=3.0, alpha=1.0)
    assert abs(same.item()) < 1e-6, f"a student equal to its teacher has KL 0: expected 0, got {same.item()}"
    hard = distillation_loss(logits, np.zeros((2, 3)), [0, 1], alpha=0.0).item()
    ce = CrossEntropyLoss()(logits, [0, 1]).item()
    assert abs(hard - ce) < 1e-6, f"alpha=0 is the plain cross-entropy {ce:.5f}, got {hard:.5f}"
    print("✅ distillation_loss works!")


test_unit_structured_prune()
test_unit_low_rank()
test_unit_distillation_loss()

# %%
#| hidden
from tito.checks import case, expect_error
from tinytorch.core.autograd import gradcheck
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.profiling import count_parameters


def test_hidden_exact_sparsity_and_bad_values():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((37, 23)).astype(np.float32)
    for s in (0.0, 0.1, 0.5, 0.9, 0.999):
        with case(f"magnitude_mask of a (37, 23) weight at sparsity {s}"):
            mask = magnitude_mask(w, s)
            assert mask.shape == w.shape, f"expected shape (37, 23), got {mask.shape}"
            zeros = int((mask == 0).sum())
            assert zeros == round(s * w.size), f"expected exactly round({s} * 851) = {round(s * w.size)} zeros, got {zeros}"
            if 0 < zeros < w.size:
                assert np.abs(w[mask == 0]).max() <= np.abs(w[mask == 1]).min(), "the pruned weights must be the smallest |w|"
    ties = np.ones((4, 4), dtype=np.float32)
    assert int((magnitude_mask(ties, 0.25) == 0).sum()) == 4, "with every |w| equal, sparsity 0.25 of 16 must still zero exactly 4"
    for bad in (1.0, -0.1, 1.5, "0.5", None):
        expect_error(ValueError, lambda: magnitude_mask(w, bad), "[0, 1)", repr(bad))
        expect_error(ValueError, lambda: magnitude_prune(Sequential(Linear(2, 2)), bad), "[0, 1)")
        expect_error(ValueError, lambda: structured_prune(Sequential(Linear(2, 2)), bad), "[0, 1)")


def test_hidden_pruned_weights_stay_zero_through_fine_tuning():
    rng = np.random.default_rng(1)
    x, y = Tensor(rng.standard_normal((64, 10))), rng.integers(0, 3, 64)
    np.random.seed(1)
    model = Sequential(Linear(10, 16), ReLU(), Linear(16, 3))
    for make in (lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01), lambda p: Adam(p, lr=0.01)):
        pruned = magnitude_prune(model, 0.6)
        optimizer = make(pruned.parameters())
        before = sparsity(pruned)
        for _ in range(20):
            CrossEntropyLoss()(pruned(x), y).backward()
            optimizer.step()
            optimizer.zero_grad()
        stored = [layer.weight.data for layer in pruned.layers if isinstance(layer, Linear)]
        zeros = sum(int((w == 0).sum()) for w in stored) / sum(w.size for w in stored)
        with case(f"20 steps of {type(optimizer).__name__} on a model pruned to 0.6"):
            assert zeros >= before - 1e-9, f"pruned weights regrew: {before:.3f} of the stored weights were zero, now {zeros:.3f} (mask the weight in the forward pass)"
            assert sparsity(pruned) >= 0.6 - 0.005, f"sparsity fell to {sparsity(pruned):.3f}"
            kept = pruned.layers[0].weight.data[pruned.layers[0].mask == 1]
            original = (model.layers[0].weight.data * pruned.layers[0].mask)[pruned.layers[0].mask == 1]
            assert not np.allclose(kept, original), "the kept weights must still train"


def test_hidden_csr_sizes_and_round_trip():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((50, 40)).astype(np.float32) * (rng.random((50, 40)) < 0.1)
    w[7] = 0  # an empty row
    values, cols, row_ptr = to_csr(w)
    nnz = int((w != 0).sum())
    assert len(values) == nnz and len(cols) == nnz and len(row_ptr) == 51, f"expected {nnz} values and columns and 51 row pointers, got {len(values)}, {len(cols)}, {len(row_ptr)}"
    assert np.array_equal(from_csr(values, cols, row_ptr, w.shape), w), "from_csr(to_csr(w)) must give back w (with an empty row)"
    np.random.seed(3)
    model = magnitude_prune(Sequential(Linear(100, 50), ReLU(), Linear(50, 10)), 0.9)
    expected = sum(8 * int(round(0.1 * n)) + 4 * (rows + 1) for n, rows in [(5000, 100), (500, 50)]) + (50 + 10) * 4
    assert csr_bytes(model) == expected, f"CSR of weights (100, 50) and (50, 10) at 90% sparsity plus dense biases: expected {expected} bytes, got {csr_bytes(model)}"


def test_hidden_structured_prune_keeps_the_function_of_kept_neurons():
    np.random.seed(4)
    model = Sequential(Linear(6, 10), ReLU(), Linear(10, 8), ReLU(), Linear(8, 3))
    smaller = structured_prune(model, 0.5)
    shapes = [layer.weight.shape for layer in smaller.layers if isinstance(layer, Linear)]
    assert shapes == [(6, 5), (5, 4), (4, 3)], f"half the neurons of each hidden layer: expected (6, 5), (5, 4), (4, 3), got {shapes}"
    x = Tensor(np.random.rand(4, 6))
    w1 = model.layers[0].weight.data
    keep = np.sort(np.argsort(-np.linalg.norm(w1, axis=0))[:5])
    hidden = np.maximum(x.data @ w1[:, keep] + model.layers[0].bias.data[keep], 0)
    got = np.maximum(smaller.layers[0](x).data, 0)
    assert np.allclose(got, hidden, atol=1e-6), "the kept neurons must compute exactly what they computed before"
    assert count_parameters(smaller) < count_parameters(model), "structured pruning must make the model smaller"


def test_hidden_low_rank_error_is_the_dropped_singular_values():
    rng = np.random.default_rng(5)
    linear = Linear(12, 9)
    linear.weight.data[...] = rng.standard_normal((12, 9))
    s = np.linalg.svd(linear.weight.data, compute_uv=False)
    for rank in (1, 3, 8):
        with case(f"low_rank(Linear(12, 9), {rank})"):
            first, second = low_rank(linear, rank).layers
            product = first.weight.data @ second.weight.data
            error = float(((product - linear.weight.data) ** 2).sum())
            assert abs(error - float((s[rank:] ** 2).sum())) < 1e-3, f"the squared error must be the sum of the dropped squared singular values {(s[rank:] ** 2).sum():.4f}, got {error:.4f}"
            assert first.bias is None and np.array_equal(second.bias.data, linear.bias.data), "the bias belongs on the second layer only"
    for bad in (0, 10, 2.5):
        expect_error(ValueError, lambda: low_rank(linear, bad), "rank", "9")


def test_hidden_distillation_loss_values_and_gradient():
    rng = np.random.default_rng(6)
    student = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    teacher = rng.standard_normal((4, 5)) * 3
    targets = np.array([0, 3, 1, 4])
    T = 4.0
    p_t = np.exp(teacher / T) / np.exp(teacher / T).sum(axis=1, keepdims=True)
    p_s = np.exp(student.data / T) / np.exp(student.data / T).sum(axis=1, keepdims=True)
    kl = float((p_t * np.log(p_t / p_s)).sum(axis=1).mean())
    ce = CrossEntropyLoss()(student, targets).item()
    for alpha in (0.0, 0.3, 1.0):
        got = distillation_loss(student, Tensor(teacher), targets, temperature=T, alpha=alpha).item()
        expected = alpha * T * T * kl + (1 - alpha) * ce
        assert abs(got - expected) < 1e-4, f"T=4, alpha={alpha}: expected alpha * T² * KL + (1 - alpha) * CE = {expected:.5f}, got {got:.5f}"
    gradcheck(lambda s: distillation_loss(s, teacher, targets, temperature=T, alpha=0.7), student)
    big = Tensor(rng.standard_normal((2, 3)) * 200, requires_grad=True)
    value = distillation_loss(big, -big.data, [0, 1], temperature=1.0, alpha=0.5).item()
    assert np.isfinite(value), f"logits of size 200 must not overflow (subtract the row max), got {value}"
    expect_error(ValueError, lambda: distillation_loss(student, teacher[:, :3], targets), "(4, 5)", "(4, 3)")
    expect_error(ValueError, lambda: distillation_loss(student, teacher, targets, temperature=0), "temperature")
    expect_error(ValueError, lambda: distillation_loss(student, teacher, targets, alpha=1.5), "alpha")


test_hidden_exact_sparsity_and_bad_values()
test_hidden_pruned_weights_stay_zero_through_fine_tuning()
test_hidden_csr_sizes_and_round_trip()
test_hidden_structured_prune_keeps_the_function_of_kept_neurons()
test_hidden_low_rank_error_is_the_dropped_singular_values()
test_hidden_distillation_loss_values_and_gradient()

# %% [markdown]
# ## Use it: prune, measure, fine-tune, measure again
#
# A network trained on a small task, pruned to 90%: the accuracy drops, then a few epochs of
# fine-tuning (the mask holds the zeros) bring it back. The sizes are measured from the arrays:
# dense float32, CSR, and a structurally pruned copy.

# %%
from tinytorch.core.optimizers import Adam
from tinytorch.core.profiling import model_bytes

rng = np.random.default_rng(0)
centers = rng.standard_normal((4, 32)) * 0.6
labels = rng.integers(0, 4, 800)
data = Tensor(centers[labels] + rng.standard_normal((800, 32)))
np.random.seed(0)
net = Sequential(Linear(32, 64), ReLU(), Linear(64, 4))


def fit(model, steps):
    optimizer = Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        CrossEntropyLoss()(model(data[:600]), labels[:600]).backward()
        optimizer.step()
        optimizer.zero_grad()


def held_out_accuracy(model):
    return float((model(data[600:]).data.argmax(axis=1) == labels[600:]).mean())


fit(net, 50)
pruned = magnitude_prune(net, 0.9)
print(f"dense: accuracy {held_out_accuracy(net):.3f}, {model_bytes(net):,} bytes")
print(f"pruned to {sparsity(pruned):.0%}: accuracy {held_out_accuracy(pruned):.3f}, CSR {csr_bytes(pruned):,} bytes")
fit(pruned, 30)
print(f"after fine-tuning: accuracy {held_out_accuracy(pruned):.3f}, sparsity still {sparsity(pruned):.0%}")
thin = structured_prune(net, 0.75)
print(f"structured, 75% of the hidden neurons removed: accuracy {held_out_accuracy(thin):.3f}, {model_bytes(thin):,} bytes")

# %% [markdown]
# ## Reflect
#
# 1. At what sparsity does CSR (a float32 value and an int32 column per non-zero) take as many
#    bytes as the dense float32 matrix, ignoring the row pointers? (A fraction.)
# 2. How many parameters does `low_rank(Linear(512, 512), 32)` have (two weights and one bias)?
# 3. `structured_prune` removes half the hidden neurons of `Linear(64, 32) -> ReLU -> Linear(32, 10)`:
#    how many weights (not biases) are left?

# %%
#| answers
answers = {
    "compress_csr_break_even_sparsity": 0.5,  # 1. sparsity where CSR bytes = dense bytes
    "compress_low_rank_params_512_r32": 512 * 32 + 32 * 512 + 512,  # 2. parameters of low_rank(Linear(512, 512), 32)
    "compress_weights_after_half_neurons": 64 * 16 + 16 * 10,  # 3. weights left after removing half the hidden neurons
}

# %%
#| reflect
from tito.checks import check_answer


def test_reflect_compression():
    w = np.random.default_rng(0).standard_normal((100, 100)).astype(np.float32)
    values, cols, _ = to_csr(w)
    per_non_zero, per_dense_entry = (values.nbytes + cols.nbytes) / values.size, w.nbytes / w.size
    check_answer(answers, "compress_csr_break_even_sparsity", 1 - per_dense_entry / per_non_zero,
                 "each non-zero costs 4 bytes of value and 4 of column index; a dense entry costs 4: how many non-zeros can you afford?")
    check_answer(answers, "compress_low_rank_params_512_r32", sum(p.size for p in low_rank(Linear(512, 512), 32).parameters()),
                 "a (512, r) weight, an (r, 512) weight and a bias of the output size")
    smaller = structured_prune(Sequential(Linear(64, 32), ReLU(), Linear(32, 10)), 0.5)
    check_answer(answers, "compress_weights_after_half_neurons", sum(l.weight.size for l in smaller.layers if isinstance(l, Linear)),
                 "16 neurons are left: count the weights of (64, 16) and (16, 10)")


test_reflect_compression()

# %% [markdown]
# ## What you built
#
# Four ways to keep fewer numbers, each measured: magnitude pruning to an exact sparsity with a
# mask that survives fine-tuning, a sparse format that pays off above 50% sparsity, structured
# pruning that really shrinks the matrices, an SVD factorisation whose error you can predict,
# and a distillation loss that lets a small network learn from a big one.
