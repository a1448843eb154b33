using Microsoft.ML;
using Xai4Mri.ML.Data;

namespace Xai4Mri.ML;

/// <summary>Catalog entry points of Xai4Mri.ML (<c>ml.Transforms.LoadNifti</c>, …).</summary>
public static class MLContextExtensions
{
    /// <summary>
    /// Loads the MRI files named in <paramref name="inputColumnName"/> (NIfTI-1/2, .nii.gz, .hdr/.img, MGH/MGZ) into a
    /// known-size float vector column of conformed volumes (reoriented, optionally resampled, pruned, normalised).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the image column to add.</param>
    /// <param name="inputColumnName">Text column with file paths; default "Path".</param>
    /// <param name="options">Loader settings; null for xai4mri's defaults.</param>
    public static NiftiLoaderEstimator LoadNifti(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = "Path", NiftiLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        var env = MLNetInternals.Environment(catalog);
        return new NiftiLoaderEstimator(env, outputColumnName, inputColumnName, options ?? new NiftiLoaderOptions());
    }
}
