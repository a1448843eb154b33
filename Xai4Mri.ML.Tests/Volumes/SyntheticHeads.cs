using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Volumes;

/// <summary>
/// Synthetic subjects generated twice from the same seed, with skull and without: the skull-stripped image is
/// strictly positive exactly on the generator's true intracranial mask (its documented contract), so its
/// non-zero voxels are the ground truth for the head image on the same grid.
/// </summary>
internal static class SyntheticHeads
{
    public sealed record Pair(SyntheticSubject Subject, Volume Head, Volume Stripped)
    {
        public float[] TruthMask() => [.. Stripped.Data.Select(v => v != 0 ? 1f : 0f)];
    }

    public static List<Pair> Generate(string folder, IList<SiteProfile> sites, double? voxelSize, int subjects, int seed = 11,
        double minAge = 20, double maxAge = 80, double patientFraction = 0.25)
    {
        SyntheticCohort Make(string name, bool withSkull) => SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = Path.Combine(folder, name), Subjects = subjects, Seed = seed, Sites = sites, VoxelSize = voxelSize,
            WithSkull = withSkull, MinAge = minAge, MaxAge = maxAge, PatientFraction = patientFraction,
        });
        var heads = Make("head", true);
        var stripped = Make("brain", false);
        return [.. heads.Subjects.Select((s, i) => new Pair(s, Load(s.Path), Load(stripped.Subjects[i].Path)))];
    }

    public static Volume Load(string path) => Volume.FromImage(MriImage.Load(path));

    /// <summary>Dice overlap of two 0/1 masks on one grid.</summary>
    public static double Dice(float[] a, float[] b)
    {
        long both = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            bool x = a[i] != 0, y = b[i] != 0;
            na += x ? 1 : 0;
            nb += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return 2.0 * both / (na + nb);
    }
}
