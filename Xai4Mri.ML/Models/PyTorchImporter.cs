using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Loads PyTorch weights (<c>.pt</c>/<c>.pth</c>/<c>.p</c> files written by <c>torch.save(model.state_dict())</c>) into
/// a <see cref="NetworkModule"/>. Both of PyTorch's formats are read (the zip format, default since 1.6, and the legacy
/// format of <c>_use_new_zipfile_serialization=False</c>), as is a checkpoint dict with a <c>state_dict</c> or
/// <c>model_state_dict</c> entry. The file's pickle is read by a restricted reader that never runs code from the
/// file: any global other than PyTorch's tensor constructors, storage classes and <c>collections.OrderedDict</c> is
/// rejected with a <see cref="ModelFormatException"/>.
/// </summary>
public static class PyTorchImporter
{
    private const string DataParallelPrefix = "module.";

    /// <summary>
    /// Builds the network of <paramref name="spec"/> and fills it with the state dict in <paramref name="path"/>. Keys
    /// are the spec's layer names (the PyTorch module paths, e.g. <c>feature_extractor.conv_0.0.weight</c> for SFCN)
    /// followed by the parameter name; a <c>module.</c> prefix on every key (from <c>nn.DataParallel</c>) is ignored,
    /// and <c>num_batches_tracked</c> may be absent (older PyTorch did not save it). The network is returned in
    /// evaluation mode (batch norm uses the imported running statistics; call <c>train()</c> to fine-tune).
    /// </summary>
    /// <exception cref="ModelFormatException">
    /// The file is not a readable state dict, refers to a forbidden global, or does not match the spec (missing and
    /// unexpected keys and shape mismatches are all listed in one message).
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NetworkModule Load(string path, NetworkSpec spec)
    {
        var state = PyTorchStateDict.Read(path);
        NetworkModule? network = null;
        try
        {
            if (state.Count > 0 && state.All(s => s.Key.StartsWith(DataParallelPrefix, StringComparison.Ordinal)))
            {
                state = [.. state.Select(s => (s.Key[DataParallelPrefix.Length..], s.Value))];
            }
            network = new NetworkModule(spec);
            var targets = Targets(network);
            var problems = Compare(state, targets);
            if (problems.Count > 0)
            {
                throw new ModelFormatException(path, $"the state dict does not match the {Describe(spec)} network: {string.Join("; ", problems)}");
            }
            using (no_grad())
            {
                foreach (var (key, value) in state)
                {
                    targets[key].copy_(value);
                }
            }
            network.eval();
            var result = network;
            network = null;
            return result;
        }
        finally
        {
            network?.Dispose();
            state.ForEach(s => s.Value.Dispose());
        }
    }

    /// <summary>The network's parameters and buffers under PyTorch names: <c>layers.i.weight</c> → <c>&lt;layer i's name&gt;.weight</c>.</summary>
    private static Dictionary<string, Tensor> Targets(NetworkModule network)
    {
        var targets = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in network.state_dict())
        {
            // NetworkModule's keys are "layers.<index>.<parameter>"; the parameter name never contains a dot.
            var parts = name.Split('.');
            targets[$"{network.Spec.Layers[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)].Name}.{parts[2]}"] = tensor;
        }
        return targets;
    }

    private static List<string> Compare(List<(string Key, Tensor Value)> state, Dictionary<string, Tensor> targets)
    {
        var keys = state.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var missing = targets.Keys.Where(k => !keys.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = state.Where(s => !targets.ContainsKey(s.Key)).Select(s => s.Key).ToList();
        var shapes = state.Where(s => targets.TryGetValue(s.Key, out var t) && !t.shape.SequenceEqual(s.Value.shape))
            .Select(s => $"{s.Key} is [{string.Join(", ", s.Value.shape)}] in the file but [{string.Join(", ", targets[s.Key].shape)}] in the network")
            .ToList();
        var problems = new List<string>();
        if (missing.Count > 0)
        {
            problems.Add($"missing keys {List(missing)}");
        }
        if (unexpected.Count > 0)
        {
            problems.Add($"unexpected keys {List(unexpected)}");
        }
        if (shapes.Count > 0)
        {
            problems.Add($"shape mismatches: {List(shapes)}");
        }
        return problems;
    }

    // Long lists (e.g. the wrong architecture altogether) are cut so the message stays readable.
    private static string List(List<string> items) =>
        string.Join(", ", items.Take(10)) + (items.Count > 10 ? $", … ({items.Count - 10} more)" : "");

    private static string Describe(NetworkSpec spec) => string.IsNullOrEmpty(spec.Architecture) ? "given" : spec.Architecture;
}
