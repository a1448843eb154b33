using System.Globalization;
using Microsoft.ML;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// One model with conformed test images and, per image, the true regions in the model's box: the synthetic
/// generator's region image, encoded so that it takes the image's path through <c>LoadNifti</c> (same reorientation,
/// resampling and placement), then thresholded.
/// </summary>
internal sealed class FaithfulnessScenario : IDisposable
{
    // Region images go through the loader as 0 outside the brain, 1 inside it and RegionValue inside the region: the
    // brain keeps the image's non-zero support (so the loader places it in the same box), and after trilinear
    // resampling a voxel is in the region when at least half of its interpolation weight came from region voxels.
    private const float RegionValue = 1001;

    private readonly bool _ownsModel;
    private readonly int _lastLayer;

    private FaithfulnessScenario(string key, string title, MriNetModel model, bool ownsModel, int? target, string outputUnit)
    {
        Key = key;
        Title = title;
        Model = model;
        _ownsModel = ownsModel;
        Target = target;
        OutputUnit = outputUnit;
        _lastLayer = model.Spec.Layers.Count - 1;
        while (_lastLayer > 0 && model.Spec.Layers[_lastLayer].Kind is LayerKind.Softmax or LayerKind.LogSoftmax)
        {
            _lastLayer--;
        }
    }

    public string Key { get; }

    public string Title { get; }

    public string Description { get; private set; } = "";

    public MriNetModel Model { get; }

    /// <summary>The explained output (null: the regression output).</summary>
    public int? Target { get; }

    public string OutputUnit { get; }

    /// <summary>The box (D, H, W).</summary>
    public int[] Shape => Model.InputShape;

    /// <summary>The model's voxel size in mm (isotropic).</summary>
    public double VoxelMm => Model.Conventions.VoxelSize is [var mm, ..]
        ? mm
        : throw new InvalidOperationException("the model records no voxel size, so cube sizes in mm cannot be turned into voxels");

    /// <summary>Edge in voxels of a perturbation cube (<see cref="FaithfulnessOptions.CubeMm"/>).</summary>
    public int CubeEdge { get; private set; }

    /// <summary>Edge in voxels of an occlusion cube (<see cref="FaithfulnessOptions.OcclusionMm"/>).</summary>
    public int OcclusionEdge { get; private set; }

    public float[] Images { get; private set; } = [];

    public int Count { get; private set; }

    public string[] Ids { get; private set; } = [];

    public bool[][] Brain { get; private set; } = [];

    /// <summary>Per region name, per image: the region's voxels in the box.</summary>
    public Dictionary<string, bool[][]> Regions { get; } = [];

    /// <summary>Per image, the perturbation cubes that hold brain voxels.</summary>
    public List<FaithfulnessCube>[] Cubes { get; private set; } = [];

    /// <summary>Per image, the value removed voxels get: the mean of its brain voxels.</summary>
    public float[] Fill { get; private set; } = [];

    /// <summary>The image the slice figure shows and the region its slice goes through.</summary>
    public int Example { get; private set; }

    public string ExampleRegion { get; private set; } = "";

