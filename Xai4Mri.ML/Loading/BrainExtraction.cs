namespace Xai4Mri.ML.Loading;

/// <summary>Whether the loader strips skull and scalp before conforming (<see cref="NiftiLoaderOptions.BrainExtraction"/>).</summary>
public enum BrainExtraction
{
    /// <summary>Images are used as they are (the default; earlier versions did this).</summary>
    None,

    /// <summary>Images that the head check finds not brain-extracted are stripped; extracted brains are kept as they are.</summary>
    Auto,

    /// <summary>Every image is stripped.</summary>
    Always,
}
