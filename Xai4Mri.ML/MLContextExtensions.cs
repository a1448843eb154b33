using Microsoft.ML;
using Xai4Mri.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

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

    /// <summary>
    /// Gives <paramref name="pretrained"/> a head for the task in <paramref name="labelColumnName"/> (xai4mri's
    /// <c>adapt_model</c>): a key column → that many classes with its value names, Boolean → two classes, Single →
    /// regression with the label mean as bias. Optionally warms up only the new head on frozen features. The fitted
    /// transformer scores the image column (Score, and Probability/PredictedLabel for classes) and exposes the
    /// adapted network as <see cref="MriNetPredictionTransformer.Model"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="pretrained">The pretrained model; it is not changed.</param>
    /// <param name="labelColumnName">The label column of the new task.</param>
    /// <param name="options">Image column, warm-up and seed; null for defaults (image column "Image", no warm-up).</param>
    public static AdaptHeadEstimator AdaptHead(this TransformsCatalog catalog, MriNetModel pretrained, string labelColumnName = "Label", AdaptHeadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        return new AdaptHeadEstimator(MLNetInternals.Environment(catalog), pretrained, labelColumnName, options ?? new AdaptHeadOptions());
    }
}
