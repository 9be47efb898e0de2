"""Shared fixtures of the frontend tests."""

import pytest

from horn.frontend.layers.rnn import rnn as rnn_module


@pytest.fixture(params=["default", "loop"])
def recurrence_lowering(request, monkeypatch):
    """Run a test twice: with recurrences lowered as horn chooses by length (the short test
    sequences unroll), and looped (ONNX Scan) at every length."""
    if request.param == "loop":
        monkeypatch.setattr(rnn_module, "SCAN_FROM_STEPS", 1)
    return request.param
