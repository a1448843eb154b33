// Explaining a transferred model: the quickstart's pretrained brain-age MRInet is fine-tuned on another site's scans,
// then ExplainMriNet adds each test subject's relevance map to the pipeline (computed row by row as the data view is
// read), GroupRelevance averages the maps of the younger and the older half in the model's box, and one subject's map
// goes back to its own scan's grid. Everything is written to example-output/ExplainTransferredModel/.
//   dotnet run --project examples/ExplainTransferredModel [PRETRAINED_MODEL]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string work = Path.GetFullPath(Path.Combine("example-output", "ExplainTransferredModel"));
string modelFile = PretrainedModels.Find(args.FirstOrDefault());
using var pretrained = MriNetModel.Load(modelFile);
Console.WriteLine($"Pretrained model {Path.GetFileName(modelFile)}: input {string.Join("x", pretrained.InputShape)}");

// 48 subjects of site B (another scanner than the model's site A), 36 to fine-tune on and 12 to explain.
string cohort = Path.Combine(work, "site-b");
if (!File.Exists(Path.Combine(cohort, "participants.tsv")))
{
    Console.WriteLine($"Generating 48 synthetic site-B subjects (4 mm) in {cohort} …");
    SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = cohort, Subjects = 48, Sites = [SiteProfile.SiteB], VoxelSize = 4, Seed = 5 });
}
var ml = new MLContext(seed: 1);
IDataView subjects = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
    options: new StudyTableOptions { NumericColumns = ["age"] });
var split = SubjectSplit.Create(subjects, new SubjectSplitOptions { TrainRatio = 0.75, ValidationRatio = 0, TestRatio = 0.25, Seed = 1 });
var parts = split.Apply(ml, subjects);

// Conformed as the model expects, then fine-tuned (head first, then the whole network).
var loaderOptions = NiftiLoaderOptions.For(pretrained);
loaderOptions.CacheDirectory = Path.Combine(work, "cache");
var pipeline = ml.Transforms.LoadNifti("Image", "Path", loaderOptions)
    .Append(ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
    {
        LabelColumnName = "age",
        PretrainedModel = pretrained,
        Strategy = TransferStrategy.DualPhase,
        Epochs = 6,
        FineTuneEpochs = 6,
        BatchSize = 8,
        Seed = 1,
    }));
var model = pipeline.Fit(parts.Train);
var scored = model.Transform(parts.Test);
var metrics = ml.Regression.Evaluate(scored, labelColumnName: "age");
Console.WriteLine($"Fine-tuned on {split.Train.Count} subjects: test MAE {metrics.MeanAbsoluteError:F2} years on {split.Test.Count} ({clock.Elapsed.TotalSeconds:F0} s)");

// The fitted pipeline's network — the fine-tuned MRInet inside MriNetPredictionTransformer — explained in the pipeline.
var network = PipelineNetwork.Find(model);
var explainer = ml.Transforms.ExplainMriNet("Relevance", "Image", model).Fit(scored);
var explained = explainer.Transform(scored);
Console.WriteLine($"Explaining {network.Spec.Architecture} by {explainer.Options.Method} into column Relevance {string.Join("x", explainer.ImageShape)}");

// Reading the column computes the maps, one row at a time.
var started = clock.Elapsed;
var rows = new List<(string Path, float Age, float Score, double Sum)>();
using (var cursor = explained.GetRowCursor(explained.Schema.Where(c => c.Name is "Path" or "age" or "Score" or "Relevance")))
{
    var path = cursor.GetGetter<ReadOnlyMemory<char>>(explained.Schema["Path"]);
    var age = cursor.GetGetter<float>(explained.Schema["age"]);
    var score = cursor.GetGetter<float>(explained.Schema["Score"]);
    var relevance = cursor.GetGetter<VBuffer<float>>(explained.Schema["Relevance"]);
    ReadOnlyMemory<char> p = default;
    float a = 0, s = 0;
    VBuffer<float> r = default;
    while (cursor.MoveNext())
    {
        path(ref p);
        age(ref a);
        score(ref s);
        relevance(ref r);
        rows.Add((p.ToString(), a, s, r.DenseValues().Sum(v => (double)v)));
    }
}
double perMap = (clock.Elapsed - started).TotalSeconds / rows.Count;
Console.WriteLine();
Console.WriteLine("subject | age | predicted | sum of relevance");
foreach (var row in rows.Take(4))
{
    Console.WriteLine($"{Path.GetFileName(row.Path)[..7]} | {row.Age,4:F1} | {row.Score,9:F1} | {row.Sum,8:F2}");
}
Console.WriteLine($"… {rows.Count} maps, {perMap:F2} s per map");

// Group maps in the model's box: everyone, and below / above the test subjects' median age.
var loader = ((IEnumerable<ITransformer>)model).OfType<NiftiLoaderTransformer>().Single();
double median = Math.Round(rows.Select(r => (double)r.Age).Order().ElementAt(rows.Count / 2), 1);
double low = Math.Floor(rows.Min(r => r.Age)), high = Math.Ceiling(rows.Max(r => r.Age));
var groups = GroupRelevance.Compute(explained, "Relevance").Concat(GroupRelevance.Compute(explained, "Relevance", "age", [low, median, high])).ToList();
var meanImage = GroupRelevance.Compute(explained, "Image").Single().Mean;
Console.WriteLine();
Console.WriteLine("group | subjects | mean sum of relevance | file");
foreach (var group in groups)
{
    string name = group.Group == "all" ? "group_all" : group.Group.StartsWith($"[{low}", StringComparison.Ordinal) ? "group_younger" : "group_older";
    group.Save(Path.Combine(work, $"{name}_relevance.nii.gz"), loader.Settings);
    RelevanceFigure.Save(Path.Combine(work, $"{name}_relevance.png"), meanImage, group.Mean, group.Shape, loader.Settings.Orientation, $"mean relevance, age {group.Group} ({group.Count} subjects)");
    Console.WriteLine($"{group.Group,-12} | {group.Count,8} | {group.Mean.Sum(v => (double)v),21:F2} | {name}_relevance.nii.gz");
}

// One subject's map back in its own scan's grid, and its figure over the conformed image.
string first = rows[0].Path;
var (image, _) = loader.LoadOne(first);
var map = RelevanceMaps.Compute(network, image, 1).Single();
loader.WriteNative(first, map.Values, Path.Combine(work, "subject_relevance_native.nii.gz"));
RelevanceFigure.Save(Path.Combine(work, "subject_relevance.png"), image, map.Values, loader.Settings.TargetShape, loader.Settings.Orientation, $"{Path.GetFileName(first)}: predicted {map.OutputValue:F1} years");
Console.WriteLine();
Console.WriteLine($"{Path.GetFileName(first)}: map in its own grid subject_relevance_native.nii.gz, figure subject_relevance.png");
Console.WriteLine($"Written to {work}. Done in {clock.Elapsed.TotalSeconds:F0} s.");
