using Xai4Mri.ML.Synthetic;

/// <summary>The choices the quickstart and its pretraining script share, so that the shipped model and the new data agree.</summary>

internal static class Settings
{
    /// <summary>Voxel size the loader resamples every scan to: 6 mm keeps a 5-fold comparison of three strategies to minutes on two cores.</summary>
    public const double VoxelSize = 6.0;

    /// <summary>The pretrained model shipped in pretrained/ (copied next to the binaries on build).</summary>
    public const string PretrainedFile = "mrinet-site-a-age-6mm.x4m";

    /// <summary>Source cohort of the pretraining script: site A, T1w, RAS, Rician noise.</summary>
    public static SyntheticCohortOptions Source(string folder) => new()
    {
        OutputFolder = folder, Subjects = 1000, Seed = 11, Sites = [SiteProfile.SiteA], VoxelSize = 4,
    };

    /// <summary>
    /// Target cohort: another site (site D: FLAIR instead of T1w, PSR orientation, other noise and bias field, stored
    /// at 3 mm) and only 60 subjects — the situation transfer learning is for.
    /// </summary>
    public static SyntheticCohortOptions Target(string folder) => new()
    {
        OutputFolder = folder, Subjects = 60, Seed = 23, Sites = [SiteProfile.SiteD], VoxelSize = 3,
    };

    /// <summary>One more site-D subject the models never see, for the prediction at the end.</summary>
    public static SyntheticCohortOptions NewSubject(string folder) => new()
    {
        OutputFolder = folder, Subjects = 1, Seed = 99, Sites = [SiteProfile.SiteD], VoxelSize = 3,
    };
}
