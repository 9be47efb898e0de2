"""Data formats: Keras's channels_last layers run ONNX's channels-first (NCHW) kernels.

A channels_last layer transposes its input to channels-first, runs the ONNX op, and
transposes back. Between two such layers the pair Transpose(back) -> Transpose(there)
cancels in the compiler's simplify pass, so a stack of convolutions keeps NCHW throughout.
"""

from .. import ops
from ..config import image_data_format


def normalize_data_format(data_format):
    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format


def to_channels_first(x, data_format):
    """(N, *spatial, C) -> (N, C, *spatial) for channels_last; unchanged for channels_first."""
    if data_format == "channels_first":
        return x
    rank = len(x.shape)
    return ops.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def from_channels_first(x, data_format):
    """(N, C, *spatial) -> (N, *spatial, C) for channels_last; unchanged for channels_first."""
    if data_format == "channels_first":
        return x
    rank = len(x.shape)
    return ops.transpose(x, [0] + list(range(2, rank)) + [1])


def channel_axis(data_format, rank):
    return 1 if data_format == "channels_first" else rank - 1
