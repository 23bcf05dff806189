"""Wrong answers a learner is likely to write must fail a check: each mutant below is planted in
the reference solution (tests/mutants.py) and graded by the real grader on the real course;
the unchanged solution passes. Add a mutant here for every bug a learner is likely to write
(curriculum/README.md, "Checks that catch wrong answers")."""

import pytest
from mutants import grade_mutant
from tito.course import PACKAGED

pytestmark = pytest.mark.skipif(not (PACKAGED / "course.toml").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")

# (module, solution text, the mutant's text, what a failure message must say: the case it tried)
MUTANTS = [
    # 01: the inner sizes compared on the wrong axis reject valid batched products
    ("01", "if self.shape[-1] != other.shape[-2]:", "if self.shape[-1] != other.shape[0]:", "(2, 3, 4) @ (2, 4, 5)"),
    # 01: a list on the right of @ is not wrapped in a Tensor
    ("01", "other = other if isinstance(other, Tensor) else Tensor(other)", "pass", "a @ [[1, 0], [0, 1]] (a list)"),
    ("01", "return Tensor(self.data.mean(axis=axis, keepdims=keepdims))", "return Tensor(self.data.mean(axis=axis))", "keepdims=True"),
    ("01", "return Tensor(np.swapaxes(self.data, dim0, dim1))", "return Tensor(self.data.T)", "transpose"),
    # 01: reshape((3, -1)) passed on as one tuple: NumPy's raw TypeError, named with its case
    ("01", "        shape = tuple(shape[0])\n", "        pass\n", "reshape((3, -1)) of a (6,) tensor: one tuple argument: TypeError"),
    ("01", "return Tensor(self.data.max(axis=axis, keepdims=keepdims))", "return Tensor(self.data.max(axis=axis or 0, keepdims=keepdims))", "max(axis=None"),
    # 02: sigmoid and softmax written straight from the formula overflow for large inputs
    ("02", "return Tensor(np.where(x.data >= 0, 1 / (1 + e), e / (1 + e)))", "return Tensor(1 / (1 + np.exp(-x.data)))", "Sigmoid"),
    ("02", "e = np.exp(x.data - x.data.max(axis=self.dim, keepdims=True))", "e = np.exp(x.data)", "Softmax"),
    ("02", "return Tensor(e / e.sum(axis=self.dim, keepdims=True))", "return Tensor(e / e.sum(keepdims=True))", "Softmax"),
    ("02", "(x + 0.044715 * x * x * x)", "(x + 0.044715 * x * x)", "GELU"),
    # 03: Dropout without its 1 / (1 - p) scaling, or active in evaluation mode
    ("03", "        return x * Tensor(keep / (1 - self.p))", "        return x * Tensor(keep)", "Dropout"),
    ("03", "        if not self.training or self.p == 0:", "        if self.p == 0:", "Dropout"),
    ("03", "bound = 1.0 / np.sqrt(in_features)", "bound = 1.0", "Linear"),
    # 04: a sum instead of a mean; cross-entropy and BCE without their numerical guards
    ("04", "return Tensor(np.mean(diff * diff))", "return Tensor(np.sum(diff * diff))", "MSELoss"),
    ("04", "shifted = logits.data - logits.data.max(axis=1, keepdims=True)", "shifted = logits.data", "CrossEntropyLoss"),
    ("04", "p = np.clip(probabilities.data, self.eps, 1 - self.eps)", "p = probabilities.data", "BCE of p=[0, 1]"),
    # 05: the last partial batch dropped or miscounted; shuffle ignored
    ("05", "return (len(self.dataset) + self.batch_size - 1) // self.batch_size", "return len(self.dataset) // self.batch_size", "len"),
    ("05", "        for start in range(0, n, self.batch_size):", "        for start in range(0, n - self.batch_size + 1, self.batch_size):", "batch"),
    ("05", "        order = np.random.permutation(n) if self.shuffle else np.arange(n)", "        order = np.arange(n)", "shuffle"),
    # 07: momentum not kept between steps; Adam without bias correction; weight decay ignored
    ("07", "velocity[...] = self.momentum * velocity + g", "velocity = self.momentum * velocity + g", "momentum"),
    ("07", "m_hat = m / (1 - beta1 ** self.t)", "m_hat = m", "Adam"),
    ("07", "g = g + self.weight_decay * p.data\n", "g = g\n", "weight_decay"),
    # 08: clipping by the wrong factor; a schedule off by its shape; no zero_grad; no eval mode
    ("08", "            g *= max_norm / total", "            g *= total / max_norm", "clip_grad_norm"),
    ("08", "(1 + np.cos(np.pi * progress)) / 2", "np.cos(np.pi * progress)", "CosineSchedule"),
    ("08", "            self.optimizer.zero_grad()\n", "\n", "zero_grad"),
    ("08", "        self.model.eval()\n", "\n", "eval"),
    ("08", "total_loss += loss.item() * batch_x.shape[0]", "total_loss += loss.item()", "train_epoch"),
    # 06: GELU's derivative without the 3 of 3 * 0.044715 x**2 (small near 0, 20-40% off around x = -2)
    ("06", "(1 + 3 * 0.044715 * x * x)", "(1 + 0.044715 * x * x)", "GELU"),
    # 06: a leaf's .grad stored without a copy: a second backward writes into a read-only or shared array
    ("06", "tensor.grad = Tensor(grad.copy() if tensor.grad is None else tensor.grad.data + grad)",
     "tensor.grad = Tensor(grad if tensor.grad is None else tensor.grad.data + grad)", "a.grad and b.grad"),
    # 06: the engine overwrites instead of adding the gradients of a tensor used twice
    ("06", "grads[id(inp)] = grads[id(inp)] + g if id(inp) in grads else g", "grads[id(inp)] = g", "x*x + x"),
    # 06: the topological order without its visited set lists a shared tensor twice
    ("06", "elif id(tensor) not in visited:", "else:", "diamond"),
    # 06: BCE's gradient without the forward's clip divides by zero at p = 0 or 1
    ("06", "p = np.clip(probabilities.data, eps, 1 - eps)", "p = probabilities.data", "BinaryCrossEntropyLoss at the clip"),
    # 06: batched matmul gradients with .T (which reverses every axis) instead of swapping the last two
    ("06", "grad_a = grad_output @ np.swapaxes(_data(b), -1, -2) if _needs_grad(a) else None",
     "grad_a = grad_output @ _data(b).T if _needs_grad(a) else None", "a @ b for shapes"),
    # 06: max's gradient not split between ties
    ("06", "return (_expand(grad_output, x.shape, self.axis, self.keepdims) * winners / ties,)",
     "return (_expand(grad_output, x.shape, self.axis, self.keepdims) * winners,)", "ties"),
    # 06: indexing's gradient with += loses repeated indices
    ("06", "np.add.at(full, self.index, grad_output)", "full[self.index] += grad_output", "x[[0, 0, 2]]"),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return tmp_path_factory.mktemp("ws")


@pytest.mark.parametrize("mid", sorted({m for m, *_ in MUTANTS}))
def test_the_solution_passes(mid, ws):
    result = grade_mutant(mid, [], ws)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem


@pytest.mark.parametrize("mid, old, new, case", MUTANTS, ids=[f"{m}: {n[:50]}" for m, _, n, _ in MUTANTS])
def test_the_mutant_fails_naming_the_case(mid, old, new, case, ws):
    result = grade_mutant(mid, [(old, new)], ws)
    failures = [c.message for c in result.checks if not c.passed]
    assert failures, f"module {mid}: the mutant {new!r} passed every check"
    assert not result.problem, result.problem
    assert any(case in message for message in failures), f"no failure names the case {case!r}:\n" + "\n".join(failures)
    assert all("Traceback" not in m and "grade.py" not in m for m in failures)


# Correct answers written differently from the reference: no check may reject them.
ALTERNATIVES = [
    ("06", "p = np.clip(probabilities.data, eps, 1 - eps)", "p = np.clip(probabilities.data.astype(np.float64), eps, 1 - eps)"),
    ("06", "tensor.grad = Tensor(grad.copy() if tensor.grad is None else tensor.grad.data + grad)",
     "tensor.grad = Tensor(grad + 0 if tensor.grad is None else tensor.grad.data + grad)"),
    ("06", "return (grad_output * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)),)",
     "return (grad_output * (0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * c * (1 + 0.134145 * x ** 2)),)"),
    ("01", "if self.shape[-1] != other.shape[-2]:", "if self.data.shape[-1] != other.data.shape[-2]:"),
    ("01", "other = other if isinstance(other, Tensor) else Tensor(other)", "other = Tensor(other)"),
]


@pytest.mark.parametrize("mid, old, new", ALTERNATIVES, ids=[f"{m}: {n[:50]}" for m, _, n in ALTERNATIVES])
def test_a_correct_alternative_passes(mid, old, new, ws):
    result = grade_mutant(mid, [(old, new)], ws)
    assert result.ok, [(c.name, c.message) for c in result.checks if not c.passed] or result.problem
