"""CenterCrop: the centred (height, width) window of images (Keras 3's preprocessing layer)."""

from ..layer import Layer
from .image_args import as_float, check_data_format, check_size, crop_window, spatial_axes, static_hw
from .resizing import resize_images


class CenterCrop(Layer):
    """Crops the centred (height, width) window of each image; an image smaller than that along
    either axis is instead resized as Keras 3 does (its smart_resize: the centred window of the
    largest size with the target's aspect ratio, resized bilinearly to (height, width)).

    Args:
        height, width: the output size.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W); default
            keras.config.image_data_format().

    Shapes: (N, H, W, C) -> (N, height, width, C), or (H, W, C) -> (height, width, C); H and W
    must be known while tracing. The output is in the layer's dtype (float32).

    Example: `CenterCrop(224, 224)` after `Resizing(256, 256)`.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = check_size("CenterCrop", "height", height)
        self.width = check_size("CenterCrop", "width", width)
        self.data_format = check_data_format("CenterCrop", data_format)

    def call(self, inputs):
        return center_crop("CenterCrop", inputs, (self.height, self.width), self.data_format, self.dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = spatial_axes("CenterCrop", shape, self.data_format)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width, "data_format": self.data_format}


def center_crop(who, images, size, data_format, dtype):
    """Keras 3's CenterCrop (and RandomCrop's inference path): crop when the image is at least
    `size`, else an aspect-ratio crop and a bilinear resize."""
    axes = spatial_axes(who, images.shape, data_format)
    height, width = static_hw(who, images.shape, axes)
    x = as_float(who, images, dtype)
    if height >= size[0] and width >= size[1]:
        if (height, width) == tuple(size):
            return x
        return crop_window(x, axes, ((height - size[0]) // 2, (width - size[1]) // 2), size)
    return resize_images(who, x, size, "bilinear", data_format, dtype, crop=True)
