using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Models;

/// <summary>What a model predicts: regression (with the training target's mean and spread) or named classes.</summary>
public sealed record ModelTask
{
    /// <summary>Class names for classification; empty for regression.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Mean of the regression target in the training data (the head's bias), when known.</summary>
    public double? TargetMean { get; init; }

    /// <summary>Standard deviation of the regression target, when known.</summary>
    public double? TargetStandardDeviation { get; init; }

    /// <summary>Name of the target (e.g. "age"), when known.</summary>
    public string? TargetName { get; init; }

    /// <summary>True for classification.</summary>
    public bool IsClassification => ClassNames.Count > 0;

    /// <summary>A regression task.</summary>
    public static ModelTask Regression(double? targetMean = null, string? targetName = null) => new() { TargetMean = targetMean, TargetName = targetName };

    /// <summary>The task a network for <paramref name="label"/> predicts (regression with the target's mean and spread, or its classes).</summary>
    internal static ModelTask For(LabelColumn label, double? targetMean, double? targetSd) => label.Kind == LabelKind.Regression
        ? Regression(targetMean, label.Name) with { TargetStandardDeviation = targetSd }
        : Classification(label.ClassNames, label.Name);

    /// <summary>A classification task over <paramref name="classNames"/> (at least two).</summary>
    public static ModelTask Classification(IEnumerable<string> classNames, string? targetName = null)
    {
        var names = classNames.ToList();
        if (names.Count < 2)
        {
            throw new ArgumentException("classification needs at least two classes", nameof(classNames));
        }
        return new ModelTask { ClassNames = names, TargetName = targetName };
    }
}
