namespace Xai4Mri.ML.Analysis;

/// <summary>A value (a class, a shape, an orientation, …) and how many rows or images have it.</summary>
/// <param name="Value">The value as text, e.g. <c>"patient"</c>, <c>"24×28×24"</c>, <c>"RAS"</c>.</param>
/// <param name="Count">How many rows or images have it.</param>
public sealed record ValueCount(string Value, int Count);
