"""horn's layers (Keras names)."""

from .core import Activation, Dense, Dropout, Flatten, Lambda, Reshape
from .input_layer import Input, InputLayer
from .input_spec import InputSpec
from .layer import Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer",
           "InputSpec", "Lambda", "Layer", "Reshape"]


from .activations import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: E402
from .merging import (  # noqa: E402
           Add,
           Average,
           Concatenate,
           Dot,
           Maximum,
           Minimum,
           Multiply,
           Subtract,
           add,
           average,
           concatenate,
           dot,
           maximum,
           minimum,
           multiply,
           subtract,
)
from .normalization import LayerNormalization  # noqa: E402

__all__ += ["Add", "Average", "Concatenate", "Dot", "ELU", "LayerNormalization", "LeakyReLU", "Maximum",
            "Minimum", "Multiply", "PReLU", "ReLU", "Softmax", "Subtract", "add", "average", "concatenate",
            "dot", "maximum", "minimum", "multiply", "subtract"]

from .sequence import Embedding, Masking, RepeatVector  # noqa: E402
from .wrappers import Bidirectional, TimeDistributed  # noqa: E402

__all__ += ["Bidirectional", "Embedding", "Masking", "RepeatVector", "TimeDistributed"]


from .normalization import BatchNormalization  # noqa: E402

__all__ += ["BatchNormalization"]

from .convolutional import (  # noqa: E402
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    Convolution1D,
    Convolution1DTranspose,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    Convolution3DTranspose,
    Deconv2D,
    Deconv3D,
    Deconvolution2D,
    Deconvolution3D,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
    SeparableConvolution2D,
)

__all__ += ["Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Convolution1D",
            "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose", "Convolution3D",
            "Convolution3DTranspose", "Deconv2D", "Deconv3D", "Deconvolution2D", "Deconvolution3D",
            "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D",
            "SeparableConvolution2D"]

from .conv_lstm import ConvLSTM2D  # noqa: E402

__all__ += ["ConvLSTM2D"]

from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells  # noqa: E402

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "SimpleRNN", "SimpleRNNCell", "StackedRNNCells"]

from .pooling import (  # noqa: E402
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from .regularization import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D  # noqa: E402
from .reshaping import (  # noqa: E402
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

__all__ += ["AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
            "Cropping1D", "Cropping2D", "Cropping3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
            "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
            "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
            "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
            "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "UpSampling1D", "UpSampling2D",
            "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"]

from .activations import ThresholdedReLU  # noqa: E402
from .core import Identity  # noqa: E402
from .normalization import GroupNormalization, UnitNormalization  # noqa: E402
from .preprocessing import Normalization, Rescaling  # noqa: E402
from .regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise  # noqa: E402
from .reshaping import Permute  # noqa: E402

__all__ += ["ActivityRegularization", "AlphaDropout", "GaussianDropout", "GaussianNoise", "GroupNormalization",
            "Identity", "Normalization",
            "Permute", "Rescaling", "ThresholdedReLU", "UnitNormalization"]

from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: E402

__all__ += ["AdditiveAttention", "Attention", "MultiHeadAttention"]

from .preprocessing import (  # noqa: E402
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    Resizing,
)

__all__ += ["CenterCrop", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "Resizing"]

from .preprocessing import RandomRotation, RandomTranslation, RandomZoom  # noqa: E402

__all__ += ["RandomRotation", "RandomTranslation", "RandomZoom"]
