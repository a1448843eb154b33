using Microsoft.ML;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Analysis;

/// <summary>Settings of the transfer analysis (<c>ml.Transforms.AnalyzeTransfer</c>, <see cref="TransferAnalysis.Analyze"/>).</summary>
public sealed class TransferAnalysisOptions
{
    /// <summary>Column with the image file paths that the dataset diagnostics read (LoadNifti keeps it). Default "Path".</summary>
    public string PathColumnName { get; set; } = "Path";

    /// <summary>Column with subject ids for messages; default: sid, else participant_id, when present.</summary>
    public string? SubjectColumnName { get; set; }

    /// <summary>
    /// Column naming each image's site or scanner, for the intensity histograms per site; default "site" when the
    /// data has it (BIDS participants.tsv and our synthetic cohorts do), else one group.
    /// </summary>
    public string? SiteColumnName { get; set; }

    /// <summary>Cross-validation folds of the probes (and the folds the recommendation plans for). Default 5.</summary>
    public int Folds { get; set; } = 5;

    /// <summary>Seed of the folds, the learning-curve subsets and FastTree.</summary>
    public int Seed { get; set; }

    /// <summary>Edge of the voxel cubes averaged into one raw image feature. Default 4.</summary>
    public int RawBlockSize { get; set; } = 4;

    /// <summary>Images per forward pass while features are computed. Default 8.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>
    /// Images of a cohort like the source (conformed like the new data) to measure domain shift against, when the
    /// model carries no <see cref="MriNetModel.SourceStatistics"/>; ignored when it does.
    /// </summary>
    public IDataView? ReferenceData { get; set; }

    /// <summary>Training steps timed to estimate the time per epoch. Default 3 (after one untimed warm-up step).</summary>
    public int TimingBatches { get; set; } = 3;

    /// <summary>Memory one training step may use when the batch size is chosen; default a quarter of the memory available to this process.</summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>Share of the subjects that train in the model diagnostics' samples-per-parameter figures. Default 0.8 (xai4mri's split).</summary>
    public double TrainingFraction { get; set; } = 0.8;

    /// <summary>Receives a line per step: diagnostics, features (per batch), probes, timing.</summary>
    public IProgress<string>? Progress { get; set; }
}
