namespace Xai4Mri.ML.Synthetic;

/// <summary>How a synthetic site adds acquisition noise to the noise-free image.</summary>
public enum SyntheticNoiseModel
{
    /// <summary>Magnitude of complex Gaussian noise (the physics of magnitude MR images): biased upwards where the signal is low.</summary>
    Rician,

    /// <summary>Additive Gaussian noise, clipped at zero.</summary>
    Gaussian,
}
