using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// Everything the transfer analysis found (xai4mri's announced <c>analyse_model_and_data</c>): dataset and model
/// diagnostics, transferability, domain shift, and the recommendation; as Markdown, JSON, or a folder with figures.
/// </summary>
/// <param name="LabelColumnName">The label analysed.</param>
/// <param name="Subjects">Rows with a label that the features and probes used.</param>
/// <param name="Dataset">Label distribution and image diagnostics (read from the files).</param>
/// <param name="Model">Architecture, parameters per freeze choice, head adaptation, input compatibility.</param>
/// <param name="Transferability">LogME and cross-validated probes on pretrained and raw features.</param>
/// <param name="DomainShift">Shift of the new data's features from the source's; null when neither stored statistics nor reference data were available.</param>
/// <param name="LearningCurve">The ridge probe's score over training-set sizes (penultimate and raw features).</param>
/// <param name="Embedding">The penultimate features of every subject projected on their first two principal components.</param>
/// <param name="IntensityHistograms">Non-zero intensities of the conformed images per site.</param>
/// <param name="LabelValues">The regression labels (for the distribution figure); empty for classes.</param>
/// <param name="Recommendation">What to do, with settings and reasons.</param>
/// <param name="Seconds">How long the analysis took.</param>
public sealed record TransferReport(
    string LabelColumnName,
    int Subjects,
    DatasetReport Dataset,
    ModelReport Model,
    TransferabilityReport Transferability,
    DomainShiftReport? DomainShift,
    IReadOnlyList<LearningCurvePoint> LearningCurve,
    FeatureEmbedding Embedding,
    IReadOnlyList<IntensityHistogram> IntensityHistograms,
    IReadOnlyList<float> LabelValues,
    TransferRecommendation Recommendation,
    double Seconds)
{
    /// <summary>File names of the figures <see cref="Save"/> writes, with what they show.</summary>
    public static IReadOnlyList<(string File, string Caption)> Figures { get; } =
    [
        ("label-distribution.png", "Label distribution"),
        ("intensity-histograms.png", "Intensity histograms of the conformed images per site"),
        ("feature-embedding.png", "Penultimate-layer features, first two principal components, coloured by label"),
        ("probe-learning-curve.png", "Ridge probe over training-set size: pretrained vs raw features"),
    ];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The report as Markdown: recommendation first, then the evidence, then the diagnostics.</summary>
    public string ToMarkdown() => Markdown(withFigures: false);

    /// <summary>The report as indented JSON (NaN and infinities as "NaN"/"Infinity" strings, enums by name).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Writes <c>report.md</c> (with the figures linked), <c>report.json</c> and the four PNG figures of
    /// <see cref="Figures"/> into <paramref name="directory"/> (created if needed; each file written atomically).
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var r = Recommendation;
        ReportFigures.LabelDistribution(Path.Combine(directory, Figures[0].File), LabelColumnName,
            Dataset.Regression is null ? null : [.. LabelValues], Dataset.Classes?.Classes);
        ReportFigures.IntensityHistograms(Path.Combine(directory, Figures[1].File), IntensityHistograms);
        ReportFigures.Embedding(Path.Combine(directory, Figures[2].File), Embedding, LabelColumnName);
        ReportFigures.ProbeLearningCurve(Path.Combine(directory, Figures[3].File), LearningCurve, r.Metric, r.ChanceScore);
        WriteAtomically(Path.Combine(directory, "report.md"), Markdown(withFigures: true));
        WriteAtomically(Path.Combine(directory, "report.json"), ToJson());
    }

    private string Markdown(bool withFigures)
    {
        var c = CultureInfo.InvariantCulture;
        var r = Recommendation;
        var t = Transferability;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Transfer analysis: `{LabelColumnName}`, {Subjects} subjects").AppendLine();
        md.AppendLine(c, $"**Recommendation: {Describe(r.Approach)}** (confidence {r.ConfidenceLevel}, {r.Confidence:F2}). ");
        md.AppendLine(c, $"Expected {r.Metric} about {r.ExpectedScore:G3} (chance {r.ChanceScore:G3}; skill {r.ExpectedSkill:F2} on a 0 = chance, 1 = perfect scale).").AppendLine();
        foreach (string reason in r.Reasons)
        {
            md.AppendLine(c, $"- {reason}");
        }
        md.AppendLine();
        if (r.Approach is not (TransferApproach.TooLittleSignal or TransferApproach.FrozenFeatures))
        {
            md.AppendLine("| setting | value |").AppendLine("|---|---|");
            md.AppendLine(c, $"| epochs | {r.Epochs}{(r.FineTuneEpochs > 0 ? $" + {r.FineTuneEpochs} fine-tune" : "")} |");
            md.AppendLine(c, $"| learning rate | {r.LearningRate:G3}{(r.FineTuneEpochs > 0 ? $" then {r.FineTuneLearningRate:G3}" : "")} |");
            md.AppendLine(c, $"| batch size | {r.BatchSize} (≈ {r.TrainingBytesPerStep / 1048576.0:F0} MiB per step) |");
            md.AppendLine(c, $"| validation fraction | {r.ValidationFraction:F2} |");
            md.AppendLine(c, $"| cross-validation folds | {r.Folds} |");
            md.AppendLine(c, $"| time per epoch (measured here) | {r.SecondsPerEpoch:F1} s |");
            if (r.FrozenInPhaseTwo.Count > 0)
            {
                md.AppendLine(c, $"| frozen in phase 2 | {string.Join(", ", r.FrozenInPhaseTwo)} |");
            }
            md.AppendLine();
        }
        md.AppendLine("## Transferability").AppendLine();
        md.AppendLine("| features | LogME | H-score | ridge | FastTree |").AppendLine("|---|---|---|---|---|");
        foreach (var group in t.Probes.GroupBy(p => p.Features))
        {
            string Probe(string model) => group.FirstOrDefault(p => p.Model == model) is { } p ? string.Create(c, $"{p.Mean:G3} ± {p.StandardDeviation:G2}") : "–";
            md.AppendLine(c, $"| {group.Key} ({group.First().FeatureCount}) | {(t.LogMe.TryGetValue(group.Key, out double l) ? l.ToString("F3", c) : "–")} | {(t.HScore.TryGetValue(group.Key, out double h) ? h.ToString("F3", c) : "–")} | {Probe("ridge")} | {Probe("FastTree")} |");
        }
        md.AppendLine();
        md.AppendLine(c, $"Probes: {r.Metric}, mean ± sd over {r.Folds} folds; chance {t.ChanceLevel:G3}. Gain of pretrained over raw features: {t.Gain:+0.000;-0.000}. H-score (with shrinkage): 0 for no separation, at most k − 1 for k {(t.HScoreBins > 0 ? $"bins (the label cut into {t.HScoreBins} equal-count bins)" : "classes")}.").AppendLine();
        if (DomainShift is { } s)
        {
            md.AppendLine("## Domain shift").AppendLine();
            md.AppendLine(c, $"Against {s.Reference}: mean |d| {s.MeanAbsoluteShift:F2} over {s.ActiveFeatures} active features, {s.LargeShiftFraction:P0} with |d| > 1, median sd ratio {s.MedianScaleRatio:F2} — **{s.Level}**.").AppendLine();
        }
        else
        {
            md.AppendLine("## Domain shift").AppendLine();
            md.AppendLine("Not measured: the model carries no source statistics and no reference data was given (TransferAnalysisOptions.ReferenceData).").AppendLine();
        }
        if (LearningCurve.Count > 0)
        {
            md.AppendLine("## Probe learning curve").AppendLine();
            md.AppendLine("| training subjects | features | score |").AppendLine("|---|---|---|");
            foreach (var p in LearningCurve)
            {
                md.AppendLine(c, $"| {p.N} | {p.Features} | {p.Mean:G3} ± {p.StandardDeviation:G2} |");
            }
            md.AppendLine();
        }
        md.Append(Dataset.ToMarkdown(2));
        md.Append(Model.ToMarkdown(2)).AppendLine();
        if (withFigures)
        {
            md.AppendLine("## Figures").AppendLine();
            foreach (var (file, caption) in Figures)
            {
                md.AppendLine(c, $"![{caption}]({file})").AppendLine();
            }
        }
        md.AppendLine(c, $"_Analysis took {Seconds:F0} s._");
        return md.ToString();
    }

    private static string Describe(TransferApproach strategy) => strategy switch
    {
        TransferApproach.FrozenFeatures => "frozen features + FastTree or a linear model",
        TransferApproach.LinearProbeThenFineTune => "linear probe, then fine-tune all layers",
        TransferApproach.DualPhase => "dual-phase transfer (all layers, then dense layers only)",
        TransferApproach.MonoPhase => "mono-phase transfer (all layers)",
        TransferApproach.TrainFromScratch => "train from scratch (the pretrained features do not help this label)",
        _ => "too little signal: collect more data or check the labels",
    };

    private static void WriteAtomically(string path, string text)
    {
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
