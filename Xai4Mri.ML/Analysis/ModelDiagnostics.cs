using System.Globalization;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// The model half of the transfer analysis: how big the network is for the data (trainable parameters and samples per
/// parameter for each freeze choice), what head adaptation the new label needs, and whether the data can be conformed
/// to the input the model expects — with the LoadNifti settings that do it.
/// </summary>
internal static class ModelDiagnostics
{
    /// <summary>Diagnoses <paramref name="model"/> against a dataset described by <paramref name="data"/>.</summary>
    /// <param name="model">The pretrained model; it is not changed.</param>
    /// <param name="data">The dataset diagnostics (label kind and class count, image geometry).</param>
    /// <param name="trainingFraction">Share of the subjects that will train (the rest validate/test). Default 0.8 (xai4mri's split).</param>
    public static ModelReport Compute(MriNetModel model, DatasetReport data, double trainingFraction = 0.8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (!(trainingFraction is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainingFraction), $"training fraction must be in (0, 1], got {trainingFraction}");
        }
        var c = CultureInfo.InvariantCulture;
        var spec = model.Spec;
        var counts = spec.Layers.Select((_, i) => model.Network.Layer(i).parameters().Sum(p => p.numel())).ToArray();
        int head = spec.HeadIndex;
        if (head >= 0 && AdaptedHeadParameters(spec, head, data) is { } adapted)
        {
            // Count the head the new task will train, not the source task's.
            counts[head] = adapted;
        }
        long total = counts.Sum();
        double samples = Math.Max(1, Math.Floor((data.Regression?.Count ?? data.Classes?.Count ?? data.RowCount) * trainingFraction));
        FreezeChoice Choice(string name, Func<int, bool> trains)
        {
            long n = counts.Where((_, i) => trains(i)).Sum();
            return new FreezeChoice(name, n, n == 0 ? double.PositiveInfinity : samples / n);
        }
        var choices = new List<FreezeChoice>
        {
            Choice("all layers", _ => true),
            Choice("dense layers only", i => spec.Layers[i].Kind == LayerKind.Dense),
            Choice("head only", i => i >= head && head >= 0),
        };

        string source = model.Task.IsClassification
            ? $"{model.Task.ClassNames.Count} classes ({string.Join(", ", model.Task.ClassNames)})"
            : $"regression{(model.Task.TargetName is { } t ? $" of {t}" : "")}{(model.Task.TargetMean is { } m ? string.Create(c, $", target mean {m:G4}") : "")}";
        int outputs = head < 0 ? 0 : spec.Layers[head].Units;
        string adaptation;
        if (data.Classes is { } classes)
        {
            int k = classes.Classes.Count;
            adaptation = outputs == k && model.Task.IsClassification
                ? $"kept ({k} outputs already), class names become {string.Join(", ", classes.Classes.Select(x => x.Value))}"
                : $"replaced: {outputs} output{(outputs == 1 ? "" : "s")} → {k} softmax units without bias";
        }
        else
        {
            double? mean = data.Regression?.Mean;
            adaptation = outputs == 1 && !model.Task.IsClassification
                ? $"kept (one linear output; its bias stays {(model.Task.TargetMean is { } sm ? sm.ToString("G4", c) : "as trained")}{(mean is { } tm ? string.Create(c, $" while the new label's mean is {tm:G4}") : "")})"
                : $"replaced: {outputs} outputs → one linear unit with bias {(mean is { } tm2 ? tm2.ToString("G4", c) : "the label mean")}";
        }

        var conventions = model.Conventions;
        var findings = new List<string>();
        var orientations = data.Images.Orientations;
        if (orientations.Any(o => o.Value != conventions.Orientation))
        {
            findings.Add($"Images are stored as {string.Join(", ", orientations.Select(o => $"{o.Value} ({o.Count})"))}; the model expects {conventions.Orientation}: LoadNifti reorients them (Orientation = \"{conventions.Orientation}\").");
        }
        double[]? voxel = conventions.VoxelSize is { Length: > 0 } v ? (v.Length == 1 ? [v[0], v[0], v[0]] : v) : null;
        if (voxel is not null && data.Images.VoxelSizes.Any(s => !SameVoxel(s.Value, voxel)))
        {
            findings.Add($"Voxel sizes {string.Join(", ", data.Images.VoxelSizes.Select(s => $"{s.Value} mm ({s.Count})"))} differ from the model's {string.Join('x', voxel.Select(x => x.ToString(c)))} mm: LoadNifti resamples (VoxelSize = [{string.Join(", ", voxel.Select(x => x.ToString(c)))}]).");
        }
        else if (voxel is null && data.Images.MixedVoxelSizes)
        {
            findings.Add("The model does not record its voxel size and the images have several; resample them to one (NiftiLoaderOptions.VoxelSize) matching the model's training data.");
        }
        if (conventions.BrainExtracted && data.Images.NotBrainExtracted.Count > 0)
        {
            findings.Add($"The model expects brain-extracted images; the head check finds {data.Images.NotBrainExtracted.Count} heads (scalp and skull around the brain): {string.Join(", ", data.Images.NotBrainExtracted.Take(10))}{(data.Images.NotBrainExtracted.Count > 10 ? ", …" : "")}. Load them with NiftiLoaderOptions.BrainExtraction = BrainExtraction.Auto (xai4mri --brain-extraction auto), which strips the heads, or skull-strip them first.");
        }
        if (data.Images.WouldCutBrainCount > 0)
        {
            findings.Add($"{data.Images.WouldCutBrainCount} brains are larger than the model's input box and would be cut by pruning: {string.Join(", ", data.Images.WouldCutBrain.Take(10))}.");
        }
        if (data.Images.WithNonFiniteVoxels.Count > 0)
        {
            findings.Add($"{data.Images.WithNonFiniteVoxels.Count} images hold NaN/Inf voxels (set to 0 by LoadNifti): {string.Join(", ", data.Images.WithNonFiniteVoxels.Take(10))}.");
        }
        if (findings.Count == 0)
        {
            findings.Add("The images match the model's conventions; LoadNifti only prunes them to its input box.");
        }
        var loader = NiftiLoaderOptions.For(model);
        return new ModelReport(
            $"{spec.Architecture}, input {string.Join('x', spec.InputShape)}",
            model.Summary(),
            total,
            choices,
            source,
            adaptation,
            loader,
            findings);
    }

    /// <summary>Parameters of the head HeadAdapter puts in place for the data's label; null when the head is kept.</summary>
    private static long? AdaptedHeadParameters(NetworkSpec spec, int head, DatasetReport data)
    {
        int outputs = spec.Layers[head].Units;
        long inputs = head == 0 ? spec.InputShape[0] : spec.Layers[head].Kind == LayerKind.Conv3d ? spec.Shapes()[head - 1][0] : spec.Shapes()[head - 1].Aggregate(1L, (a, b) => a * b);
        long kernel = spec.Layers[head].Kind == LayerKind.Conv3d ? spec.Layers[head].Kernel.Aggregate(1L, (a, b) => a * b) : 1;
        if (data.Classes is { } classes)
        {
            int k = classes.Classes.Count;
            return k == outputs ? null : inputs * kernel * k;
        }
        return outputs == 1 ? null : (inputs * kernel) + 1;
    }

    private static bool SameVoxel(string text, double[] expected)
    {
        var parts = text.Split(['x', '×'], StringSplitOptions.TrimEntries);
        return parts.Length == 3 && parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && Math.Abs(v - expected[i]) < 1e-3).All(x => x);
    }
}
