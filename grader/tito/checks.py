"""Helpers the curriculum's checks share (imported by `#| hidden` and `#| reflect` cells: `from tito.checks import expect_error`)."""


from contextlib import contextmanager


@contextmanager
def case(description):
    """`with case("sum(axis=(0, 2)) of shape (2, 3, 4)"):` names the case a check is trying.

    A failure inside (the check's assertion, or an exception from the learner's code, such as a
    raw NumPy AxisError) becomes an AssertionError starting with the case; the grader adds the
    learner's line it came from. Stubs (NotImplementedError) and time limits pass through."""
    try:
        yield
    except (NotImplementedError, TimeoutError):
        raise
    except AssertionError as error:
        raise AssertionError(f"{description}: {error}") from error
    except Exception as error:
        raise AssertionError(f"{description}: {type(error).__name__}: {error}") from error


def expect_error(error_type, action, *must_mention):
    """Run action(); it must raise error_type with a message containing every string in must_mention.

    Bad input deserves a clear message, so the checks test the message too, not only the type.
    """
    try:
        action()
    except error_type as error:
        for text in must_mention:
            assert text in str(error), f"the {error_type.__name__} message should mention {text!r}, got: {error}"
    else:
        raise AssertionError(f"expected a {error_type.__name__} mentioning {must_mention}, but nothing was raised")


def no_warnings(action, what, fix):
    """Run action() and return its result; fail, naming `what` and how to `fix` it, if NumPy
    warns (overflow, 0/0, log(0), ...): a warning there means infinities or NaNs downstream."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return action()
        except RuntimeWarning as warning:
            raise AssertionError(f"{what}: NumPy warned '{warning}' ({fix})") from None


def check_answer(answers, key, expected, why, tolerance=0.0):
    """A Reflect check: the learner's answers[key] (from their `#| answers` cell) against `expected`,
    a value the check computed on THEIR code. Numbers match within `tolerance` (relative: 0.25
    accepts 25% either side; 0 means exactly, up to rounding); text matches ignoring case and
    spaces. A wrong answer gets `why`, an explanation of how to find it, never the value itself.
    """
    if answers is None:
        raise AssertionError("no Reflect answers: run the `#| answers` cell at the end of the notebook "
                             "(`answers = {...}`) after filling it in")
    if not isinstance(answers, dict):
        raise AssertionError(f"`answers` should be a dict like {{{key!r}: ...}}, got {type(answers).__name__}")
    if answers.get(key) is None:
        raise AssertionError(f"answers[{key!r}] is not filled in yet: replace its None in the `#| answers` cell, "
                             f"then run that cell")
    got = answers[key]
    if isinstance(expected, str):
        if not isinstance(got, str) or got.strip().lower() != expected.strip().lower():
            raise AssertionError(f"answers[{key!r}] = {got!r} is not right. {why}")
        return
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise AssertionError(f"answers[{key!r}] should be a number, got {got!r}") from None
    slack = max(abs(float(expected)) * tolerance, 1e-9 * max(1.0, abs(float(expected))))
    if not abs(value - float(expected)) <= slack:
        raise AssertionError(f"answers[{key!r}] = {got!r} is not right. {why}")
