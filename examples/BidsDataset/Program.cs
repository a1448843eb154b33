// A BIDS folder into ML.NET: BidsDataset finds every sub-*/[ses-*/]anat/*_T1w.nii[.gz] and joins its metadata
// (participants.tsv, sessions.tsv, scans.tsv, sidecar fields), SubjectSplit divides subjects (stratified by group) into
// train/validation/test as xai4mri's split dictionary, LoadNifti conforms the images (decoded once, cached on disk), and
// FastTree learns age.
//   dotnet run --project examples/BidsDataset [BIDS_ROOT]
// Without an argument it first builds a synthetic BIDS dataset of 100 subjects scanned twice: session 1 at site A
// (3T T1w, RAS, float32), session 2 at site B (1.5T T1w, LAS, int16) — the same people, two rows each. As in many real
// datasets the age at scan is in the per-session scans.tsv files, the site in sessions.tsv and the field strength in
// the .json sidecars (one for the dataset, overridden for session 2).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "BidsDataset"));
string root = args.Length > 0 ? Path.GetFullPath(args[0]) : Path.Combine(work, "bids");
// participants.tsv is written last; a dataset from an earlier version of this example has no sessions.tsv.
if (args.Length == 0 && !(File.Exists(Path.Combine(root, "participants.tsv")) && File.Exists(Path.Combine(root, "sub-001", "sub-001_sessions.tsv"))))
{
    MakeTwoSessionDataset(root, subjects: 100);
}

// 1. Discover and join the metadata. Read returns the table for inspection; ToDataView (or BidsDataset.Load in one
//    call) gives the IDataView. Summary says which tables were read and how many of their rows matched an image.
var ml = new MLContext(seed: 1);
var bids = BidsDataset.Read(root, suffix: "T1w", new BidsDatasetOptions { SidecarFields = ["MagneticFieldStrength"] });
foreach (string line in bids.Summary.Lines())
{
    Console.WriteLine(line.Replace(bids.Root, "…"));
}
Console.WriteLine($"Columns: {string.Join(", ", bids.Columns.Select(col => $"{col.Name} ({col.Kind})"))}");
Console.WriteLine($"First image: {Path.GetRelativePath(bids.Root, bids.Paths[0])}; sessions: {(bids.Sessions.All(s => s.Length == 0) ? "none" : string.Join(", ", bids.Sessions.Distinct()))}");
Console.WriteLine("Per session: " + string.Join("; ", Enumerable.Range(0, bids.RowCount)
    .Select(r => $"{bids.Sessions[r]} at {bids["site"].Values[r]}, {bids["MagneticFieldStrength"].Values[r]} T").Distinct()));
Console.WriteLine($"Skipped: {bids.Skipped.Count}, images without a participants.tsv row: {bids.UnlistedSubjects.Count}");
IDataView scans = bids.ToDataView(ml);

// 2. Split by subject, stratified by group (patients and controls in every part), as xai4mri's create_data_split.
//    Every image of a subject — all sessions and runs — lands in the same part.
var split = SubjectSplit.Create(scans, new SubjectSplitOptions { TrainRatio = 0.7, ValidationRatio = 0.1, TestRatio = 0.2, StratifyBy = "group", Seed = 1 });
string splitFile = Path.Combine(work, "split.json");
split.Save(splitFile);                                   // xai4mri's split dictionary, as JSON
var parts = split.Apply(ml, scans);
var groupOf = bids.SubjectIds.Zip(bids["group"].Values).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second);
string Patients(IReadOnlyList<string> ids) => $"{ids.Count} subjects ({ids.Count(id => groupOf[id] == SyntheticCohort.PatientGroup)} patients)";
Console.WriteLine($"Split (saved to {splitFile}): train {Patients(split.Train)}, validation {Patients(split.Validation)}, test {Patients(split.Test)}");

// A row-level split (ML.NET's TrainTestSplit without a key) would put the two sessions of many subjects on both sides:
// the model would be tested on people it has already seen. With the subject as sampling key it cannot happen.
int Leaked(IDataView train, IDataView test) =>
    train.GetColumn<string>("participant_id").Intersect(test.GetColumn<string>("participant_id")).Count();
var byRow = ml.Data.TrainTestSplit(scans, 0.2, seed: 1);
var bySubject = ml.Data.TrainTestSplit(scans, 0.2, samplingKeyColumnName: "participant_id", seed: 1);
Console.WriteLine($"Subjects with scans on both sides of a 20 % test split: by row {Leaked(byRow.TrainSet, byRow.TestSet)}, " +
    $"by subject {Leaked(bySubject.TrainSet, bySubject.TestSet)}, SubjectSplit {Leaked(parts.Train, parts.Test)}");

// 3. Conform and learn. RAS and LAS files become LIA, 4 mm becomes 6 mm, brains are cropped to the largest brain box
//    of the training images, intensities scaled to 0–255 with the training images' clip bounds; decoded volumes go to
//    the cache, so the evaluation passes and any later run read them back instead of decoding again.
var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions
    {
        VoxelSize = [6.0],
        CacheDirectory = Path.Combine(work, "cache"),
    })
    .Append(ml.Regression.Trainers.FastTree(labelColumnName: "age", featureColumnName: "Image",
        numberOfTrees: 200, numberOfLeaves: 8, minimumExampleCountPerLeaf: 5, learningRate: 0.1));