    /// <summary>Age regression on fresh site-A subjects with the quickstart's pretrained model.</summary>
    public static FaithfulnessScenario Age(MLContext ml, MriNetModel pretrained, FaithfulnessOptions o, Action<string> log)
    {
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = Path.Combine(o.Work, "age"), Subjects = o.AgeSubjects, Seed = 101, Sites = [SiteProfile.SiteA], VoxelSize = 4,
            MaxDegreeOfParallelism = o.Threads,
        });
        log($"age: {cohort.Subjects.Count} site-A subjects generated");
        var s = new FaithfulnessScenario("age", "(a) Brain age: the quickstart's pretrained MRInet", pretrained, ownsModel: false, target: null, "years");
        var subjects = cohort.Subjects.ToList();
        s.Conform(ml, cohort, subjects, o, new()
        {
            ["ventricles"] = [SyntheticRegion.Ventricles],
            ["cortex + CSF"] = [SyntheticRegion.CorticalGrayMatter, SyntheticRegion.Csf],
            ["all three"] = [SyntheticRegion.Ventricles, SyntheticRegion.CorticalGrayMatter, SyntheticRegion.Csf],
        });
        double[] predicted = s.Outputs();
        double mae = subjects.Select((x, i) => Math.Abs(predicted[i] - x.Age)).Average();
        double meanAge = subjects.Average(x => x.Age);
        s.Example = subjects.IndexOf(subjects.MaxBy(x => x.Age)!);
        s.ExampleRegion = "ventricles";
        s.Description = string.Create(CultureInfo.InvariantCulture,
            $"{subjects.Count} new site-A subjects (SyntheticCohort seed 101, T1w, 4 mm, ages {subjects.Min(x => x.Age):F0}–{subjects.Max(x => x.Age):F0}, 25 % patients), conformed with NiftiLoaderOptions.For(model) (6 mm, LIA, {string.Join('×', s.Shape)}). "
            + $"The model's MAE on them: {mae:F1} years (predicting their mean age: {subjects.Average(x => Math.Abs(x.Age - meanAge)):F1}). Regions: the generator's ventricles, and cortical grey matter with the CSF outside the ventricles (sulci, fissure, the gap to the skull), where age acts; "
            + $"they hold {s.VolumeShare("ventricles"):P1} and {s.VolumeShare("cortex + CSF"):P1} of the brain's voxels. Age also darkens the white matter a little and shrinks the deep nuclei, so not all signal is inside them.");
        return s;
    }

    /// <summary>
    /// A planted-lesion detector, by default a fresh MRInet trained on 4 mm images (about 110 voxels for a 12 mm lesion
    /// there, 33 at 6 mm), optionally the age model fine-tuned at its 6 mm; the lesion-bearing test subjects are explained.
    /// </summary>
    public static FaithfulnessScenario Lesion(MLContext ml, MriNetModel pretrained, FaithfulnessOptions o, Action<string> log)
    {
        var site = SiteProfile.FindPredefined(o.LesionSite) ?? throw new ArgumentException($"unknown site {o.LesionSite}: one of {string.Join(", ", SiteProfile.Predefined.Select(p => p.Name))}");
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = Path.Combine(o.Work, "lesion"), Subjects = o.LesionTrain + o.LesionTest, Seed = 202, Sites = [site], VoxelSize = o.LesionVoxel,
            PlantedLesionFraction = 0.5, PlantedLesionRadius = o.LesionRadius, MaxDegreeOfParallelism = o.Threads,
        });
        var train = cohort.Subjects.Take(o.LesionTrain).ToList();
        var test = cohort.Subjects.Skip(o.LesionTrain).ToList();
        log($"lesion: {cohort.Subjects.Count} subjects generated ({train.Count(x => x.HasPlantedLesion)} of {train.Count} training subjects with a lesion)");

        NiftiLoaderOptions loaderOptions;
        if (o.LesionFromScratch)
        {
            // The box is fitted to the training images (the largest brain box); the model records it, the voxel size
            // and the intensity scaling, so that the test images are conformed alike.
            loaderOptions = new NiftiLoaderOptions { VoxelSize = [o.LesionVoxel], MaxDegreeOfParallelism = o.Threads };
        }
        else
        {
            loaderOptions = NiftiLoaderOptions.For(pretrained);
        }
        loaderOptions.CacheDirectory = Path.Combine(o.Work, "cache");
        var rows = ml.Data.LoadFromEnumerable(train.Select(x => new LabelledRow { Path = x.Path, Label = x.HasPlantedLesion, participant_id = x.Id }));
        var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(rows);
        // A fresh network records how its input was prepared (voxel size, box, scaling), so that
        // NiftiLoaderOptions.For(model) conforms the test images alike.
        using var fresh = o.LesionFromScratch && o.LesionBatchNorm
            ? MriNetModel.CreateMriNet(loader.Settings.TargetShape, ModelTask.Classification(["False", "True"]), seed: 1, batchNorm: true, conventions: loader.Settings.Conventions())
            : null;
        var trainer = ml.BinaryClassification.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
        {
            LabelColumnName = "Label",
            PretrainedModel = o.LesionFromScratch ? fresh : pretrained,
            // The fresh network's batch norm learns its statistics from these images (it has no source statistics to keep).
            KeepBatchNormStatistics = !o.LesionFromScratch,
            Strategy = TransferStrategy.MonoPhase,
            Epochs = o.Epochs,
            LearningRate = o.LearningRate,
            BatchSize = 8,
            ValidationFraction = 0.1,
            EarlyStoppingPatience = o.Patience,
            Progress = new LogProgress(log, "lesion: "),
            SubjectColumnName = "participant_id",
            Seed = 1,
        });
        var fitted = trainer.Fit(loader.Transform(rows));
        var model = fitted.Model;
        var best = fitted.History.Best;
        log($"lesion: detector trained ({fitted.History.Epochs.Count} epochs, best {best?.Epoch})");
        int positive = model.Task.ClassNames.ToList().FindIndex(n => n.Equals("true", StringComparison.OrdinalIgnoreCase));
        string how = o.LesionFromScratch ? "a fresh MRInet trained for the lesion" : "a detector fine-tuned from the age model";
        var s = new FaithfulnessScenario("lesion", $"(b) Planted lesion: {how}", model, ownsModel: true, positive < 0 ? 1 : positive, "logit");

        // Accuracy on every test subject, then explain those with a lesion.
        var all = new FaithfulnessScenario("lesion", "", model, ownsModel: false, s.Target, "logit");
        all.Conform(ml, cohort, test, o, new() { ["planted lesion"] = [SyntheticRegion.PlantedLesion] });
        using var logits = all.Logits();
        var predicted = logits.argmax(1).data<long>().ToArray();
        double accuracy = test.Select((x, i) => (predicted[i] == s.Target) == x.HasPlantedLesion ? 1.0 : 0).Average();
        int negatives = test.Count(x => !x.HasPlantedLesion);
        int trueNegatives = test.Where((x, i) => !x.HasPlantedLesion && predicted[i] != s.Target).Count();
        log(string.Create(CultureInfo.InvariantCulture, $"lesion: test accuracy {accuracy:P1} on {test.Count}"));
        var explained = test.Where(x => x.HasPlantedLesion).ToList();
        s.Conform(ml, cohort, explained, o, new() { ["planted lesion"] = [SyntheticRegion.PlantedLesion] });
        var hits = explained.Select(x => predicted[test.IndexOf(x)] == s.Target).ToArray();
        s.Example = Math.Max(0, Array.IndexOf(hits, true));
        s.ExampleRegion = "planted lesion";
        string training = o.LesionFromScratch
            ? $"A fresh MRInet ({(o.LesionBatchNorm ? "with" : "without")} batch norm; input {string.Join('×', model.InputShape)} at {o.LesionVoxel:0.#} mm, LIA, box fitted to the training images) trained on {train.Count} of them"
            : $"The quickstart's age model fine-tuned (at its 6 mm, box {string.Join('×', model.InputShape)}) on {train.Count} of them";
        s.Description = string.Create(CultureInfo.InvariantCulture,
            $"{cohort.Subjects.Count} {site.Name} subjects ({site.Contrast}, seed 202, generated at {o.LesionVoxel:0.#} mm), each with probability 0.5 a planted white-matter lesion of {o.LesionRadius:0.#} mm radius (SyntheticCohortOptions.PlantedLesionFraction); {train.Count(x => x.HasPlantedLesion)} of the {train.Count} training subjects have one. "
            + $"{training} (mono-phase, {o.Epochs} epochs, Adam {o.LearningRate:G2}, batch 8, 10 % validation, {(o.Patience > 0 ? $"early stopping after {o.Patience} epochs without improvement" : "no early stopping")}, the best epoch's weights kept: {best?.Epoch}, seed 1): "
            + $"test accuracy {accuracy:P1} on {test.Count} held-out subjects ({hits.Count(h => h)} of {explained.Count} lesions detected, {trueNegatives} of {negatives} lesion-free subjects right). "
            + $"The {explained.Count} test subjects with a lesion are explained; output explained: the lesion class's logit. The lesion holds {s.VolumeShare("planted lesion"):P2} of the brain's voxels.");
        return s;
    }

    /// <summary>The explained output for the image with the cubes of <paramref name="order"/>[0..k) removed, k = 0…steps.</summary>
    public double[] Curve(int image, int[] order, int steps)
    {
        int voxels = Images.Length / Count;
        int points = Math.Min(steps, order.Length) + 1;
        var batch = new float[points * voxels];
        var current = Images.AsSpan(image * voxels, voxels).ToArray();
        for (int k = 0; k < points; k++)
        {
            if (k > 0)
            {
                foreach (int v in Cubes[image][order[k - 1]].Brain)
                {
                    current[v] = Fill[image];
                }
            }
            current.CopyTo(batch, k * voxels);
        }
        return Outputs(batch, points);
    }

    /// <summary>The explained output of every image.</summary>
    public double[] Outputs() => Outputs(Images, Count);

    private double[] Outputs(float[] images, int count)
    {
        var result = new List<double>(count);
        const int batch = 8;
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            using var logits = Logits(images, start, n);
            result.AddRange(logits.select(1, Target ?? 0).to(ScalarType.Float64).data<double>().ToArray());
        }
        return [.. result];
    }

    private Tensor Logits() => Logits(Images, 0, Count);

    private Tensor Logits(float[] images, int start, int n)
    {
        int voxels = Shape[0] * Shape[1] * Shape[2];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Model.Network.eval();
        var x = tensor(images.AsSpan(start * voxels, n * voxels).ToArray(), [n, 1, Shape[0], Shape[1], Shape[2]]);
        return Model.Network.ForwardTo(x, _lastLayer).cpu().MoveToOuterDisposeScope();
    }

    private double VolumeShare(string region) =>
        Enumerable.Range(0, Count).Average(i => (double)Regions[region][i].Count(b => b) / Brain[i].Count(b => b));

    /// <summary>Loads the images and the region masks of <paramref name="subjects"/> into the model's box.</summary>
    private void Conform(MLContext ml, SyntheticCohort cohort, List<SyntheticSubject> subjects, FaithfulnessOptions o, Dictionary<string, SyntheticRegion[]> regions)
    {
        string folder = Path.Combine(cohort.Root, "regions");
        Directory.CreateDirectory(folder);
        var maskPaths = new Dictionary<string, List<string>>();
        foreach (var subject in subjects)
        {
            string labels = Path.Combine(folder, $"{subject.Id}_regions.nii.gz");
            cohort.WriteRegions(subject, labels);
            var image = MriImage.Load(labels);
            var values = (byte[])image.GetRawData();
            foreach (var (name, set) in regions)
            {
                var encoded = values.Select(v => v == (byte)SyntheticRegion.Background ? 0f : set.Contains((SyntheticRegion)v) ? RegionValue : 1f).ToArray();
                string path = Path.Combine(folder, $"{subject.Id}_{name.Replace(' ', '-').Replace("+", "and", StringComparison.Ordinal)}.nii.gz");
                NiftiWriter.Write<float>(path, encoded, image.Shape, image.Affine);
                (maskPaths.TryGetValue(name, out var list) ? list : maskPaths[name] = []).Add(path);
            }
        }

        var imageOptions = NiftiLoaderOptions.For(Model);
        imageOptions.CacheDirectory = Path.Combine(o.Work, "cache");
        var imageRows = ml.Data.LoadFromEnumerable(subjects.Select(x => new PathRow { Path = x.Path }));
        var images = ml.Transforms.LoadNifti("Image", "Path", imageOptions).Fit(imageRows);
        var maskOptions = NiftiLoaderOptions.For(Model);
        maskOptions.Normalization = IntensityNormalization.None;
        maskOptions.RoundToUInt8 = false;
        maskOptions.UseCache = false;
        var first = maskPaths.First();
        var masks = ml.Transforms.LoadNifti("Image", "Path", maskOptions).Fit(ml.Data.LoadFromEnumerable(first.Value.Select(p => new PathRow { Path = p })));

        int voxels = Shape[0] * Shape[1] * Shape[2];
        CubeEdge = Math.Max(1, (int)Math.Round(o.CubeMm / VoxelMm));
        OcclusionEdge = Math.Max(1, (int)Math.Round(o.OcclusionMm / VoxelMm));
        Count = subjects.Count;
        Ids = [.. subjects.Select(x => x.Id)];
        Images = new float[Count * voxels];
        Brain = new bool[Count][];
        Regions.Clear();
        foreach (var name in regions.Keys)
        {
            Regions[name] = new bool[Count][];
        }
        Fill = new float[Count];
        Cubes = new List<FaithfulnessCube>[Count];
        for (int i = 0; i < Count; i++)
        {
            float[] image = images.LoadOne(subjects[i].Path).Data;
            image.CopyTo(Images, i * voxels);
            foreach (var name in regions.Keys)
            {
                float[] mask = masks.LoadOne(maskPaths[name][i]).Data;
                Regions[name][i] = [.. mask.Select(v => v > RegionValue / 2)];
                Brain[i] ??= [.. mask.Select(v => v > 0.5f)];
            }
            // The region image must land where the image did: no image voxel outside the mask's support.
            float[] support = masks.LoadOne(maskPaths[first.Key][i]).Data;
            int outside = image.Where((v, j) => v > 0 && support[j] <= 0).Count();
            if (outside > 0)
            {
                throw new InvalidOperationException($"{subjects[i].Id}: {outside} image voxels outside the conformed region image; the two were placed differently");
            }
            Fill[i] = (float)image.Where((_, j) => Brain[i][j]).Average(v => (double)v);
            Cubes[i] = FaithfulnessCube.Tile(Shape, CubeEdge, Brain[i]);
        }
    }

    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class LabelledRow
    {
        public string Path { get; set; } = "";

        public bool Label { get; set; }

#pragma warning disable IDE1006, SA1300 // The study's subject column keeps its BIDS name.
        public string participant_id { get; set; } = "";
#pragma warning restore IDE1006, SA1300
    }
}
