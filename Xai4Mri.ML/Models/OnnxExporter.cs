using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// Writes a <see cref="NetworkModule"/> as an ONNX model (opset 13, IR version 8) for inference: input <c>input</c>
/// [batch, C, D, H, W], output <c>output</c> [batch, …], weights as float32 initializers, one node per layer
/// (Dropout omitted: it is the identity at inference; batch norm uses the running statistics). The network
/// description is stored as JSON in <c>metadata_props</c> so <see cref="OnnxImporter"/> restores it exactly.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The <c>metadata_props</c> key holding <see cref="NetworkSpec.ToJson"/>.</summary>
    public const string SpecMetadataKey = "xai4mri.network_spec";

    /// <summary>The opset the graphs use: Softmax/LogSoftmax act on one axis from 13 on.</summary>
    public const int Opset = 13;

    private const int FloatType = 1;

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The network has nothing to export or a layer ONNX cannot express.</exception>
    public static void Export(NetworkModule network, string path, OnnxExportOptions? options = null) =>
        File.WriteAllBytes(path, ExportBytes(network, options));

    /// <summary>Writes the model to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">The network has nothing to export or a layer ONNX cannot express.</exception>
    public static void Export(NetworkModule network, Stream stream, OnnxExportOptions? options = null) =>
        stream.Write(ExportBytes(network, options));

    /// <summary>The serialised model.</summary>
    /// <exception cref="ArgumentException">The network has nothing to export or a layer ONNX cannot express.</exception>
    public static byte[] ExportBytes(NetworkModule network, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        return ExportBytes(network, options, network.Spec.Layers.Count - 1);
    }

    /// <summary>
    /// The serialised model of layers 0 to <paramref name="lastLayer"/> only (a feature extractor): its output is that
    /// layer's activations, and the stored description is the truncated spec, so the file describes what it computes.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix has nothing to export or a layer ONNX cannot express.</exception>
    internal static byte[] ExportBytes(NetworkModule network, OnnxExportOptions? options, int lastLayer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lastLayer, network.Spec.Layers.Count);
        options ??= new OnnxExportOptions();
        var spec = lastLayer == network.Spec.Layers.Count - 1 ? network.Spec : network.Spec with { Layers = network.Spec.Layers.Take(lastLayer + 1).ToList() };
        int last = -1;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (spec.Layers[i].Kind != LayerKind.Dropout)
            {
                last = i;
            }
        }
        if (last < 0)
        {
            throw new ArgumentException("the network has no layer to export (Dropout is the identity at inference)", nameof(network));
        }
        var weights = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers()).ToDictionary(p => p.name, p => p.Item2);
        var shapes = spec.Shapes();
        var graph = new GraphProto { Name = string.IsNullOrEmpty(spec.Architecture) ? "network" : spec.Architecture };
        graph.Input.Add(Value("input", options.BatchDimension, spec.InputShape));
        string current = "input";
        int[] shape = spec.InputShape;
        for (int i = 0; i <= last; i++)
        {
            var layer = spec.Layers[i];
            if (layer.Kind != LayerKind.Dropout)
            {
                string output = i == last ? "output" : $"layers.{i}";
                graph.Node.Add(Node(layer, i, shape, current, output, weights, graph));
                current = output;
            }
            shape = shapes[i];
        }
        graph.Output.Add(Value("output", options.BatchDimension, spec.OutputShape));
        var model = new ModelProto { IrVersion = 8, ProducerName = "Xai4Mri.ML", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = SpecMetadataKey, Value = spec.ToJson() });
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            if (key == SpecMetadataKey)
            {
                throw new ArgumentException($"the metadata key '{SpecMetadataKey}' is reserved for the network description", nameof(options));
            }
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model.ToByteArray();
    }

    /// <summary>
    /// ONNX pads (begin per spatial axis, then end per axis) of a conv or pooling layer for a [C, D, H, W] input:
    /// TensorFlow's 'same' rule puts the odd voxel at the end, so the pads depend on the input size.
    /// </summary>
    internal static long[] Pads(LayerSpec layer, int[] input)
    {
        var pads = new long[6];
        for (int a = 0; a < 3; a++)
        {
            (int before, int after) = layer.Padding switch
            {
                "same" => layer.SamePadding(a, input[a + 1]),
                "explicit" => (layer.Pad[a], layer.Pad[a]),
                _ => (0, 0),
            };
            pads[a] = before;
            pads[a + 3] = after;
        }
        return pads;
    }

    private static NodeProto Node(LayerSpec layer, int index, int[] input, string from, string to, Dictionary<string, Tensor> weights, GraphProto graph)
    {
        var node = new NodeProto { Name = layer.Name };
        node.Input.Add(from);
        node.Output.Add(to);
        void Weight(string tensor)
        {
            string key = $"layers.{index}.{tensor}";
            node.Input.Add(key);
            graph.Initializer.Add(Initializer(key, weights[key]));
        }
        switch (layer.Kind)
        {
            case LayerKind.Conv3d:
                node.OpType = "Conv";
                Weight("weight");
                if (layer.UseBias)
                {
                    Weight("bias");
                }
                node.Attribute.Add(Ints("kernel_shape", layer.Kernel.Select(k => (long)k)));
                node.Attribute.Add(Ints("strides", layer.Stride.Select(s => (long)s)));
                node.Attribute.Add(Ints("pads", Pads(layer, input)));
                break;
            case LayerKind.MaxPool3d:
            case LayerKind.AvgPool3d:
                node.OpType = layer.Kind == LayerKind.MaxPool3d ? "MaxPool" : "AveragePool";
                node.Attribute.Add(Ints("kernel_shape", layer.Kernel.Select(k => (long)k)));
                node.Attribute.Add(Ints("strides", layer.Stride.Select(s => (long)s)));
                node.Attribute.Add(Ints("pads", Pads(layer, input)));
                if (layer.Kind == LayerKind.AvgPool3d)
                {
                    // Our average pooling never counts padding (LayerKind.AvgPool3d); say so rather than rely on the default.
                    node.Attribute.Add(Int("count_include_pad", 0));
                }
                break;
            case LayerKind.BatchNorm3d:
                node.OpType = "BatchNormalization";
                Weight("weight");
                Weight("bias");
                Weight("running_mean");
                Weight("running_var");
                node.Attribute.Add(Float("epsilon", layer.Epsilon));
                // ONNX's momentum weighs the old running statistics, PyTorch's (ours) the new batch.
                node.Attribute.Add(Float("momentum", 1 - layer.Momentum));
                break;
            case LayerKind.Relu:
                node.OpType = "Relu";
                break;
            case LayerKind.LeakyRelu:
                node.OpType = "LeakyRelu";
                node.Attribute.Add(Float("alpha", layer.Alpha));
                break;
            case LayerKind.Softmax:
            case LayerKind.LogSoftmax:
                node.OpType = layer.Kind == LayerKind.Softmax ? "Softmax" : "LogSoftmax";
                node.Attribute.Add(Int("axis", 1));
                break;
            case LayerKind.Flatten:
                node.OpType = "Flatten";
                node.Attribute.Add(Int("axis", 1));
                break;
            case LayerKind.Dense:
                node.OpType = "Gemm";
                Weight("weight");
                if (layer.UseBias)
                {
                    Weight("bias");
                }
                node.Attribute.Add(Int("transB", 1));
                break;
            default:
                throw new ArgumentException($"layer '{layer.Name}': {layer.Kind} has no ONNX form");
        }
        return node;
    }

    private static TensorProto Initializer(string name, Tensor tensor)
    {
        using var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = name, DataType = FloatType };
        proto.Dims.AddRange(values.shape);
        // raw_data is little-endian float32, as are .NET floats on every platform we run on.
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
        return proto;
    }

    private static ValueInfoProto Value(string name, string batch, int[] shape)
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = new TensorShapeProto() } };
        type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (int d in shape)
        {
            type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = type };
    }

    private static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };
}
