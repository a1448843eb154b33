namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// The label of a voxel in a region image (<see cref="SyntheticCohort.WriteRegions"/>): inside the intracranial mask
/// the tissue with the largest partial-volume fraction in that voxel, as the generator rendered it; outside it
/// <see cref="Background"/>. The stored value is the enum's number.
/// </summary>
public enum SyntheticRegion : byte
{
    /// <summary>Outside the intracranial mask (zero in a skull-stripped image).</summary>
    Background = 0,

    /// <summary>CSF outside the ventricles: the gap between brain and skull, the sulci and the interhemispheric fissure (widen with age).</summary>
    Csf = 1,

    /// <summary>Cortical grey matter (thins with age).</summary>
    CorticalGrayMatter = 2,

    /// <summary>White matter (darkens slightly with age in T1w).</summary>
    WhiteMatter = 3,

    /// <summary>Deep grey nuclei (shrink slightly with age).</summary>
    DeepGrayMatter = 4,

    /// <summary>The lateral ventricles (grow with age).</summary>
    Ventricles = 5,

    /// <summary>Age-related white-matter lesions (more with age).</summary>
    Lesions = 6,

    /// <summary>The lesion planted by <see cref="SyntheticCohortOptions.PlantedLesionFraction"/>.</summary>
    PlantedLesion = 7,
}
