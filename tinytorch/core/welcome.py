"""Welcome: the reference solution of module 00.

Generated from curriculum/modules/00_welcome.py by `python -m curriculum.generate`. Do not edit.
"""

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
    if len(a) != len(b):
        raise ValueError(f"dot needs two lists of the same length, got lengths {len(a)} and {len(b)}")
    return sum(x * y for x, y in zip(a, b))
