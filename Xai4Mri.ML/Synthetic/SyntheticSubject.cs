namespace Xai4Mri.ML.Synthetic;

/// <summary>One generated subject: its participants.tsv row, its image file and ground-truth landmarks.</summary>
public sealed class SyntheticSubject
{
    internal SyntheticSubject(int index, string id, double age, string sex, string group, SiteProfile site, string path,
        (double X, double Y, double Z) brainCentre, (double X, double Y, double Z) ventricleCentre, double atrophyIndex, int lesionCount,
        double plantedLesionRadius = 0, (double X, double Y, double Z)? plantedLesionCentre = null)
    {
        Index = index;
        Id = id;
        Age = age;
        Sex = sex;
        Group = group;
        Site = site;
        Path = path;
        BrainCentre = brainCentre;
        VentricleCentre = ventricleCentre;
        AtrophyIndex = atrophyIndex;
        LesionCount = lesionCount;
        PlantedLesionRadius = plantedLesionRadius;
        PlantedLesionCentre = plantedLesionCentre;
    }

    /// <summary>Position in the cohort, from 0; the subject's random streams are derived from (seed, index).</summary>
    public int Index { get; }

    /// <summary>BIDS participant id, e.g. <c>sub-001</c>.</summary>
    public string Id { get; }

    /// <summary>Age in years, rounded to 0.1 (the anatomy was built for exactly this value).</summary>
    public double Age { get; }

    /// <summary><c>"F"</c> or <c>"M"</c>.</summary>
    public string Sex { get; }

    /// <summary><c>"control"</c> or <c>"patient"</c> (patients show accelerated atrophy).</summary>
    public string Group { get; }

    /// <summary>True for the patient group.</summary>
    public bool IsPatient => Group == SyntheticCohort.PatientGroup;

    /// <summary>The site that scanned the subject (after the cohort's voxel-size and orientation overrides).</summary>
    public SiteProfile Site { get; }

    /// <summary>Full path of the T1w image, <c>ROOT/sub-XXX/anat/sub-XXX_T1w.nii.gz</c>.</summary>
    public string Path { get; }

    /// <summary>World position (mm, RAS) of the centre of the intracranial volume.</summary>
    public (double X, double Y, double Z) BrainCentre { get; }

    /// <summary>World position (mm, RAS) of the midpoint between the two lateral ventricles.</summary>
    public (double X, double Y, double Z) VentricleCentre { get; }

    /// <summary>Atrophy index the anatomy was built with: about 0 at 20 years and 1 for a typical 80-year-old control.</summary>
    public double AtrophyIndex { get; }

    /// <summary>Number of white-matter lesions placed in the phantom.</summary>
    public int LesionCount { get; }

    /// <summary>True when a lesion was planted (<see cref="SyntheticCohortOptions.PlantedLesionFraction"/>).</summary>
    public bool HasPlantedLesion => PlantedLesionRadius > 0;

    /// <summary>Radius (mm) of the planted lesion; 0 when none was planted.</summary>
    public double PlantedLesionRadius { get; }

    /// <summary>World position (mm, RAS) of the planted lesion's centre; null when none was planted.</summary>
    public (double X, double Y, double Z)? PlantedLesionCentre { get; }
}
