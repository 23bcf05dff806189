"""Welcome: the reference solution of module 00.

Generated from curriculum/modules/00_welcome.py by `python -m curriculum.generate`. Do not edit.
"""

def dot(a, b):
    """The dot product of two equal-length lists of numbers.

    EXAMPLE:
    >>> dot([1, 2, 3], [4, 5, 6])
    32
    """
    if len(a) != len(b):
        raise ValueError(f"dot needs two lists of the same length, got lengths {len(a)} and {len(b)}")
    return sum(x * y for x, y in zip(a, b))
