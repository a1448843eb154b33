using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Analysis;

/// <summary>Options of <see cref="Transferability.Compute(Microsoft.ML.MLContext, MriNetModel, Microsoft.ML.IDataView, string, TransferabilityOptions?)"/>.</summary>
internal sealed class TransferabilityOptions
{
    /// <summary>The image column (conformed to the model's input). Default "Image".</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Cross-validation folds of the probes. Default 5.</summary>
    public int Folds { get; set; } = 5;

    /// <summary>Seed of the fold assignment and of FastTree.</summary>
    public int Seed { get; set; }

    /// <summary>Edge of the cubes whose mean makes one raw image feature. Default 4 (a 40×44×52 input gives 10×11×13 features).</summary>
    public int RawBlockSize { get; set; } = 4;

    /// <summary>Images per forward pass while computing features. Default 8.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Receives a line per step (features computed, probes done).</summary>
    public IProgress<string>? Progress { get; set; }
}
