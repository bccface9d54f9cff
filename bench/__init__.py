"""Benchmarks for autograph, compared in the same run with NumPy and, when installed, with
TensorFlow, PyTorch and JAX. Run ``python -m bench`` (or ``python bench/run.py``); see
``bench/run.py`` for the flags. Timings are never asserted in tests.
"""
