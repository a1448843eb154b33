namespace Xai4Mri.ML.Volumes;

/// <summary>What <see cref="HeadCheck.Check"/> concludes about an image.</summary>
public enum HeadCheckVerdict
{
    /// <summary>Only a brain: no skull or scalp around it, and a brain-sized volume above background.</summary>
    BrainExtracted,

    /// <summary>A head: a bright scalp over a dark skull around the brain, or far more tissue than a brain.</summary>
    NotBrainExtracted,

    /// <summary>No head or brain at all: the image is all background or constant, its object is smaller than any brain, or it is a uniform blob without tissue contrast.</summary>
    NoHead,
}
