namespace Xai4Mri.ML.Analysis;

/// <summary>Distribution of a class label (Boolean, key or text column): counts per class and how imbalanced they are.</summary>
/// <param name="ColumnName">The label column.</param>
/// <param name="Count">Rows with a label.</param>
/// <param name="MissingCount">Rows without one (key value 0, empty text).</param>
/// <param name="Classes">
/// Every class with its count: Boolean False then True, a key's values in key order (classes without rows included,
/// with 0), text values in ordinal order.
/// </param>
/// <param name="ImbalanceRatio">Largest class count divided by the smallest; infinity when a class has no rows.</param>
/// <param name="SmallestClass">Name of the smallest class (the first in <paramref name="Classes"/> order on a tie).</param>
/// <param name="SmallestClassCount">Rows in the smallest class.</param>
/// <param name="IsImbalanced">
/// True when <paramref name="ImbalanceRatio"/> ≥ <see cref="DatasetDiagnosticsOptions.ImbalanceRatioLimit"/> or the
/// smallest class has fewer than <see cref="DatasetDiagnosticsOptions.SmallestClassLimit"/> rows.
/// </param>
public sealed record ClassLabelStatistics(
    string ColumnName,
    int Count,
    int MissingCount,
    IReadOnlyList<ValueCount> Classes,
    double ImbalanceRatio,
    string SmallestClass,
    int SmallestClassCount,
    bool IsImbalanced);
