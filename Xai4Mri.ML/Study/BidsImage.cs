namespace Xai4Mri.ML.Study;

/// <summary>One image file found by <see cref="BidsDataset"/>: its entities (with their prefixes: <c>sub-01</c>, <c>ses-1</c>, <c>run-2</c>; acquisition without), path and problem.</summary>
internal sealed record BidsImage(string Subject, string Session, string Run, string Acquisition, string Path, string? Problem);
