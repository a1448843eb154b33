namespace Xai4Mri.ML.Study;

/// <summary>One record of a delimited text file and the 1-based line it starts on.</summary>
internal readonly record struct TextRecord(int Line, string[] Fields);
