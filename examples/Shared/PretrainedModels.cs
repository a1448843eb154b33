// Shared by the examples that need a pretrained MRInet (linked into their projects; see their .csproj).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;

/// <summary>
/// Where the examples get a pretrained model: a path given on the command line, else the model the quickstart ships
/// (examples/Quickstart/pretrained/*.x4m), else a small stand-in pretrained here once and cached.
/// </summary>
internal static class PretrainedModels
{
    /// <summary>Folder of the stand-in, shared by all examples (under the current folder).</summary>
    public static string StandInFolder => Path.GetFullPath(Path.Combine("example-output", "stand-in-pretrained"));

    /// <summary>The model given as <paramref name="argument"/>, else the quickstart's shipped model; null when neither exists.</summary>
    public static string? Find(string? argument)
    {
        if (argument is not null)
        {
            return File.Exists(argument) ? Path.GetFullPath(argument) : throw new FileNotFoundException($"model file not found: {argument}");
        }
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string folder = Path.Combine(dir.FullName, "examples", "Quickstart", "pretrained");
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.x4m").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault() is { } file)
            {
                return file;
            }
        }
        return null;
    }

    /// <summary>
    /// <see cref="Find"/>, else a stand-in: MRInet (batch-norm variant) trained for age on 300 synthetic site-A
    /// subjects (T1w, 4 mm files loaded at 6 mm) for 12 epochs — the quickstart's recipe, smaller. Cached: later
    /// runs and other examples load it.
    /// </summary>
    public static string FindOrPretrain(string? argument)
    {
        if (Find(argument) is { } found)
        {
            return found;
        }
        string model = Path.Combine(StandInFolder, "mrinet-site-a-age-6mm-stand-in.x4m");
        if (File.Exists(model))
        {
            return model;
        }
        var clock = Stopwatch.StartNew();
        string source = Path.Combine(StandInFolder, "source");
        Console.WriteLine($"No pretrained model given or shipped: pretraining a stand-in on 300 synthetic site-A subjects in {StandInFolder} (once) …");
        if (!File.Exists(Path.Combine(source, "participants.tsv")))
        {
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = source, Subjects = 300, Sites = [SiteProfile.SiteA], VoxelSize = 4, Seed = 11 });
        }
        var ml = new MLContext(seed: 1);
        IDataView data = StudyTable.Load(ml, Path.Combine(source, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz",
            options: new StudyTableOptions { NumericColumns = ["age"] });
        var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { VoxelSize = [6.0], CacheDirectory = Path.Combine(StandInFolder, "cache") }).Fit(data);
        int[] shape = loader.Parameters.TargetShape;                     // the source's brain box becomes the input
        float meanAge = data.GetColumn<float>("age").Average();
        using var fresh = MriNetModel.CreateMriNet(shape, ModelTask.Regression(meanAge, "age"), seed: 1, batchNorm: true,
            conventions: new InputConventions
            {
                VoxelSize = [6.0],
                Description = $"synthetic site-A T1w, LoadNifti 6 mm LIA, brain box {string.Join("x", shape)}, dataset 0-255 (example stand-in)",
            });
        var trained = ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
        {
            LabelColumnName = "age",
            PretrainedModel = fresh,
            Strategy = TransferStrategy.MonoPhase,
            Epochs = 12,
            LearningRate = 1e-3,
            BatchSize = 8,
            KeepBatchNormStatistics = false,                             // a fresh network: batch norm must learn its statistics
            Seed = 1,
            Progress = new SyncProgress<TrainingProgress>(p => Console.WriteLine($"  pretraining {p}")),
        }).Fit(loader.Transform(data));
        Directory.CreateDirectory(StandInFolder);
        trained.Model.Save(model);
        var best = trained.History.Best!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Stand-in written to {model}: best epoch {best.Epoch}, source validation MAE {best.ValidationMetric:F1} years ({clock.Elapsed.TotalSeconds:F0} s)."));
        return model;
    }
}

/// <summary>
/// Reports on the calling thread, in order. (<see cref="Progress{T}"/> posts each report to the thread pool in a
/// console app, so lines can arrive late and out of order.)
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
