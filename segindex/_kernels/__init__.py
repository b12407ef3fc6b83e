"""All compiled code of segindex: numba kernels, plain arrays in and out.

Importing this package compiles nothing; numba compiles each kernel on its
first call and caches the machine code on disk (see :mod:`._jit`).
"""

from . import multigroup, twogroup, validate

__all__ = ["multigroup", "twogroup", "validate"]
