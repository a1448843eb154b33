namespace Xai4Mri.ML.Study;

/// <summary>The three parts of a <see cref="SubjectSplit"/>.</summary>
public enum SubjectSplitPart
{
    /// <summary>Training subjects (xai4mri key <c>train</c>).</summary>
    Train,

    /// <summary>Validation subjects (xai4mri key <c>validation</c>).</summary>
    Validation,

    /// <summary>Test subjects (xai4mri key <c>test</c>).</summary>
    Test,
}
