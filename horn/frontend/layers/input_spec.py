"""InputSpec: what a layer accepts, checked before each call with an error naming the layer."""


class InputSpec:
    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.dtype, self.shape, self.name = dtype, shape, name
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})

    def check(self, layer, shape):
        rank = len(shape)
        who = f"Input 0 of layer '{layer.name}' ({type(layer).__name__})"
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"{who} is incompatible with the layer: expected ndim={self.ndim}, "
                             f"found ndim={rank}. Full shape received: {tuple(shape)}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(f"{who} is incompatible with the layer: expected min_ndim={self.min_ndim}, "
                             f"found ndim={rank}. Full shape received: {tuple(shape)}")
        if self.max_ndim is not None and rank > self.max_ndim:
            raise ValueError(f"{who} is incompatible with the layer: expected max_ndim={self.max_ndim}, "
                             f"found ndim={rank}. Full shape received: {tuple(shape)}")
        for axis, size in self.axes.items():
            got = shape[axis] if -rank <= axis < rank else None
            if got is not None and size is not None and got != size:
                where = "last axis" if axis == -1 else f"axis {axis}"
                raise ValueError(f"Layer '{layer.name}' expected the {where} of its input to be {size}, "
                                 f"but got input shape {tuple(shape)}.")
