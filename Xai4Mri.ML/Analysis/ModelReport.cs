using System.Globalization;
using System.Text;
using Xai4Mri.ML.Loading;

namespace Xai4Mri.ML.Analysis;

/// <summary>What <see cref="ModelDiagnostics.Compute"/> found about a pretrained model and its fit to a dataset.</summary>
/// <param name="Architecture">Architecture name and input (e.g. "MRInet, input 1x40x44x52").</param>
/// <param name="Summary">The Keras-like layer table (<c>MriNetModel.Summary()</c>).</param>
/// <param name="TotalParameters">All parameters of the network as it will train (with the adapted head).</param>
/// <param name="FreezeChoices">Trainable parameters and samples per parameter for each freeze choice.</param>
/// <param name="SourceTask">What the pretrained head predicts.</param>
/// <param name="HeadAdaptation">What HeadAdapter will do for the new label.</param>
/// <param name="LoaderSettings">LoadNifti settings that conform the data to what the model expects.</param>
/// <param name="Compatibility">Findings on input compatibility, each saying what was found and what to do.</param>
public sealed record ModelReport(
    string Architecture,
    string Summary,
    long TotalParameters,
    IReadOnlyList<FreezeChoice> FreezeChoices,
    string SourceTask,
    string HeadAdaptation,
    NiftiLoaderOptions LoaderSettings,
    IReadOnlyList<string> Compatibility)
{
    /// <summary>A Markdown section: parameters per freeze choice, head adaptation, loader settings, compatibility.</summary>
    public string ToMarkdown(int headingLevel = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headingLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headingLevel, 5);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"{new string('#', headingLevel)} Model diagnostics").AppendLine();
        md.AppendLine(c, $"{Architecture}; {TotalParameters:N0} parameters. Source task: {SourceTask}. Head: {HeadAdaptation}.").AppendLine();
        md.AppendLine("| trainable layers | parameters | samples per parameter |");
        md.AppendLine("|---|---|---|");
        foreach (var f in FreezeChoices)
        {
            md.AppendLine(c, $"| {f.Name} | {f.TrainableParameters:N0} | {f.SamplesPerTrainableParameter:G3} |");
        }
        md.AppendLine();
        var s = LoaderSettings;
        md.AppendLine(c, $"Loader settings: `Orientation = \"{s.Orientation}\"`{(s.VoxelSize is { } v ? $", `VoxelSize = [{string.Join(", ", v.Select(x => x.ToString(c)))}]`" : "")}, `TargetShape = [{string.Join(", ", s.TargetShape ?? [])}]`, `Normalization = {s.Normalization}`{(s.BrainExtraction != BrainExtraction.None ? $", `BrainExtraction = BrainExtraction.{s.BrainExtraction}`" : "")}.").AppendLine();
        foreach (string finding in Compatibility)
        {
            md.AppendLine(c, $"- {finding}");
        }
        return md.ToString();
    }
}
