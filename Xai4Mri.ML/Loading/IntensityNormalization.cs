namespace Xai4Mri.ML.Loading;

/// <summary>How <see cref="NiftiLoaderEstimator"/> clips and scales intensities to [0, 255].</summary>
public enum IntensityNormalization
{
    /// <summary>Keep the file's values (after reorientation and resampling).</summary>
    None,
    /// <summary>Each image is clipped at its own percentiles and scaled to [0, 255].</summary>
    PerImage,
    /// <summary>
    /// As xai4mri: clip bounds are the mean of the training images' per-image percentile bounds, learned by
    /// <c>Fit</c> and applied to every image, then scaled to [0, 255].
    /// </summary>
    Dataset,
}
