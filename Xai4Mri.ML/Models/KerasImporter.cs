using System.Text.Json;
using PureHDF;
using PureHDF.VOL.Native;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Imports Keras models saved in tf.keras' legacy HDF5 format (<c>model.save("x.h5")</c>, as xai4mri saves MRInet and
/// SFCN): the architecture from the root attribute <c>model_config</c> and the weights from <c>model_weights</c>,
/// converted from Keras' channels-last layout to the channels-first layout of <see cref="NetworkModule"/>.
/// </summary>
public static class KerasImporter
{
    /// <summary>
    /// Reads <paramref name="path"/> and returns the network with its weights, in evaluation mode. Supported layers:
    /// InputLayer, Conv3D, MaxPooling3D, AveragePooling3D, BatchNormalization, Dense, Dropout, Flatten, ReLU,
    /// LeakyReLU, Activation, Softmax and nested Sequential blocks (see docs/models.md).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ModelFormatException">
    /// The file is missing, not HDF5, damaged, not a Keras model, uses an unsupported layer or setting, or its
    /// weights are missing or of the wrong shape; the message names the file and the layer.
    /// </exception>
    public static KerasModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "file not found");
        }
        long? recorded = Read(path, "the file as HDF5", () => Hdf5Superblock.RecordedLength(path));
        long actual = new FileInfo(path).Length;
        if (recorded > actual)
        {
            throw new ModelFormatException(path, $"the file is truncated: it has {actual} bytes, its HDF5 superblock records {recorded}");
        }
        using var file = Read(path, "the file as HDF5", () => H5File.OpenRead(path));
        string json = ReadString(path, file, "model_config")
            ?? throw new ModelFormatException(path, "no 'model_config' attribute: not a Keras model saved with its architecture (weights-only files are not supported)");
        string version = ReadString(path, file, "keras_version") ?? "";
        KerasLayerConverter.Result converted;
        try
        {
            using var document = JsonDocument.Parse(json);
            converted = KerasLayerConverter.Convert(path, document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // JsonElement's getters throw these when a value has an unexpected type.
            throw new ModelFormatException(path, $"model_config is malformed: {e.Message}", e);
        }

        NetworkModule network;
        try
        {
            network = new NetworkModule(converted.Spec);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException(path, e.Message, e);
        }
        try
        {
            LoadWeights(path, file, converted, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return new KerasModel
        {
            Network = network,
            Name = converted.Name,
            KerasInputShape = converted.KerasInputShape,
            KerasVersion = version,
        };
    }

    private static void LoadWeights(string path, NativeFile file, KerasLayerConverter.Result converted, NetworkModule network)
    {
        var spec = converted.Spec;
        var shapes = spec.Shapes();
        var groups = new Dictionary<string, Dictionary<string, Dictionary<string, string>>>();
        using var _ = no_grad();
        foreach (var source in converted.Weighted)
        {
            var layer = spec.Layers[source.SpecIndex];
            string what = $"layer '{source.Layer}'";
            if (!groups.TryGetValue(source.Group, out var byLayer))
            {
                byLayer = WeightNames(path, file, source.Group);
                groups[source.Group] = byLayer;
            }
            var names = source.Group == source.Layer ? OwnWeights(path, byLayer, what) : byLayer.GetValueOrDefault(source.Layer) ?? [];
            var group = Read(path, $"group model_weights/{source.Group}", () => file.Group("model_weights").Group(source.Group));
            int[] input = source.SpecIndex == 0 ? spec.InputShape : shapes[source.SpecIndex - 1];
            Tensor Weight(string variable, long[] kerasShape)
            {
                string name = names.GetValueOrDefault(variable) ?? throw new ModelFormatException(path, $"{what}: weight '{variable}' is missing from model_weights/{source.Group}");
                names.Remove(variable);
                return ReadWeight(path, group, name, kerasShape, what);
            }
            switch (network.Layer(source.SpecIndex))
            {
                case Conv3d conv:
                {
                    int[] k = layer.Kernel;
                    // Keras kernels are (kd, kh, kw, in, out); PyTorch's (out, in, kd, kh, kw).
                    using var kernel = Weight("kernel", [k[0], k[1], k[2], input[0], layer.Units]);
                    using var permuted = kernel.permute(4, 3, 0, 1, 2);
                    conv.weight!.copy_(permuted);
                    if (conv.bias is { } bias)
                    {
                        using var b = Weight("bias", [layer.Units]);
                        bias.copy_(b);
                    }
                    break;
                }
                case Linear dense:
                {
                    using var kernel = Weight("kernel", [input[0], layer.Units]);
                    using var weight = FlattenedShape(spec, shapes, source.SpecIndex) is { } map
                        // Keras flattened (d, h, w, c); we flatten (c, d, h, w): reorder the input rows to match.
                        ? kernel.reshape(map[1], map[2], map[3], map[0], layer.Units).permute(4, 3, 0, 1, 2).reshape(layer.Units, input[0])
                        : kernel.t();
                    dense.weight!.copy_(weight);
                    if (dense.bias is { } bias)
                    {
                        using var b = Weight("bias", [layer.Units]);
                        bias.copy_(b);
                    }
                    break;
                }
                case BatchNorm3d bn:
                {
                    long c = input[0];
                    // Keras omits gamma with scale=False and beta with center=False: those are fixed at 1 and 0.
                    using var gamma = source.HasGamma ? Weight("gamma", [c]) : ones(c);
                    using var beta = source.HasBeta ? Weight("beta", [c]) : zeros(c);
                    using var mean = Weight("moving_mean", [c]);
                    using var variance = Weight("moving_variance", [c]);
                    bn.weight!.copy_(gamma);
                    bn.bias!.copy_(beta);
                    bn.running_mean!.copy_(mean);
                    bn.running_var!.copy_(variance);
                    break;
                }
            }
            if (names.Count > 0)
            {
                throw new ModelFormatException(path, $"{what}: unexpected weight(s) {string.Join(", ", names.Values)} in model_weights/{source.Group}");
            }
        }
    }

    /// <summary>A top-level layer owns every weight in its group, whatever the recorded variable names say.</summary>
    private static Dictionary<string, string> OwnWeights(string path, Dictionary<string, Dictionary<string, string>> byLayer, string what)
    {
        var own = new Dictionary<string, string>();
        foreach (var (variable, name) in byLayer.Values.SelectMany(d => d))
        {
            if (!own.TryAdd(variable, name))
            {
                throw new ModelFormatException(path, $"{what}: weights '{own[variable]}' and '{name}' both claim to be its {variable}");
            }
        }
        return own;
    }

    /// <summary>
    /// For the first Dense layer after a Flatten (with only shape-preserving layers between), the [C, D, H, W] shape
    /// that was flattened; null otherwise or when there is nothing to reorder.
    /// </summary>
    private static int[]? FlattenedShape(NetworkSpec spec, IReadOnlyList<int[]> shapes, int dense)
    {
        for (int i = dense - 1; i >= 0; i--)
        {
            var kind = spec.Layers[i].Kind;
            if (kind == LayerKind.Flatten)
            {
                int[] flattened = i == 0 ? spec.InputShape : shapes[i - 1];
                return flattened.Length == 4 && flattened[0] > 1 && flattened.Skip(1).Any(d => d > 1) ? flattened : null;
            }
            if (kind is not (LayerKind.Dropout or LayerKind.Relu or LayerKind.LeakyRelu))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// The weights recorded in <c>model_weights/&lt;group&gt;</c>'s <c>weight_names</c> attribute, by owning layer and
    /// variable: "conv3d/kernel:0" → [conv3d][kernel]. A nested model records its layers' names ("block/conv3d/kernel:0"
    /// or "conv3d/kernel:0", depending on how it was built); the owner is the segment before the variable.
    /// </summary>
    private static Dictionary<string, Dictionary<string, string>> WeightNames(string path, NativeFile file, string groupName)
    {
        var result = new Dictionary<string, Dictionary<string, string>>();
        string[] names = Read(path, $"the weight names of model_weights/{groupName}", () =>
        {
            if (!file.LinkExists("model_weights") || !file.Group("model_weights").LinkExists(groupName))
            {
                throw new ModelFormatException(path, $"layer '{groupName}': its weights are missing (no group model_weights/{groupName})");
            }
            var group = file.Group("model_weights").Group(groupName);
            // Keras splits attributes over 64 KB into weight_names0, weight_names1, ….
            return group.AttributeExists("weight_names") ? Strings(group.Attribute("weight_names"))
                : Enumerable.Range(0, int.MaxValue).TakeWhile(i => group.AttributeExists($"weight_names{i}")).SelectMany(i => Strings(group.Attribute($"weight_names{i}"))).ToArray();
        });
        foreach (string name in names)
        {
            string[] parts = name.Split('/');
            string variable = parts[^1];
            int colon = variable.LastIndexOf(':');
            variable = colon > 0 ? variable[..colon] : variable;
            string owner = parts.Length >= 2 ? parts[^2] : groupName;
            if (!result.TryGetValue(owner, out var variables))
            {
                variables = [];
                result[owner] = variables;
            }
            variables[variable] = name;
        }
        return result;
    }

    /// <summary>A string-array attribute; Keras writes an empty float array for a layer without weights.</summary>
    private static string[] Strings(IH5Attribute attribute) =>
        attribute.Type.Class == H5DataTypeClass.String && attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) > 0 ? attribute.Read<string[]>() : [];

    private static Tensor ReadWeight(string path, IH5Group group, string name, long[] expected, string what)
    {
        string location = $"{what}: weight '{name}'";
        float[] values = Read(path, location, () =>
        {
            if (!group.LinkExists(name))
            {
                throw new ModelFormatException(path, $"{location} is listed in weight_names but its dataset is missing");
            }
            var dataset = group.Dataset(name);
            ulong[] dims = dataset.Space.Dimensions;
            if (!dims.Select(d => (long)d).SequenceEqual(expected))
            {
                throw new ModelFormatException(path, $"{location} has shape ({string.Join(", ", dims)}), expected ({string.Join(", ", expected)})");
            }
            if (dataset.Type.Class != H5DataTypeClass.FloatingPoint || dataset.Type.Size is not (4 or 8))
            {
                throw new ModelFormatException(path, $"{location} is not stored as 32- or 64-bit floats");
            }
            return dataset.Type.Size == 4 ? dataset.Read<float[]>() : dataset.Read<double[]>().Select(d => (float)d).ToArray();
        });
        return tensor(values).reshape(expected);
    }

    private static string? ReadString(string path, NativeFile file, string attribute) =>
        Read(path, $"attribute '{attribute}'", () => file.AttributeExists(attribute) ? file.Attribute(attribute).Read<string>() : null);

    /// <summary>
    /// Runs a PureHDF read. A damaged file can make the reader throw almost any exception type (end of stream, index
    /// out of range, format errors), so everything but our own exception is reported as a damaged file.
    /// </summary>
    private static T Read<T>(string path, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (ModelFormatException or OutOfMemoryException))
        {
            throw new ModelFormatException(path, $"cannot read {what}; the file is damaged or not a Keras HDF5 model ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
