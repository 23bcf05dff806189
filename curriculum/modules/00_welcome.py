# %% [markdown]
# # Module 00: Welcome
#
# Over the next modules you will build **TinyTorch**, a small deep-learning framework in the
# style of PyTorch, on top of NumPy: tensors, activations, layers, losses, data loading,
# automatic differentiation, optimizers and a training loop. Then you will use *your own*
# framework to replay moments from the history of AI, from Rosenblatt's perceptron (1958) on.
#
# ## How the course works
#
# - **One notebook per module.** Read the prose, run the cells top to bottom (Shift+Enter).
# - **TODO cells.** Cells that start with `#| export` hold the code you write. Where the body
#   says `raise NotImplementedError(...)`, replace that line with your implementation; the
#   docstring above it says what to do, with an approach and hints. Everything you write in
#   `#| export` cells becomes your package, `tinytorch`.
# - **Inline tests.** Cells that start with `#| test` check your code right away. A failing test
#   says what it expected and what it got. Fix your code, re-run your cell, re-run the test.
# - **Complete a module** to have it graded. The grader runs the visible tests and further
#   hidden checks (edge cases, shapes, gradients) against *your* code:
#   - in the browser, in a notebook cell: `%tito module complete 00`
#   - locally, in a terminal: `tito module complete 00`
#
#   When it passes, your code joins your `tinytorch` package and the next modules can import it.
# - **Milestones.** Once the modules a milestone needs are complete, it trains a small model
#   with your framework, in seconds, and checks that it reaches the historical result.
#
# ## Your progress
#
# In the browser, progress is kept by this browser, on this computer (in its IndexedDB
# storage): nothing is sent anywhere. Clearing the site's data, or a private window, loses it,
# so use the progress page to **export** it to a file now and then; **import** that file to
# continue in another browser. Locally, `tito` keeps progress in `.tito/progress.json` in your work folder.

# %% [markdown]
# ## Check your environment
#
# This cell needs nothing but Python. It reports where your code runs and what is available.
# Modules 01 and later need NumPy; this module does not.

# %%
import platform
import sys

# Pyodide (Python compiled to WebAssembly, running in your browser tab) reports this platform.
in_browser = sys.platform == "emscripten"
print(f"Python:  {platform.python_version()}")
print(f"Runtime: {'browser (Pyodide)' if in_browser else 'local (' + platform.python_implementation() + ')'}")

try:
    import numpy

    print(f"NumPy:   {numpy.__version__}")
except ImportError:
    how = ("this site was built without it; use a site that bundles NumPy, or work locally"
           if in_browser else "install it with `pip install numpy`")
    print(f"NumPy is not available in this environment: {how}.")

if in_browser:
    import js  # Pyodide's bridge to the browser's JavaScript world

    storage = "IndexedDB, in this browser" if hasattr(js, "indexedDB") else "none: this browser blocks IndexedDB (a private window?), so progress will not be kept"
else:
    storage = "the file .tito/progress.json in your work folder, kept by tito"
print(f"Storage: {storage}")

# %% [markdown]
# ## Your first exercise: the dot product
#
# Almost everything a neural network computes is built from one operation: multiply two lists
# of numbers pairwise and add up the products. A neuron does exactly this with its inputs and
# its weights, and a matrix multiplication is a whole grid of them.
#
# $$\mathrm{dot}(a, b) = \sum_i a_i \, b_i \qquad \mathrm{dot}([1, 2, 3], [4, 5, 6]) = 1 \cdot 4 + 2 \cdot 5 + 3 \cdot 6 = 32$$
#
# Here you write it in plain Python: the loop *is* the lesson. From module 01 on, NumPy runs the
# same loop for you in compiled code (`a @ b`), hundreds of times faster.
#
# Two lists of different lengths have no dot product. Python's `zip` would quietly stop at the
# shorter list and return a wrong number; a good framework refuses instead, with a message that
# says what was wrong. You will write many such checks in this course.

# %%
#| export
def dot(a, b):
    """The dot product of two equal-length lists of numbers.

    TODO: Return the sum of a[i] * b[i] over all positions i.

    APPROACH:
    1. If the lengths differ, raise ValueError with a message naming both lengths.
    2. Multiply the numbers pairwise and add up the products.

    EXAMPLE:
    >>> dot([1, 2, 3], [4, 5, 6])
    32

    HINT: zip(a, b) pairs the numbers up; sum(...) adds up a sequence.
    """
    ### BEGIN SOLUTION
    if len(a) != len(b):
        raise ValueError(f"dot needs two lists of the same length, got lengths {len(a)} and {len(b)}")
    return sum(x * y for x, y in zip(a, b))
    ### END SOLUTION


# %%
#| test
def test_unit_dot():
    print("🧪 Unit Test: dot...")
    got = dot([1, 2, 3], [4, 5, 6])
    assert got == 32, f"dot([1, 2, 3], [4, 5, 6]): expected 1*4 + 2*5 + 3*6 = 32, got {got!r}"
    got = dot([0.5, -2.0], [4.0, 1.0])
    assert got == 0.0, f"dot([0.5, -2.0], [4.0, 1.0]): expected 0.5*4 - 2*1 = 0.0, got {got!r}"
    print("✅ dot works!")


def test_unit_dot_length_mismatch():
    print("🧪 Unit Test: dot refuses lists of different lengths...")
    try:
        dot([1, 2], [1, 2, 3])
    except ValueError as error:
        assert "2" in str(error) and "3" in str(error), f"the error should name both lengths (2 and 3), got: {error}"
    else:
        raise AssertionError("dot([1, 2], [1, 2, 3]) should raise ValueError: the lengths differ")
    print("✅ dot checks the lengths!")


test_unit_dot()
test_unit_dot_length_mismatch()

# %%
#| hidden
def test_hidden_dot_empty():
    got = dot([], [])
    assert got == 0, f"dot([], []): the sum of no products is 0, got {got!r}"


def test_hidden_dot_single_and_negative():
    got = dot([-3], [7])
    assert got == -21, f"dot([-3], [7]): expected -21, got {got!r}"
    got = dot([1, -1, 1, -1], [2, 2, 2, 2])
    assert got == 0, f"dot([1, -1, 1, -1], [2, 2, 2, 2]): expected 0, got {got!r}"


def test_hidden_dot_does_not_modify_inputs():
    a, b = [1, 2], [3, 4]
    dot(a, b)
    assert a == [1, 2] and b == [3, 4], f"dot must not change its inputs, they became {a} and {b}"


test_hidden_dot_empty()
test_hidden_dot_single_and_negative()
test_hidden_dot_does_not_modify_inputs()


# %% [markdown]
# ## Complete the module
#
# When the tests above pass, have your work graded: run `%tito module complete 00` in a cell
# below (locally: `tito module complete 00` in a terminal). Then open module 01, where you build
# the `Tensor`, the data structure everything else stands on.
