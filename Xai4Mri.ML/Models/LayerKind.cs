namespace Xai4Mri.ML.Models;

/// <summary>The layer types a <see cref="NetworkSpec"/> can hold: what MRInet, SFCN and xai4mri's Keras models use.</summary>
public enum LayerKind
{
    /// <summary>3-D convolution (channels-first weights [out, in, kd, kh, kw]).</summary>
    Conv3d,
    /// <summary>3-D max pooling.</summary>
    MaxPool3d,
    /// <summary>3-D average pooling (padding never counted).</summary>
    AvgPool3d,
    /// <summary>Batch normalisation over channels.</summary>
    BatchNorm3d,
    /// <summary>Rectified linear unit.</summary>
    Relu,
    /// <summary>Leaky ReLU with slope <see cref="LayerSpec.Alpha"/>.</summary>
    LeakyRelu,
    /// <summary>Softmax over the channel/feature axis.</summary>
    Softmax,
    /// <summary>Log-softmax over the channel/feature axis (SFCN's output).</summary>
    LogSoftmax,
    /// <summary>Flattens (C, D, H, W) to one vector per sample, channels-first order.</summary>
    Flatten,
    /// <summary>Dropout with rate <see cref="LayerSpec.Rate"/> (identity at inference).</summary>
    Dropout,
    /// <summary>Fully connected layer (weights [out, in]).</summary>
    Dense,
}
