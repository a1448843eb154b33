using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Data;

namespace Xai4Mri.Cli;

/// <summary>
/// The study a command works on: a participants.tsv (images found by a path template) or a BIDS root, with the
/// label made ready for the networks (Single for regression; a key column "Label" for classes).
/// </summary>
internal static class StudyInput
{
    public const string DefaultTemplate = "{participant_id}/anat/{participant_id}_T1w.nii.gz";

    /// <summary>The rows and the name of the label column to train or analyse on.</summary>
    /// <exception cref="ArgumentException">The label column is not in the study (the message lists the columns).</exception>
    public static (IDataView Study, string LabelColumn) Load(MLContext ml, string data, string? template, string suffix, string label, bool classification)
    {
        if (!Directory.Exists(data) && File.Exists(data) && File.ReadLines(data).FirstOrDefault()?.Split('\t') is { } header && !header.Contains(label))
        {
            // Checked before loading: the table reader would first fail on typing a column it does not have.
            throw new ArgumentException($"--label: the study has no column '{label}' (columns: {string.Join(", ", header)})");
        }
        IDataView study = Directory.Exists(data)
            ? BidsDataset.Load(ml, data, suffix)
            : StudyTable.Load(ml, data, template ?? DefaultTemplate, options: new StudyTableOptions { NumericColumns = classification ? [] : [label] });
        var column = study.Schema.GetColumnOrNull(label) ?? throw new ArgumentException($"--label: the study has no column '{label}' (columns: {string.Join(", ", study.Schema.Select(c => c.Name))})");
        if (classification)
        {
            // The class mapping belongs to the training data, not to a saved model: prediction inputs have no label.
            return (ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(study).Transform(study), "Label");
        }
        if (column.Type != NumberDataViewType.Single)
        {
            study = ml.Transforms.Conversion.ConvertType(label, label, DataKind.Single).Fit(study).Transform(study);
        }
        return (study, label);
    }
}
