"""Recurrent layers: the RNN base and its cells (see rnn.py for the cell API and lowering)."""

from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .rnn import RNN, DropoutRNNCell
from .simple_rnn import SimpleRNN, SimpleRNNCell
from .stacked_rnn_cells import StackedRNNCells

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "DropoutRNNCell", "SimpleRNN", "SimpleRNNCell",
           "StackedRNNCells"]
