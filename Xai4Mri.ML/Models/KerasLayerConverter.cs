using System.Text.Json;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Turns a tf.keras <c>model_config</c> (JSON) into a <see cref="NetworkSpec"/>: one or more spec layers per Keras
/// layer, nested Sequential blocks flattened in order, and for every spec layer with weights the Keras layer and the
/// <c>model_weights</c> group that hold them.
/// </summary>
internal static class KerasLayerConverter
{
    /// <summary>The converted model.</summary>
    internal sealed record Result(NetworkSpec Spec, string Name, int[] KerasInputShape, IReadOnlyList<WeightSource> Weighted);

    /// <summary>Spec layer <paramref name="SpecIndex"/> takes its weights from Keras layer <paramref name="Layer"/>, stored under <c>model_weights/<paramref name="Group"/></c>.</summary>
    internal sealed record WeightSource(int SpecIndex, string Layer, string Group, bool HasGamma, bool HasBeta);

    /// <summary>Converts the parsed <c>model_config</c>; problems are reported as <see cref="ModelFormatException"/> for <paramref name="file"/>.</summary>
    public static Result Convert(string file, JsonElement modelConfig)
    {
        var state = new State(file);
        string className = state.String(modelConfig, "class_name", "the model");
        if (className is not ("Sequential" or "Functional" or "Model"))
        {
            throw state.Error($"the model is a '{className}'; only Sequential and Functional models with a single chain of layers are supported");
        }
        JsonElement config = state.Member(modelConfig, "config", "the model");
        string name = config.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        JsonElement layers = state.Member(config, "layers", "the model");
        if (layers.ValueKind != JsonValueKind.Array)
        {
            throw state.Error("model_config's 'layers' is not a list");
        }
        if (className != "Sequential")
        {
            CheckChain(state, layers);
        }
        state.AddLayers(layers, group: null);
        if (state.InputShape is null)
        {
            throw state.Error("the model does not declare its input shape (no InputLayer and no batch_input_shape)");
        }
        int[] keras = state.InputShape;
        var spec = new NetworkSpec { Architecture = name, InputShape = [keras[3], keras[0], keras[1], keras[2]], Layers = state.Layers };
        return new Result(spec, name, keras, state.Weighted);
    }

    /// <summary>A Functional model is accepted when every layer takes exactly the previous layer's output.</summary>
    private static void CheckChain(State state, JsonElement layers)
    {
        string? previous = null;
        foreach (var layer in layers.EnumerateArray())
        {
            string layerName = state.String(layer, "name", "a layer of the model");
            var inbound = new HashSet<string>();
            if (layer.TryGetProperty("inbound_nodes", out var nodes))
            {
                CollectInbound(nodes, inbound);
            }
            bool chained = previous is null ? inbound.Count == 0 : inbound.Count == 1 && inbound.Contains(previous);
            if (!chained)
            {
                throw state.Error($"layer '{layerName}' does not simply follow the previous layer; only models with a single chain of layers are supported");
            }
            previous = layerName;
        }
    }

