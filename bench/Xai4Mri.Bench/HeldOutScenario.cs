using System.Globalization;
using System.Text.Json;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.Bench;

/// <summary>
/// One held-out scenario of bench/heldout-scenarios.json: a cohort of its own (sites, voxel size, contrast, seed), a
/// label (age, age classes, group, planted lesion, site or random classes), the share of labels shuffled, and what
/// the truth is (learnt, related, never-learnt or no signal).
/// </summary>
internal sealed record HeldOutScenario(
    string Id,
    string[] Sites,
    double? VoxelSize,
    string? Contrast,
    int Subjects,
    string Label,
    int Classes,
    double LabelNoise,
    double PatientFraction,
    double PlantedLesionFraction,
    double PlantedLesionRadius,
    string Signal,
    int CohortSeed,
    int LabelSeed,
    string Rationale)
{
    /// <summary>Age as a number is the only regression label; everything else is 2–4 classes.</summary>
    public bool Regression => Label == "age";

    /// <summary>The manifest's scenarios, checked: known labels and sites, class counts that fit the label, seeds used once.</summary>
    /// <exception cref="InvalidDataException">The manifest breaks one of these, naming the scenario.</exception>
    public static IReadOnlyList<HeldOutScenario> Load(string manifest)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var scenarios = json.RootElement.GetProperty("scenarios").Deserialize<List<HeldOutScenario>>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException($"{manifest}: no scenarios");
        var seeds = new HashSet<int>();
        foreach (var s in scenarios)
        {
            string where = $"{manifest}: scenario {s.Id}";
            if (s.Sites.Any(n => SiteProfile.FindPredefined(n) is null))
            {
                throw new InvalidDataException($"{where}: unknown site in {string.Join(", ", s.Sites)}");
            }
            bool classesFit = s.Label switch
            {
                "age" => s.Classes == 0,
                "age-classes" or "random" => s.Classes is >= 2 and <= 4,
                "group" or "planted_lesion" => s.Classes == 2,
                "site" => s.Classes == s.Sites.Length && s.Classes >= 2,
                _ => false,
            };
            if (!classesFit)
            {
                throw new InvalidDataException($"{where}: label '{s.Label}' with {s.Classes} classes (and {s.Sites.Length} sites) is not a label this bench can make");
            }
            if (!(s.LabelNoise is >= 0 and <= 1) || s.Subjects < 10)
            {
                throw new InvalidDataException($"{where}: label noise must be 0–1 and subjects at least 10");
            }
            if (!seeds.Add(s.CohortSeed) || !seeds.Add(s.LabelSeed))
            {
                throw new InvalidDataException($"{where}: seed {s.CohortSeed} or {s.LabelSeed} is used twice; every scenario needs its own cohort");
            }
        }
        return scenarios;
    }

    /// <summary>One subject of the scenario: its image, its (noised) label and its cross-validation fold.</summary>
    internal sealed record Subject(string Id, string Site, string Path, float Age, string ClassName, int Fold);

    /// <summary>
    /// The scenario's subjects, generated under <paramref name="folder"/> on first use and then read back from its
    /// labels.tsv (written last, atomically, so a generation that was killed is redone).
    /// </summary>
    public IReadOnlyList<Subject> Prepare(string folder, int subjects, int folds)
    {
        string table = Path.Combine(folder, $"labels-{folds}-folds.tsv");
        if (!File.Exists(table))
        {
            var sites = Sites.Select(n => SiteProfile.FindPredefined(n)!).Select(site => Contrast is null ? site : site with { Contrast = Enum.Parse<SyntheticContrast>(Contrast, ignoreCase: true) }).ToList();
            var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions
            {
                OutputFolder = Path.Combine(folder, "cohort"),
                Subjects = subjects,
                Seed = CohortSeed,
                Sites = sites,
                VoxelSize = VoxelSize,
                PatientFraction = PatientFraction,
                PlantedLesionFraction = PlantedLesionFraction,
                PlantedLesionRadius = PlantedLesionRadius,
                Overwrite = true,
            });
            var rows = Labels(cohort.Subjects, folds);
            string temporary = table + ".tmp";
            File.WriteAllLines(temporary, ["participant_id\tsite\tage\tclass\tfold\tpath", .. rows.Select(r => string.Join('\t', r.Id, r.Site, r.Age.ToString("R", CultureInfo.InvariantCulture), r.ClassName, r.Fold.ToString(CultureInfo.InvariantCulture), r.Path))]);
            File.Move(temporary, table, overwrite: true);
        }
        return [.. File.ReadAllLines(table).Skip(1).Select(l => l.Split('\t')).Select(f => new Subject(f[0], f[1], f[5], float.Parse(f[2], CultureInfo.InvariantCulture), f[3], int.Parse(f[4], CultureInfo.InvariantCulture)))];
    }

    /// <summary>
    /// Labels from the generated subjects: the class of each (none for age), then <see cref="LabelNoise"/> of them
    /// permuted among themselves, then folds (stratified by the noised class, so every fold holds every class).
    /// </summary>
    internal IReadOnlyList<Subject> Labels(IReadOnlyList<SyntheticSubject> subjects, int folds)
    {
        var random = new Random(LabelSeed);
        int n = subjects.Count;
        float[] ages = [.. subjects.Select(s => (float)s.Age)];
        string[] classes = Label switch
        {
            "age" => [.. subjects.Select(_ => "")],
            "age-classes" => AgeClasses(ages, Classes),
            "group" => [.. subjects.Select(s => s.Group)],
            "planted_lesion" => [.. subjects.Select(s => s.PlantedLesionRadius > 0 ? "yes" : "no")],
            "site" => [.. subjects.Select(s => s.Site.Name)],
            _ => [.. subjects.Select(_ => $"c{random.Next(Classes) + 1}")],
        };
        // Noise: a random subset of round(noise × n) subjects, their labels permuted among them (1: all shuffled).
        int[] noisy = [.. Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take((int)Math.Round(LabelNoise * n))];
        int[] permuted = (int[])noisy.Clone();
        random.Shuffle(permuted);
        float[] noisedAges = (float[])ages.Clone();
        string[] noisedClasses = (string[])classes.Clone();
        for (int i = 0; i < noisy.Length; i++)
        {
            noisedAges[noisy[i]] = ages[permuted[i]];
            noisedClasses[noisy[i]] = classes[permuted[i]];
        }
        // Folds: shuffled, and for classes dealt class by class so that each fold gets its share of every class.
        int[] order = [.. Enumerable.Range(0, n).OrderBy(_ => random.Next())];
        if (!Regression)
        {
            order = [.. order.OrderBy(i => noisedClasses[i], StringComparer.Ordinal)];
        }
        var fold = new int[n];
        for (int p = 0; p < n; p++)
        {
            fold[order[p]] = p % folds;
        }
        return [.. subjects.Select((s, i) => new Subject(s.Id, s.Site.Name, s.Path, noisedAges[i], noisedClasses[i], fold[i]))];
    }

    /// <summary>Quantile classes of age within the cohort ("q1" youngest … "qk"), ties kept together by sorting.</summary>
    internal static string[] AgeClasses(float[] ages, int k)
    {
        int[] order = [.. Enumerable.Range(0, ages.Length).OrderBy(i => ages[i]).ThenBy(i => i)];
        var names = new string[ages.Length];
        for (int p = 0; p < order.Length; p++)
        {
            names[order[p]] = $"q{(p * k / ages.Length) + 1}";
        }
        return names;
    }
}
