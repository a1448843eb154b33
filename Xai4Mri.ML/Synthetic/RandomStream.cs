namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// What a random stream is used for. Each purpose has its own stream so that changing one option (say, the
/// patient fraction or the voxel size) leaves every other draw of a subject unchanged.
/// </summary>
internal enum RandomStream
{
    Demographics,
    Group,
    Anatomy,
    Lesions,
    Acquisition,
    Noise,
}
