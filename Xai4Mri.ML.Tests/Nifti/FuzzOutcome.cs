using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>One fuzz case: what it was and from which fixture, the exception it ended with (null: read and conformed), a finding about that exception, and its time.</summary>
internal sealed record FuzzOutcome(string Label, string Source, Exception? Error, string? Problem, TimeSpan Elapsed)
{
    /// <summary>True when the case read, or failed as documented (an <see cref="ImageFormatException"/> naming the file).</summary>
    public bool IsDocumented => Problem is null && Error is null or ImageFormatException;
}
