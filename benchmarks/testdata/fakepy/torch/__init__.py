"""A stand-in for torch with what sb3_train.py calls."""
from . import nn  # noqa: F401

_threads = 4


def set_num_threads(n):
    global _threads
    _threads = n


def get_num_threads():
    return _threads
