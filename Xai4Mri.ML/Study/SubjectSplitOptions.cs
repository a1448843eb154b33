namespace Xai4Mri.ML.Study;

/// <summary>Options for <see cref="SubjectSplit.Create(Microsoft.ML.IDataView, SubjectSplitOptions?)"/>.</summary>
public sealed class SubjectSplitOptions
{
    /// <summary>Share of subjects for training. Default 0.8 (xai4mri's default split 0.8/0.1/0.1).</summary>
    public double TrainRatio { get; set; } = 0.8;

    /// <summary>Share of subjects for validation. Default 0.1.</summary>
    public double ValidationRatio { get; set; } = 0.1;

    /// <summary>Share of subjects for testing. Default 0.1. The three ratios must sum to 1 (within 1e-6).</summary>
    public double TestRatio { get; set; } = 0.1;

    /// <summary>Seed of the shuffle: the same subjects, options and seed give the same split, on any machine. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// The subject-id column of the data view. Default null: <c>sid</c> when present, else <c>participant_id</c>.
    /// </summary>
    public string? SubjectColumn { get; set; }

    /// <summary>
    /// A column to stratify by, so that each part has about the same mix of its values: text columns (and Boolean)
    /// by value, number columns by quantile bin (<see cref="StratifyBins"/>). Missing values form their own stratum.
    /// Default null: no stratification.
    /// </summary>
    public string? StratifyBy { get; set; }

    /// <summary>Number of quantile bins for a numeric <see cref="StratifyBy"/> column (4 = quartiles). Default 4.</summary>
    public int StratifyBins { get; set; } = 4;
}
