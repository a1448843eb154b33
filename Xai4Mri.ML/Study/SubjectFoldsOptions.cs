namespace Xai4Mri.ML.Study;

/// <summary>Options for <see cref="SubjectFolds.Create(Microsoft.ML.IDataView, SubjectFoldsOptions?)"/>.</summary>
public sealed class SubjectFoldsOptions
{
    /// <summary>Number of folds, at least 2 and at most the number of subjects. Default 5.</summary>
    public int NumberOfFolds { get; set; } = 5;

    /// <summary>Seed of the shuffle: the same subjects, options and seed give the same folds, on any machine. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// The subject-id column of the data view. Default null: <c>sid</c> when present, else <c>participant_id</c>.
    /// </summary>
    public string? SubjectColumn { get; set; }

    /// <summary>
    /// A column to stratify by, so that each fold has about the same mix of its values: text columns (and Boolean)
    /// by value, number columns by quantile bin (<see cref="StratifyBins"/>). Missing values form their own stratum.
    /// Default null: no stratification.
    /// </summary>
    public string? StratifyBy { get; set; }

    /// <summary>
    /// Number of quantile bins for a numeric <see cref="StratifyBy"/> column (4 = quartiles). Default 4. Class codes
    /// held as numbers are stratified by value when this is at least the number of subjects.
    /// </summary>
    public int StratifyBins { get; set; } = 4;
}
