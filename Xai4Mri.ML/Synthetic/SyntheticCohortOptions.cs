using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Synthetic;

/// <summary>What <see cref="SyntheticCohort.Generate"/> makes: how many subjects, from which sites, with which demographics, where.</summary>
public sealed class SyntheticCohortOptions
{
    /// <summary>Folder that receives the BIDS-like cohort; created if missing.</summary>
    public required string OutputFolder { get; set; }

    /// <summary>Number of subjects. Default 20.</summary>
    public int Subjects { get; set; } = 20;

    /// <summary>Random seed: the same options and seed give byte-identical voxel data. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Sites that scan the subjects. Default <see cref="SiteProfile.SiteA"/> and <see cref="SiteProfile.SiteB"/> (both T1w, 2 mm).</summary>
    public IList<SiteProfile> Sites { get; set; } = [SiteProfile.SiteA, SiteProfile.SiteB];

    /// <summary>
    /// Relative share of subjects per site, parallel to <see cref="Sites"/>; null for equal shares. Subjects are
    /// dealt to sites in an interleaved, deterministic order whose counts follow the shares as closely as possible.
    /// </summary>
    public IList<double>? SiteWeights { get; set; }

    /// <summary>Youngest age in years (ages are uniform between the bounds). Default 20.</summary>
    public double MinAge { get; set; } = 20;

    /// <summary>Oldest age in years. Default 80.</summary>
    public double MaxAge { get; set; } = 80;

    /// <summary>Probability that a subject is a patient (accelerated atrophy) rather than a control. Default 0.25.</summary>
    public double PatientFraction { get; set; } = 0.25;

    /// <summary>
    /// Probability that a subject gets one planted white-matter lesion (a sphere of <see cref="PlantedLesionRadius"/>
    /// in the centrum semiovale of a random hemisphere, with the contrast of the age-related lesions), drawn from its
    /// own stream so that every other draw is unchanged; participants.tsv then gets a <c>planted_lesion</c> column
    /// (1 or 0). A binary label whose evidence is known voxel by voxel (<see cref="SyntheticCohort.WriteRegions"/>).
    /// Default 0: none, and no column.
    /// </summary>
    public double PlantedLesionFraction { get; set; }

    /// <summary>Radius in millimetres of a planted lesion. Default 8.</summary>
    public double PlantedLesionRadius { get; set; } = 8;

    /// <summary>Isotropic voxel size in millimetres for every site, replacing each site's own; null keeps the sites'.</summary>
    public double? VoxelSize { get; set; }

    /// <summary>Axis codes of the stored images (e.g. <c>"LIA"</c>) for every site, replacing each site's own; null keeps the sites'.</summary>
    public string? Orientation { get; set; }

    /// <summary>Keep skull, scalp and the noisy background. Default false: skull-stripped, background exactly zero.</summary>
    public bool WithSkull { get; set; }

    /// <summary>
    /// Write into a non-empty folder that is not a previous synthetic cohort, replacing only files of the same
    /// names (nothing else is deleted). Default false: such a folder is refused. A previous synthetic cohort is
    /// always regenerated in place: its old subject images are removed, other files are kept.
    /// </summary>
    public bool Overwrite { get; set; }

    /// <summary>Subjects generated at once (each holds a few image-sized buffers); null for one per processor core.</summary>
    public int? MaxDegreeOfParallelism { get; set; }

    /// <summary>Receives the number of subjects written so far, after each subject; calls are serialised and counts increase.</summary>
    public IProgress<int>? Progress { get; set; }
}
