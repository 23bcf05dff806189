"""Helpers the curriculum's checks share (imported by `#| hidden` cells: `from tito.checks import expect_error`)."""


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
