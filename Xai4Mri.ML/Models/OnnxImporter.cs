using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Reads ONNX models written by <see cref="OnnxExporter"/> (or any graph of the same form) back into a
/// <see cref="NetworkModule"/>: a chain of Conv, MaxPool, AveragePool, BatchNormalization, Relu, LeakyRelu, Flatten,
/// Gemm, Softmax and LogSoftmax nodes on one input [batch, C, D, H, W] with fixed C, D, H, W.
/// </summary>
/// <remarks>
/// The network description is derived from the nodes; when the model carries the description our exporter stores
/// (<see cref="OnnxExporter.SpecMetadataKey"/>) and it computes the same thing as the graph, that description is
/// used instead, restoring layer names, Dropout layers and exact hyper-parameters. When it disagrees with the graph
/// (e.g. after an external tool rewrote the nodes) the graph wins, because it is what ran. Without it, layers are
/// named after their nodes, Dropout layers are absent, and padding becomes "valid" (none), "same" (TensorFlow's
/// rule for the declared input size, as <see cref="LayerSpec.SamePadding"/>), or "explicit" (symmetric).
/// </remarks>
public static class OnnxImporter
{
    private const string DefaultName = "(in-memory ONNX model)";

    /// <summary>Loads the model in <paramref name="path"/>; the network is returned in evaluation mode.</summary>
    /// <exception cref="ModelFormatException">The file cannot be read, is not ONNX, or holds something a <see cref="NetworkSpec"/> cannot express.</exception>
    public static NetworkModule Load(string path) => Load(ReadFile(path), path);

    /// <summary>Loads a serialised model; <paramref name="name"/> names it in error messages. The network is returned in evaluation mode.</summary>
    /// <exception cref="ModelFormatException">The bytes are not ONNX or hold something a <see cref="NetworkSpec"/> cannot express.</exception>
    public static NetworkModule Load(byte[] bytes, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var model = Parse(bytes, name);
        return new Reader(model, name).Read();
    }

    /// <summary>The key/value pairs of the model's <c>metadata_props</c> in <paramref name="path"/> (including the network description).</summary>
    /// <exception cref="ModelFormatException">The file cannot be read or is not ONNX.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => ReadMetadata(ReadFile(path), path);

