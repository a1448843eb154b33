namespace Xai4Mri.ML.Study;

/// <summary>What a dataset loader does with subjects whose image file does not exist.</summary>
public enum MissingFilePolicy
{
    /// <summary>Throw a <see cref="DatasetException"/> that lists every subject without an image and its path.</summary>
    Error,

    /// <summary>Leave those subjects out, list them in the loader's <c>Skipped</c> and log a warning on the ML.NET channel.</summary>
    Skip,
}