    /// <summary>Finds inbound layer names in both tf.keras 2 (<c>[[["name", 0, 0, {}]]]</c>) and Keras 3 (<c>keras_history</c>) node formats.</summary>
    private static void CollectInbound(JsonElement node, HashSet<string> names)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            var items = node.EnumerateArray().ToList();
            if (items.Count >= 2 && items[0].ValueKind == JsonValueKind.String && items[1].ValueKind == JsonValueKind.Number)
            {
                names.Add(items[0].GetString()!);
                return;
            }
            items.ForEach(i => CollectInbound(i, names));
        }
        else if (node.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in node.EnumerateObject())
            {
                CollectInbound(p.Value, names);
            }
        }
    }

    private sealed class State(string file)
    {
        public List<LayerSpec> Layers { get; } = [];

        public List<WeightSource> Weighted { get; } = [];

        public int[]? InputShape { get; private set; }

        public ModelFormatException Error(string problem) => new(file, problem);

        public void AddLayers(JsonElement layers, string? group)
        {
            foreach (var layer in layers.EnumerateArray())
            {
                Add(layer, group);
            }
        }

        private void Add(JsonElement layer, string? group)
        {
            string cls = String(layer, "class_name", "a layer");
            JsonElement c = Member(layer, "config", $"a '{cls}' layer");
            string name = String(c, "name", $"a '{cls}' layer");
            string what = $"layer '{name}' ({cls})";
            TakeInputShape(c, cls, what);
            if (c.TryGetProperty("data_format", out var format) && format.ValueKind == JsonValueKind.String && format.GetString() != "channels_last")
            {
                throw Error($"{what}: data_format '{format.GetString()}' is not supported (xai4mri's models are channels_last)");
            }
            switch (cls)
            {
                case "InputLayer":
                    break;
                case "Sequential":
                case "Functional":
                case "Model":
                    // A nested model's weights live in the top-level layer's group, whatever the nesting depth.
                    JsonElement inner = Member(c, "layers", what);
                    if (cls != "Sequential")
                    {
                        CheckChain(this, inner);
                    }
                    AddLayers(inner, group ?? name);
                    break;
                case "Conv3D":
                case "Convolution3D":
                {
                    if (Triple(c, "dilation_rate", what, 1).Any(d => d != 1))
                    {
                        throw Error($"{what}: dilated convolution is not supported");
                    }
                    if (c.TryGetProperty("groups", out var groups) && groups.GetInt32() != 1)
                    {
                        throw Error($"{what}: grouped convolution (groups {groups.GetInt32()}) is not supported");
                    }
                    bool bias = Bool(c, "use_bias", true);
                    Weight(name, group, new LayerSpec
                    {
                        Kind = LayerKind.Conv3d, Name = name, Units = Int(c, "filters", what), Kernel = Triple(c, "kernel_size", what, null),
                        Stride = Triple(c, "strides", what, 1), Padding = Padding(c, what), UseBias = bias,
                    });
                    Activation(c, name, what);
                    break;
                }
                case "MaxPooling3D":
                case "MaxPool3D":
                case "AveragePooling3D":
                case "AvgPool3D":
                {
                    int[] size = Triple(c, "pool_size", what, 2);
                    int[] strides = c.TryGetProperty("strides", out var s) && s.ValueKind != JsonValueKind.Null ? Triple(c, "strides", what, null) : size;
                    var kind = cls.StartsWith("Max", StringComparison.Ordinal) ? LayerKind.MaxPool3d : LayerKind.AvgPool3d;
                    Layers.Add(new LayerSpec { Kind = kind, Name = name, Kernel = size, Stride = strides, Padding = Padding(c, what) });
                    break;
                }
                case "BatchNormalization":
                {
                    var axis = c.TryGetProperty("axis", out var a) ? (a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [a.GetInt32()]) : [-1];
                    if (axis is not ([-1] or [4]))
                    {
                        throw Error($"{what}: normalising over axis [{string.Join(", ", axis)}] is not supported (only the channel axis, -1)");
                    }
                    // Keras keeps m·old + (1 − m)·batch; PyTorch's momentum is the weight of the batch.
                    double momentum = Double(c, "momentum", 0.99);
                    Weight(name, group, new LayerSpec { Kind = LayerKind.BatchNorm3d, Name = name, Epsilon = Double(c, "epsilon", 1e-3), Momentum = 1 - momentum },
                        Bool(c, "scale", true), Bool(c, "center", true));
                    break;
                }
                case "Dense":
                    Weight(name, group, new LayerSpec { Kind = LayerKind.Dense, Name = name, Units = Int(c, "units", what), UseBias = Bool(c, "use_bias", true) });
                    Activation(c, name, what);
                    break;
                case "Dropout":
                    Layers.Add(new LayerSpec { Kind = LayerKind.Dropout, Name = name, Rate = Double(c, "rate", 0.5) });
                    break;
                case "Flatten":
                    Layers.Add(new LayerSpec { Kind = LayerKind.Flatten, Name = name });
                    break;
                case "ReLU":
                {
                    bool plain = (!c.TryGetProperty("max_value", out var max) || max.ValueKind == JsonValueKind.Null) && Double(c, "threshold", 0) == 0;
                    if (!plain)
                    {
                        throw Error($"{what}: a ReLU with max_value or threshold is not supported");
                    }
                    double slope = Double(c, "negative_slope", 0);
                    Layers.Add(slope == 0 ? new LayerSpec { Kind = LayerKind.Relu, Name = name } : new LayerSpec { Kind = LayerKind.LeakyRelu, Name = name, Alpha = slope });
                    break;
                }
                case "LeakyReLU":
                {
                    // tf.keras 2 calls the slope alpha, Keras 3 negative_slope.
                    double slope = c.TryGetProperty("alpha", out var alpha) ? alpha.GetDouble()
                        : c.TryGetProperty("negative_slope", out var ns) ? ns.GetDouble()
                        : throw Error($"{what}: the slope (alpha or negative_slope) is missing");
                    Layers.Add(new LayerSpec { Kind = LayerKind.LeakyRelu, Name = name, Alpha = slope });
                    break;
                }
                case "Activation":
                    Activation(c, name, what, suffix: "");
                    break;
                case "Softmax":
                    if (c.TryGetProperty("axis", out var softmaxAxis) && !(softmaxAxis.ValueKind == JsonValueKind.Number && softmaxAxis.GetInt32() == -1))
                    {
                        throw Error($"{what}: softmax over an axis other than the last (channel) axis is not supported");
                    }
                    Layers.Add(new LayerSpec { Kind = LayerKind.Softmax, Name = name });
                    break;
                default:
                    throw Error($"{what}: layer type '{cls}' is not supported");
            }
        }

        private void Weight(string layer, string? group, LayerSpec spec, bool hasGamma = true, bool hasBeta = true)
        {
            Weighted.Add(new WeightSource(Layers.Count, layer, group ?? layer, hasGamma, hasBeta));
            Layers.Add(spec);
        }

        private void Activation(JsonElement c, string name, string what, string suffix = "_activation")
        {
            string activation = c.TryGetProperty("activation", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "linear";
            LayerKind? kind = activation switch
            {
                "linear" => null,
                "relu" => LayerKind.Relu,
                "softmax" => LayerKind.Softmax,
                "log_softmax" => LayerKind.LogSoftmax,
                _ => throw Error($"{what}: activation '{activation}' is not supported (relu, softmax, log_softmax, linear)"),
            };
            if (kind is { } k)
            {
                Layers.Add(new LayerSpec { Kind = k, Name = name + suffix });
            }
        }

        private void TakeInputShape(JsonElement c, string cls, string what)
        {
            bool declares = c.TryGetProperty("batch_input_shape", out var shape) || c.TryGetProperty("batch_shape", out shape);
            if (!declares || shape.ValueKind != JsonValueKind.Array)
            {
                if (cls == "InputLayer")
                {
                    throw Error($"{what}: the input shape is missing");
                }
                return;
            }
            if (InputShape is not null || Layers.Count > 0)
            {
                // Keras keeps batch_input_shape on a layer that was once first; only the model's first one counts.
                return;
            }
            var dims = shape.EnumerateArray().Skip(1).Select(e => e.ValueKind == JsonValueKind.Number ? e.GetInt32() : -1).ToArray();
            if (dims.Length != 4 || dims.Any(d => d <= 0))
            {
                throw Error($"{what}: input shape [{string.Join(", ", dims)}] is not a fixed (D, H, W, C) volume");
            }
            InputShape = dims;
        }

        private string Padding(JsonElement c, string what)
        {
            string padding = (c.TryGetProperty("padding", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "valid").ToLowerInvariant();
            return padding is "same" or "valid" ? padding : throw Error($"{what}: padding '{padding}' is not supported");
        }

        public JsonElement Member(JsonElement e, string key, string what) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) ? v : throw Error($"{what}: '{key}' is missing in model_config");

        public string String(JsonElement e, string key, string what) =>
            Member(e, key, what) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw Error($"{what}: '{key}' is not a string in model_config");

        private int Int(JsonElement e, string key, string what) =>
            Member(e, key, what) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i) && i > 0 ? i : throw Error($"{what}: '{key}' is not a positive integer");

        private int[] Triple(JsonElement e, string key, string what, int? fallback)
        {
            if (!e.TryGetProperty(key, out var v))
            {
                return fallback is { } f ? [f, f, f] : throw Error($"{what}: '{key}' is missing in model_config");
            }
            int[] values = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.TryGetInt32(out int i) ? i : 0).ToArray()
                : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int one) ? [one, one, one] : [];
            return values.Length == 3 && values.All(x => x > 0) ? values : throw Error($"{what}: '{key}' is not three positive integers");
        }

        private static bool Bool(JsonElement e, string key, bool fallback) =>
            e.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;

        private static double Double(JsonElement e, string key, double fallback) =>
            e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
    }
}