    /// <summary>The key/value pairs of a serialised model's <c>metadata_props</c> (including the network description).</summary>
    /// <exception cref="ModelFormatException">The bytes are not ONNX.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(byte[] bytes, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var metadata = new Dictionary<string, string>();
        foreach (var entry in Parse(bytes, name).MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }
        return metadata;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, e.Message, e);
        }
    }

    private static ModelProto Parse(byte[] bytes, string name)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException(name, $"not an ONNX model ({e.Message})", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new ModelFormatException(name, "not an ONNX model (no graph or no nodes)");
        }
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        // Before opset 13 Softmax/LogSoftmax flatten their input to 2-D; our layers act on one axis.
        if (opset is null || opset.Version < OnnxExporter.Opset)
        {
            throw new ModelFormatException(name, $"ONNX opset {opset?.Version.ToString(CultureInfo.InvariantCulture) ?? "(none)"} is not supported; need {OnnxExporter.Opset} or later");
        }
        return model;
    }

    /// <summary>A weight tensor of a derived layer: its name in the layer's state dict, shape and values.</summary>
    private sealed record Weight(string Name, long[] Shape, float[] Values);

    /// <summary>Walks one graph, node by node, deriving the layers and collecting their weights.</summary>
    private sealed class Reader
    {
        private readonly ModelProto _model;
        private readonly string _name;
        private readonly Dictionary<string, TensorProto> _initializers = [];

        public Reader(ModelProto model, string name)
        {
            _model = model;
            _name = name;
        }

        public NetworkModule Read()
        {
            var graph = _model.Graph;
            foreach (var initializer in graph.Initializer)
            {
                if (!_initializers.TryAdd(initializer.Name, initializer))
                {
                    throw Fail($"initializer '{initializer.Name}' is defined twice");
                }
            }
            // IR < 4 lists initializers among the inputs too; the data input is the one that is not.
            var inputs = graph.Input.Where(i => !_initializers.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1 || graph.Output.Count != 1)
            {
                throw Fail($"expected one input and one output, found {inputs.Count} and {graph.Output.Count}");
            }
            int[] inputShape = InputShape(inputs[0]);
            string current = inputs[0].Name;
            int[] shape = inputShape;
            var layers = new List<LayerSpec>();
            var weights = new List<List<Weight>>();
            var names = new HashSet<string>();
            for (int i = 0; i < graph.Node.Count; i++)
            {
                var node = graph.Node[i];
                string what = $"node {i} '{node.Name}' ({node.OpType})";
                if (node.Domain is not ("" or "ai.onnx"))
                {
                    throw Fail($"{what}: operator domain '{node.Domain}' is not supported");
                }
                if (node.Input.Count == 0 || node.Input[0] != current)
                {
                    throw Fail($"{what}: the graph is not a chain of layers (the node reads '{(node.Input.Count == 0 ? "" : node.Input[0])}', not the previous output '{current}')");
                }
                var outputs = node.Output.Where(o => o.Length > 0).ToList();
                if (outputs.Count != 1 || node.Output[0].Length == 0)
                {
                    throw Fail($"{what}: the graph is not a chain of layers (the node has {outputs.Count} outputs)");
                }
                string name = node.Name.Length > 0 ? node.Name : $"{node.OpType.ToLowerInvariant()}_{i}";
                // Layer names key the weights (name.weight, …), so a repeated node name gets a suffix.
                for (int n = 1; !names.Add(name); n++)
                {
                    name = $"{(node.Name.Length > 0 ? node.Name : node.OpType.ToLowerInvariant())}_{i}_{n}";
                }
                var (layer, layerWeights) = new NodeReader(this, node, what, shape).Read(name);
                try
                {
                    shape = layer.OutputShape(shape);
                }
                catch (ArgumentException e)
                {
                    throw Fail($"{what}: {e.Message}");
                }
                layers.Add(layer);
                weights.Add(layerWeights);
                current = node.Output[0];
            }
            if (current != graph.Output[0].Name)
            {
                throw Fail($"the graph output '{graph.Output[0].Name}' is not the end of the chain of layers ('{current}')");
            }
            var derived = new NetworkSpec { Architecture = graph.Name, InputShape = inputShape, Layers = layers };
            var spec = Stored(derived) ?? derived;
            NetworkModule network;
            try
            {
                network = new NetworkModule(spec);
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException)
            {
                throw Fail(e.Message);
            }
            Fill(network, spec, weights);
            network.eval();
            return network;
        }

        public ModelFormatException Fail(string problem) => new(_name, problem);

        public TensorProto Initializer(string input, string what)
        {
            if (!_initializers.TryGetValue(input, out var tensor))
            {
                throw Fail($"{what}: input '{input}' is not a constant weight (initializer); the graph is not a chain of layers");
            }
            return tensor;
        }

        /// <summary>The description stored by our exporter, when present and equivalent to the graph.</summary>
        private NetworkSpec? Stored(NetworkSpec derived)
        {
            string? json = _model.MetadataProps.FirstOrDefault(p => p.Key == OnnxExporter.SpecMetadataKey)?.Value;
            if (json is null)
            {
                return null;
            }
            NetworkSpec stored;
            try
            {
                stored = NetworkSpec.FromJson(json);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or NotSupportedException)
            {
                return null;
            }
            var kept = stored.Layers.Where(l => l.Kind != LayerKind.Dropout).ToList();
            if (!stored.InputShape.SequenceEqual(derived.InputShape) || kept.Count != derived.Layers.Count)
            {
                return null;
            }
            int[] shape = derived.InputShape;
            for (int j = 0; j < kept.Count; j++)
            {
                if (!Equivalent(kept[j], derived.Layers[j], shape))
                {
                    return null;
                }
                shape = derived.Layers[j].OutputShape(shape);
            }
            return stored;
        }

        private static bool Equivalent(LayerSpec a, LayerSpec b, int[] input)
        {
            if (a.Kind != b.Kind)
            {
                return false;
            }
            return a.Kind switch
            {
                LayerKind.Conv3d => a.Units == b.Units && a.UseBias == b.UseBias && Window(a, b, input),
                LayerKind.MaxPool3d or LayerKind.AvgPool3d => Window(a, b, input),
                LayerKind.Dense => a.Units == b.Units && a.UseBias == b.UseBias,
                LayerKind.LeakyRelu => (float)a.Alpha == (float)b.Alpha,
                LayerKind.BatchNorm3d => (float)a.Epsilon == (float)b.Epsilon,
                _ => true,
            };
        }

        private static bool Window(LayerSpec a, LayerSpec b, int[] input) =>
            a.Kernel.SequenceEqual(b.Kernel) && a.Stride.SequenceEqual(b.Stride) && OnnxExporter.Pads(a, input).SequenceEqual(OnnxExporter.Pads(b, input));

        private void Fill(NetworkModule network, NetworkSpec spec, List<List<Weight>> weights)
        {
            var targets = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers()).ToDictionary(p => p.Item1, p => p.Item2);
            using var _ = no_grad();
            int derived = 0;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                if (spec.Layers[i].Kind == LayerKind.Dropout)
                {
                    continue;
                }
                foreach (var weight in weights[derived])
                {
                    var target = targets[$"layers.{i}.{weight.Name}"];
                    if (!target.shape.SequenceEqual(weight.Shape))
                    {
                        throw Fail($"layer '{spec.Layers[i].Name}': {weight.Name} has shape [{string.Join(", ", weight.Shape)}], the layer needs [{string.Join(", ", target.shape)}]");
                    }
                    using var source = tensor(weight.Values, weight.Shape);
                    target.copy_(source);
                }
                derived++;
            }
        }

        private int[] InputShape(ValueInfoProto input)
        {
            var dims = input.Type?.TensorType?.Shape?.Dim;
            if (input.Type?.TensorType?.ElemType != 1 || dims is not { Count: 5 } || dims.Skip(1).Any(d => d.DimValue <= 0))
            {
                throw Fail($"input '{input.Name}' must be float32 [batch, C, D, H, W] with fixed C, D, H, W");
            }
            return [.. dims.Skip(1).Select(d => checked((int)d.DimValue))];
        }

        public float[] Values(TensorProto t, string what)
        {
            long count = t.Dims.Aggregate(1L, (a, b) => a * b);
            if (t.DataType != 1 || t.DataLocation == TensorProto.Types.DataLocation.External)
            {
                throw Fail($"{what}: weight '{t.Name}' must be float32 stored in the model");
            }
            if (t.RawData.Length > 0)
            {
                if (t.RawData.Length != count * sizeof(float))
                {
                    throw Fail($"{what}: weight '{t.Name}' has {t.RawData.Length} bytes for {count} values");
                }
                return MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
            }
            if (t.FloatData.Count != count)
            {
                throw Fail($"{what}: weight '{t.Name}' has {t.FloatData.Count} values for shape [{string.Join(", ", t.Dims)}]");
            }
            return [.. t.FloatData];
        }
    }

    /// <summary>Maps one node to a layer, checking every attribute and weight against what the layer can express.</summary>
    private sealed class NodeReader
    {
        private readonly Reader _reader;
        private readonly NodeProto _node;
        private readonly string _what;
        private readonly int[] _input;
        private readonly Dictionary<string, AttributeProto> _attributes = [];
        private readonly List<Weight> _weights = [];

        public NodeReader(Reader reader, NodeProto node, string what, int[] input)
        {
            _reader = reader;
            _node = node;
            _what = what;
            _input = input;
            foreach (var attribute in node.Attribute)
            {
                _attributes[attribute.Name] = attribute;
            }
        }

        public (LayerSpec Layer, List<Weight> Weights) Read(string name)
        {
            var layer = _node.OpType switch
            {
                "Conv" => Conv(name),
                "MaxPool" => Pool(name, LayerKind.MaxPool3d),
                "AveragePool" => Pool(name, LayerKind.AvgPool3d),
                "BatchNormalization" => BatchNorm(name),
                "Relu" => Simple(name, LayerKind.Relu),
                "LeakyRelu" => new LayerSpec { Kind = LayerKind.LeakyRelu, Name = name, Alpha = Shortest(Float("alpha", 0.01f)) },
                "Softmax" => Softmax(name, LayerKind.Softmax),
                "LogSoftmax" => Softmax(name, LayerKind.LogSoftmax),
                "Flatten" => Flatten(name),
                "Gemm" => Dense(name),
                _ => throw _reader.Fail($"{_what}: operator {_node.OpType} is not supported (supported: Conv, MaxPool, AveragePool, BatchNormalization, Relu, LeakyRelu, Flatten, Gemm, Softmax, LogSoftmax)"),
            };
            var unused = _attributes.Keys.FirstOrDefault();
            if (unused is not null)
            {
                throw _reader.Fail($"{_what}: attribute '{unused}' is not supported");
            }
            if (_node.Input.Skip(1).Count(i => i.Length > 0) != _weights.Count)
            {
                throw _reader.Fail($"{_what}: expected {_weights.Count} weight inputs, found {_node.Input.Count - 1}");
            }
            return (layer, _weights);
        }

        private LayerSpec Simple(string name, LayerKind kind)
        {
            Inputs(1);
            return new LayerSpec { Kind = kind, Name = name };
        }

        private LayerSpec Conv(string name)
        {
            Inputs(2, 3);
            Spatial();
            var w = Take(1, "weight", null);
            if (w.Shape.Length != 5 || w.Shape[1] != _input[0])
            {
                throw _reader.Fail($"{_what}: weight shape [{string.Join(", ", w.Shape)}] is not [out, {_input[0]}, kd, kh, kw]");
            }
            int[] kernel = [.. w.Shape[2..].Select(k => (int)k)];
            Check(Ints("kernel_shape", kernel.Select(k => (long)k).ToArray()).SequenceEqual(kernel.Select(k => (long)k)), "kernel_shape differs from the weight's shape");
            Check(Int("group", 1) == 1, "grouped convolution is not supported");
            Check(Ints("dilations", [1, 1, 1]).All(d => d == 1), "dilated convolution is not supported");
            bool bias = _node.Input.Count > 2 && _node.Input[2].Length > 0;
            if (bias)
            {
                Take(2, "bias", [w.Shape[0]]);
            }
            return Window(new LayerSpec { Kind = LayerKind.Conv3d, Name = name, Units = (int)w.Shape[0], Kernel = kernel, UseBias = bias });
        }

        private LayerSpec Pool(string name, LayerKind kind)
        {
            Inputs(1);
            Spatial();
            Check(_attributes.ContainsKey("kernel_shape"), "kernel_shape is missing");
            int[] kernel = [.. Ints("kernel_shape", []).Select(k => (int)k)];
            Check(kernel.Length == 3, "kernel_shape needs 3 sizes");
            Check(Int("ceil_mode", 0) == 0, "ceil_mode 1 is not supported");
            if (kind == LayerKind.MaxPool3d)
            {
                Check(Ints("dilations", [1, 1, 1]).All(d => d == 1), "dilated pooling is not supported");
                Check(Int("storage_order", 0) == 0, "storage_order 1 is not supported");
            }
            bool countPad = kind == LayerKind.AvgPool3d && Int("count_include_pad", 0) != 0;
            var layer = Window(new LayerSpec { Kind = kind, Name = name, Kernel = kernel });
            // Padding that is never there cannot be counted; otherwise our average pooling excludes it.
            Check(!countPad || layer.Padding == "valid", "count_include_pad 1 with padding is not supported");
            return layer;
        }

        /// <summary>Reads strides, pads and auto_pad into the layer's padding mode for the declared input size.</summary>
        private LayerSpec Window(LayerSpec layer)
        {
            layer = layer with { Stride = [.. Ints("strides", [1, 1, 1]).Select(s => (int)s)] };
            Check(layer.Stride.Length == 3 && layer.Stride.All(s => s > 0), "strides needs 3 positive values");
            string autoPad = String("auto_pad", "NOTSET");
            long[] pads = Ints("pads", new long[6]);
            Check(pads.Length == 6 && pads.All(p => p >= 0), "pads needs 6 non-negative values");
            Check(autoPad == "NOTSET" || pads.All(p => p == 0), "auto_pad together with pads");
            var same = layer with { Padding = "same" };
            switch (autoPad)
            {
                case "NOTSET":
                    break;
                case "VALID":
                    return layer;
                case "SAME_UPPER":
                    // SAME_UPPER is TensorFlow's rule: the odd padded voxel at the end.
                    pads = OnnxExporter.Pads(same, _input);
                    break;
                default:
                    throw _reader.Fail($"{_what}: auto_pad {autoPad} is not supported");
            }
            if (pads.All(p => p == 0))
            {
                return layer with { Padding = "valid" };
            }
            // NetworkModule has 'same' for max pooling and for convs with odd kernels and stride 1.
            bool sameSupported = layer.Kind == LayerKind.MaxPool3d || (layer.Kind == LayerKind.Conv3d && layer.Stride.All(s => s == 1) && layer.Kernel.All(k => k % 2 == 1));
            if (sameSupported && OnnxExporter.Pads(same, _input).SequenceEqual(pads))
            {
                return same;
            }
            Check(pads[0] == pads[3] && pads[1] == pads[4] && pads[2] == pads[5], $"pads [{string.Join(", ", pads)}] are neither symmetric nor TensorFlow's 'same' padding for input [{string.Join(", ", _input)}]");
            // TorchSharp's pooling refuses pads above half the window (ONNX allows up to the window minus one).
            Check(layer.Kind == LayerKind.Conv3d || pads.Zip(layer.Kernel.Concat(layer.Kernel)).All(p => p.First <= p.Second / 2), $"pooling pads [{string.Join(", ", pads)}] larger than half the window are not supported");
            return layer with { Padding = "explicit", Pad = [(int)pads[0], (int)pads[1], (int)pads[2]] };
        }

        private LayerSpec BatchNorm(string name)
        {
            Inputs(5);
            long[] channels = [_input[0]];
            Take(1, "weight", channels);
            Take(2, "bias", channels);
            Take(3, "running_mean", channels);
            Take(4, "running_var", channels);
            Check(Int("training_mode", 0) == 0, "training_mode 1 is not supported");
            double epsilon = Shortest(Float("epsilon", 1e-5f));
            // ONNX's momentum weighs the old running statistics, ours the new batch.
            double momentum = Shortest((float)(1 - Shortest(Float("momentum", 0.9f))));
            return new LayerSpec { Kind = LayerKind.BatchNorm3d, Name = name, Epsilon = epsilon, Momentum = momentum };
        }

        private LayerSpec Softmax(string name, LayerKind kind)
        {
            Inputs(1);
            long axis = Int("axis", -1);
            int rank = _input.Length + 1;
            Check((axis < 0 ? axis + rank : axis) == 1, $"axis {axis} is not the channel axis");
            return new LayerSpec { Kind = kind, Name = name };
        }

        private LayerSpec Flatten(string name)
        {
            Inputs(1);
            Check(Int("axis", 1) == 1, "only axis 1 (one vector per sample) is supported");
            return new LayerSpec { Kind = LayerKind.Flatten, Name = name };
        }

        private LayerSpec Dense(string name)
        {
            Inputs(2, 3);
            Check(_input.Length == 1, $"input [{string.Join(", ", _input)}] is not flat; Gemm needs [batch, features]");
            Check(Int("transA", 0) == 0, "transA 1 is not supported");
            Check(Int("transB", 0) == 1, "only transB 1 (weights [out, in]) is supported");
            Check(Float("alpha", 1f) == 1f && Float("beta", 1f) == 1f, "alpha and beta other than 1 are not supported");
            var w = Take(1, "weight", null);
            Check(w.Shape.Length == 2 && w.Shape[1] == _input[0], $"weight shape [{string.Join(", ", w.Shape)}] is not [out, {_input[0]}]");
            bool bias = _node.Input.Count > 2 && _node.Input[2].Length > 0;
            if (bias)
            {
                Take(2, "bias", [w.Shape[0]]);
            }
            return new LayerSpec { Kind = LayerKind.Dense, Name = name, Units = (int)w.Shape[0], UseBias = bias };
        }

        private void Spatial() => Check(_input.Length == 4, $"input [{string.Join(", ", _input)}] is not [C, D, H, W]");

        private void Inputs(int min, int? max = null)
        {
            int count = _node.Input.Count;
            Check(count >= min && count <= (max ?? min), $"{count} inputs");
        }

        private Weight Take(int input, string weightName, long[]? shape)
        {
            var proto = _reader.Initializer(_node.Input[input], _what);
            var weight = new Weight(weightName, [.. proto.Dims], _reader.Values(proto, _what));
            if (shape is not null && !weight.Shape.SequenceEqual(shape))
            {
                throw _reader.Fail($"{_what}: {weightName} '{proto.Name}' has shape [{string.Join(", ", weight.Shape)}], expected [{string.Join(", ", shape)}]");
            }
            _weights.Add(weight);
            return weight;
        }

        private void Check(bool condition, string problem)
        {
            if (!condition)
            {
                throw _reader.Fail($"{_what}: {problem}");
            }
        }

        // Each accessor consumes its attribute, so whatever is left after mapping is an attribute we do not understand.
        private long Int(string name, long fallback) => Take(name, AttributeProto.Types.AttributeType.Int) is { } a ? a.I : fallback;

        private float Float(string name, float fallback) => Take(name, AttributeProto.Types.AttributeType.Float) is { } a ? a.F : fallback;

        private long[] Ints(string name, long[] fallback) => Take(name, AttributeProto.Types.AttributeType.Ints) is { } a ? [.. a.Ints] : fallback;

        private string String(string name, string fallback) => Take(name, AttributeProto.Types.AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

        private AttributeProto? Take(string name, AttributeProto.Types.AttributeType type)
        {
            if (!_attributes.Remove(name, out var attribute))
            {
                return null;
            }
            Check(attribute.Type == type, $"attribute '{name}' has type {attribute.Type}, expected {type}");
            return attribute;
        }

        /// <summary>The shortest decimal that rounds to the stored float32 (so 1e-3 comes back as 0.001, not 0.0010000000475).</summary>
        private static double Shortest(float value) => double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
