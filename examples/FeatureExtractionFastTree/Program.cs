// Frozen features: a pretrained MRInet turns each scan into 64 numbers (MriNetFeaturize), and FastTree learns age from
// them — nothing in the network trains. Compared, on the same held-out subjects, with FastTree on the raw voxels and
// with FastTree on an earlier layer's channel means.
//   dotnet run --project examples/FeatureExtractionFastTree [PRETRAINED_MODEL]
// The model: the argument, else the quickstart's shipped model (examples/Shared).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "FeatureExtractionFastTree"));
string modelFile = PretrainedModels.Find(args.FirstOrDefault());
using var pretrained = MriNetModel.Load(modelFile);
Console.WriteLine($"Pretrained model {modelFile}: input {string.Join("x", pretrained.InputShape)} at " +
    $"{string.Join("/", pretrained.Conventions.VoxelSize ?? [6.0])} mm ({pretrained.Conventions.Description})");

// Target: 120 subjects of another site with the same contrast (site B: older 1.5T T1w, LAS, int16, noisier, strong
// bias field), split 80/20 by subject.
string cohort = Path.Combine(work, "site-b");
if (!File.Exists(Path.Combine(cohort, "participants.tsv")))
{
    Console.WriteLine($"Generating 120 synthetic site-B subjects (4 mm) in {cohort} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = cohort, Subjects = 120, Sites = [SiteProfile.SiteB], VoxelSize = 4, Seed = 31 });
}
var ml = new MLContext(seed: 1);
IDataView subjects = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });
var split = SubjectSplit.Create(subjects, new SubjectSplitOptions { TrainRatio = 0.8, ValidationRatio = 0, TestRatio = 0.2, Seed = 1 });
var parts = split.Apply(ml, subjects);
Console.WriteLine($"{split.Train.Count} training and {split.Test.Count} test subjects");

// Conform the target scans exactly as the model's source data: its voxel size, its input box.
// Conformed the way the model expects: its orientation, voxel size, input box and intensity scaling.
var loaderOptions = NiftiLoaderOptions.For(pretrained);
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions);
IEstimator<ITransformer> Trees(string features) => ml.Regression.Trainers.FastTree(labelColumnName: "age", featureColumnName: features,
    numberOfTrees: 100, numberOfLeaves: 4, minimumExampleCountPerLeaf: 5);

var candidates = new (string Name, IEstimator<ITransformer> Pipeline)[]
{
    ("raw voxels", loader.Append(Trees("Image"))),
    // Default layer: the one before the head (MRInet: the 64 ReLU units after Dense 64).
    ("penultimate layer (64)", loader.Append(ml.Transforms.MriNetFeaturize("Features", "Image", pretrained)).Append(Trees("Features"))),
    // Any layer by name: the fourth convolution's 64 channel maps, each averaged over space.
    ("conv3d_3 channel means (64)", loader.Append(ml.Transforms.MriNetFeaturize("Features", "Image", pretrained,
        new MriNetFeaturizeOptions { LayerName = "conv3d_3", GlobalAveragePool = true })).Append(Trees("Features"))),
};

float trainMean = parts.Train.GetColumn<float>("age").Average();
double meanBaseline = parts.Test.GetColumn<float>("age").Average(a => Math.Abs(a - trainMean));
Console.WriteLine();
Console.WriteLine($"{"features",-28} | {"count",6} | test MAE (years) | test R² | seconds");
var results = new List<(string Name, double Mae)>();
foreach (var (name, pipeline) in candidates)
{
    var started = clock.Elapsed;
    var model = pipeline.Fit(parts.Train);
    var scored = model.Transform(parts.Test);
    var metrics = ml.Regression.Evaluate(scored, labelColumnName: "age");
    string column = scored.Schema.GetColumnOrNull("Features") is null ? "Image" : "Features";
    int count = ((VectorDataViewType)scored.Schema[column].Type).Size;
    Console.WriteLine($"{name,-28} | {count,6} | {metrics.MeanAbsoluteError,16:F2} | {metrics.RSquared,7:F2} | {(clock.Elapsed - started).TotalSeconds,7:F1}");
    results.Add((name, metrics.MeanAbsoluteError));
    if (name.StartsWith("penultimate", StringComparison.Ordinal))
    {
        ml.Model.Save(model, subjects.Schema, Path.Combine(work, "brain-age-frozen-features.zip"));   // scores anywhere with ml.Model.Load
    }
}
Console.WriteLine($"{"predicting the training mean",-28} | {0,6} | {meanBaseline,16:F2} |         |");
var best = results.MinBy(r => r.Mae);
Console.WriteLine();
Console.WriteLine($"Best: {best.Name}, MAE {best.Mae:F2} years ({best.Mae / results[0].Mae:F2}x the raw-voxel MAE). Done in {clock.Elapsed.TotalSeconds:F0} s.");
