using System.Globalization;
using System.Runtime.ExceptionServices;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// A deterministic synthetic brain MRI cohort in a BIDS-like folder: <c>participants.tsv</c>,
/// <c>dataset_description.json</c> and <c>sub-XXX/anat/sub-XXX_T1w.nii.gz</c>, made by <see cref="Generate"/>.
/// </summary>
public sealed class SyntheticCohort
{
    /// <summary>The <c>group</c> value of controls.</summary>
    public const string ControlGroup = "control";

    /// <summary>The <c>group</c> value of patients.</summary>
    public const string PatientGroup = "patient";

    private SyntheticCohort(string root, int seed, IReadOnlyList<SyntheticSubject> subjects)
    {
        Root = root;
        Seed = seed;
        Subjects = subjects;
    }

    /// <summary>Full path of the cohort folder.</summary>
    public string Root { get; }

    /// <summary>Full path of <c>participants.tsv</c>.</summary>
    public string ParticipantsPath => Path.Combine(Root, CohortFolder.ParticipantsFile);

    /// <summary>The seed the cohort was generated with.</summary>
    public int Seed { get; }

    /// <summary>The subjects in participants.tsv order.</summary>
    public IReadOnlyList<SyntheticSubject> Subjects { get; }

    /// <summary>
    /// Generates the cohort: draws every subject's demographics, anatomy and acquisition from streams derived from
    /// (seed, subject index), renders the images in parallel and writes each file atomically.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    /// <exception cref="IOException">The output folder is not empty and not a previous synthetic cohort (and
    /// <see cref="SyntheticCohortOptions.Overwrite"/> is off), or a file cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; files written so far stay.</exception>
    public static SyntheticCohort Generate(SyntheticCohortOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        SiteProfile[] sites = Validate(options);
        string root = Path.GetFullPath(options.OutputFolder);
        CohortFolder.Prepare(root, options.Overwrite);

        var plans = Plan(options, sites, root);
        CohortFolder.WriteDescription(root, options, sites);

        int completed = 0;
        var progressLock = new object();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.For(0, plans.Length, parallel, i =>
            {
                var (subject, scan) = plans[i];
                Directory.CreateDirectory(Path.GetDirectoryName(subject.Path)!);
                var grid = new VoxelGrid(subject.Site.VoxelSize, subject.Site.FieldOfView, subject.Site.Orientation);
                scan.Write(subject.Path, grid, $"xai4mri synthetic {subject.Id} {subject.Site.Name} seed {options.Seed}");
                lock (progressLock)
                {
                    completed++;
                    options.Progress?.Report(completed);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface the first worker's exception as the documented type rather than a wrapper.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        var subjects = plans.Select(p => p.Subject).ToArray();
        CohortFolder.WriteParticipants(root, subjects, options.PlantedLesionFraction > 0);
        return new SyntheticCohort(root, options.Seed, subjects);
    }

    /// <summary>
    /// Writes the ground truth of one subject's image: a uint8 NIfTI on the same grid, orientation and affine as the
    /// subject's image whose values are <see cref="SyntheticRegion"/> labels (per voxel the tissue with the largest
    /// partial-volume fraction, from the same anatomy the image was rendered from). The file appears atomically.
    /// </summary>
    /// <param name="subject">A subject of this cohort.</param>
    /// <param name="path">Target file; .gz means gzip-compressed.</param>
    /// <exception cref="ArgumentException">The subject is not one of this cohort's.</exception>
    /// <exception cref="ImageFormatException">The file cannot be written.</exception>
    public void WriteRegions(SyntheticSubject subject, string path)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (subject.Index >= Subjects.Count || !ReferenceEquals(Subjects[subject.Index], subject))
        {
            throw new ArgumentException($"subject {subject.Id} is not a subject of the cohort in {Root}", nameof(subject));
        }
        var phantom = BrainPhantom.Create(subject.Age, subject.Sex == "M", subject.IsPatient, Seed, subject.Index, subject.PlantedLesionRadius);
        // The skull changes no region inside the intracranial mask, and regions end there.
        var scan = new SubjectScan(phantom, subject.Site, withSkull: false, Seed, subject.Index);
        var grid = new VoxelGrid(subject.Site.VoxelSize, subject.Site.FieldOfView, subject.Site.Orientation);
        scan.WriteRegions(path, grid, $"xai4mri synthetic regions {subject.Id} seed {Seed}");
    }

    /// <summary>True when <paramref name="folder"/> holds a cohort written by <see cref="Generate"/> (its dataset_description.json says so).</summary>
    public static bool IsSyntheticCohort(string folder) => CohortFolder.IsSyntheticCohort(folder);

    private static (SyntheticSubject Subject, SubjectScan Scan)[] Plan(SyntheticCohortOptions options, SiteProfile[] sites, string root)
    {
        int width = Math.Max(3, options.Subjects.ToString(CultureInfo.InvariantCulture).Length);
        int[] siteOf = AssignSites(options.Subjects, options.SiteWeights, sites.Length);
        var plans = new (SyntheticSubject, SubjectScan)[options.Subjects];
        for (int i = 0; i < plans.Length; i++)
        {
            var demographics = new DeterministicRandom(options.Seed, i, RandomStream.Demographics);
            double age = Math.Round(demographics.Uniform(options.MinAge, options.MaxAge), 1);
            bool male = demographics.NextDouble() < 0.5;
            var groupDraw = new DeterministicRandom(options.Seed, i, RandomStream.Group);
            bool patient = groupDraw.NextDouble() < options.PatientFraction;
            SiteProfile site = sites[siteOf[i]];

            var plantDraw = new DeterministicRandom(options.Seed, i, RandomStream.PlantedLesionDraw);
            double plantedRadius = plantDraw.NextDouble() < options.PlantedLesionFraction ? options.PlantedLesionRadius : 0;

            var phantom = BrainPhantom.Create(age, male, patient, options.Seed, i, plantedRadius);
            var scan = new SubjectScan(phantom, site, options.WithSkull, options.Seed, i);
            string id = "sub-" + (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            string path = Path.Combine(root, id, "anat", $"{id}_T1w.nii.gz");
            var subject = new SyntheticSubject(i, id, age, male ? "M" : "F", patient ? PatientGroup : ControlGroup, site, path,
                scan.Centre, scan.VentricleCentre, phantom.AtrophyIndex, phantom.LesionCount, plantedRadius, scan.PlantedLesionCentre);
            plans[i] = (subject, scan);
        }
        return plans;
    }

    /// <summary>
    /// Smooth weighted round robin: interleaves sites and keeps every prefix of the cohort as close to the weights
    /// as integers allow, so small cohorts still see every site.
    /// </summary>
    private static int[] AssignSites(int count, IList<double>? weights, int sites)
    {
        double[] w = weights?.ToArray() ?? Enumerable.Repeat(1.0, sites).ToArray();
        double total = w.Sum();
        var current = new double[sites];
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            int best = 0;
            for (int s = 0; s < sites; s++)
            {
                current[s] += w[s];
                if (current[s] > current[best])
                {
                    best = s;
                }
            }
            current[best] -= total;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Checks every option and returns the sites with the cohort-wide overrides applied.</summary>
    private static SiteProfile[] Validate(SyntheticCohortOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.OutputFolder))
        {
            throw new ArgumentException("an output folder is required");
        }
        if (o.Subjects < 1)
        {
            throw new ArgumentException($"the number of subjects must be at least 1, not {o.Subjects}");
        }
        if (!(o.MinAge >= 0 && o.MinAge <= o.MaxAge && o.MaxAge <= 150))
        {
            throw new ArgumentException($"ages must satisfy 0 <= min <= max <= 150, not {o.MinAge} to {o.MaxAge}");
        }
        if (!(o.PatientFraction >= 0 && o.PatientFraction <= 1))
        {
            throw new ArgumentException($"the patient fraction must be between 0 and 1, not {o.PatientFraction}");
        }
        if (!(o.PlantedLesionFraction >= 0 && o.PlantedLesionFraction <= 1))
        {
            throw new ArgumentException($"the planted-lesion fraction must be between 0 and 1, not {o.PlantedLesionFraction}");
        }
        if (!(o.PlantedLesionRadius > 0 && o.PlantedLesionRadius <= 20))
        {
            throw new ArgumentException($"the planted-lesion radius must be more than 0 and at most 20 mm, not {o.PlantedLesionRadius}");
        }
        if (o.VoxelSize is { } size && !(size > 0 && double.IsFinite(size)))
        {
            throw new ArgumentException($"the voxel size must be a positive number of millimetres, not {size}");
        }
        if (o.Orientation is not null)
        {
            _ = VoxelGrid.ParseOrientation(o.Orientation, "");
        }
        if (o.MaxDegreeOfParallelism is < 1)
        {
            throw new ArgumentException($"the degree of parallelism must be at least 1, not {o.MaxDegreeOfParallelism}");
        }
        if (o.Sites is null || o.Sites.Count == 0)
        {
            throw new ArgumentException("at least one site is required");
        }
        if (o.SiteWeights is { } weights
            && (weights.Count != o.Sites.Count || weights.Any(w => !(w >= 0 && double.IsFinite(w))) || !(weights.Sum() > 0)))
        {
            throw new ArgumentException($"site weights must be {o.Sites.Count} non-negative numbers with a positive sum");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sites = new SiteProfile[o.Sites.Count];
        for (int s = 0; s < sites.Length; s++)
        {
            SiteProfile site = o.Sites[s] ?? throw new ArgumentException($"site {s} is null");
            site = site with
            {
                VoxelSize = o.VoxelSize ?? site.VoxelSize,
                Orientation = (o.Orientation ?? site.Orientation)?.ToUpperInvariant() ?? "",
            };
            site.Validate();
            if (!names.Add(site.Name))
            {
                throw new ArgumentException($"site name '{site.Name}' is used twice");
            }
            sites[s] = site;
        }
        return sites;
    }
}