Console.WriteLine("Fitting LoadNifti → FastTree on the training subjects …");
var model = pipeline.Fit(parts.Train);
var loader = (NiftiLoaderTransformer)((IEnumerable<ITransformer>)model).First();
Console.WriteLine($"Image column: {string.Join("x", loader.Settings.TargetShape)} voxels; native orientations seen: " +
    $"{string.Join(", ", loader.FitReport.Orientations.Select(o => $"{o.Key} ({o.Value})"))}; cache after fitting: {loader.CacheStatistics}");

// 4. Evaluate on validation and test subjects, against predicting the training mean.
float trainMean = parts.Train.GetColumn<float>("age").Average();
foreach (var (name, part) in new[] { ("validation", parts.Validation), ("test", parts.Test) })
{
    var metrics = ml.Regression.Evaluate(model.Transform(part), labelColumnName: "age");
    double baseline = part.GetColumn<float>("age").Average(a => Math.Abs(a - trainMean));
    Console.WriteLine($"{name,-10}: MAE {metrics.MeanAbsoluteError:F1} years (predicting the training mean: {baseline:F1}), R² {metrics.RSquared:F2}");
}
ml.Model.Save(model, scans.Schema, Path.Combine(work, "brain-age-bids.zip"));
Console.WriteLine($"Cache at the end: {loader.CacheStatistics}. Model saved to {Path.Combine(work, "brain-age-bids.zip")}. Done in {clock.Elapsed.TotalSeconds:F0} s.");

// Two synthetic cohorts with the same seed hold the same people (age, sex, group, anatomy); scanned at two sites they
// become two sessions of one BIDS dataset: sub-001/ses-1/anat/sub-001_ses-1_T1w.nii.gz and …/ses-2/…. The metadata is
// spread over the levels BIDS has for it: the person in participants.tsv, the site in sub-*/sub-*_sessions.tsv, the age
// at scan in sub-*/ses-*/sub-*_ses-*_scans.tsv (file names without anat/, as many datasets write them), the field
// strength in a dataset-level T1w.json that each session-2 sidecar overrides.
static void MakeTwoSessionDataset(string root, int subjects)
{
    Console.WriteLine($"Building a two-session BIDS dataset of {subjects} subjects (4 mm) in {root} …");
    string staging = root + "-staging";
    var sessions = new[] { ("ses-1", SiteProfile.SiteA), ("ses-2", SiteProfile.SiteB) };
    var sites = new Dictionary<string, List<string>>();
    foreach (var (session, site) in sessions)
    {
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = Path.Combine(staging, session), Subjects = subjects, Sites = [site], VoxelSize = 4, Seed = 3,
        });
        foreach (var subject in cohort.Subjects)
        {
            string sessionDir = Path.Combine(root, subject.Id, session);
            string image = $"{subject.Id}_{session}_T1w.nii.gz";
            Directory.CreateDirectory(Path.Combine(sessionDir, "anat"));
            File.Move(subject.Path, Path.Combine(sessionDir, "anat", image), overwrite: true);
            File.WriteAllText(Path.Combine(sessionDir, $"{subject.Id}_{session}_scans.tsv"),
                string.Create(CultureInfo.InvariantCulture, $"filename\tage\n{image}\t{subject.Age:0.0}\n"));
            if (session == "ses-2")
            {
                File.WriteAllText(Path.Combine(sessionDir, $"{subject.Id}_{session}_T1w.json"), "{\"MagneticFieldStrength\": 1.5}\n");
            }
            (sites.TryGetValue(subject.Id, out var list) ? list : sites[subject.Id] = []).Add($"{session}\t{site.Name}");
        }
    }
    foreach (var (id, rows) in sites)
    {
        File.WriteAllLines(Path.Combine(root, id, $"{id}_sessions.tsv"), rows.Prepend("session_id\tsite"));
    }
    File.WriteAllText(Path.Combine(root, "T1w.json"), "{\"MagneticFieldStrength\": 3, \"Manufacturer\": \"Xai4Mri.ML synthetic\"}\n");
    // participants.tsv keeps what belongs to the person (age and site are per scan and per session).
    string[] lines = File.ReadAllLines(Path.Combine(staging, "ses-1", "participants.tsv"));
    string[] header = lines[0].Split('\t');
    int[] keep = [Array.IndexOf(header, "participant_id"), Array.IndexOf(header, "sex"), Array.IndexOf(header, "group")];
    File.Copy(Path.Combine(staging, "ses-1", "dataset_description.json"), Path.Combine(root, "dataset_description.json"), overwrite: true);
    File.WriteAllLines(Path.Combine(root, "participants.tsv"),
        lines.Select(line => string.Join('\t', keep.Select(i => line.Split('\t')[i]))));   // written last: marks the dataset complete
    Directory.Delete(staging, recursive: true);
}
