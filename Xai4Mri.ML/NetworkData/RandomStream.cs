namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// What a random stream is used for (the synthetic cohorts' draws, and the explanations' noise). Each purpose has its
/// own stream so that changing one option (say, the patient fraction or the voxel size) leaves every other draw of a
/// subject unchanged.
/// </summary>
internal enum RandomStream
{
    Demographics,
    Group,
    Anatomy,
    Lesions,
    Acquisition,
    Noise,
    PlantedLesionDraw,
    PlantedLesion,
}
