using Google.Protobuf;
using Onnx;

namespace Xai4Mri.ML.Models;

/// <summary>
/// The ONNX form of a network inside a saved ML.NET model: the exported network with a Reshape in front, which takes
/// one row's image as <c>[1, voxels]</c> (ML.NET's ONNX transformer feeds a known-size vector column by the declared
/// shape, so the sizes are fixed), and a Reshape behind, which drops the batch axis so the output column is a plain known-size vector.
/// <see cref="Unwrap"/> removes both again, giving the graph <see cref="OnnxImporter"/> reads. A feature graph
/// (<see cref="BuildFeatures"/>) is wrapped the same way around a prefix of the network.
/// </summary>
internal static class ScoringGraph
{
    /// <summary>Metadata key of the model's task, input conventions and provenance (JSON).</summary>
    public const string ModelMetadataKey = "xai4mri.model";

    private const string InputShapeName = "xai4mri_input_shape";
    private const string OutputShapeName = "xai4mri_output_shape";
    private const string FlatInputNode = "xai4mri_input_reshape";
    private const string FlatOutputNode = "xai4mri_output_reshape";
    private const string FeatureInputNode = "xai4mri_features_input_reshape";
    private const string FeatureOutputNode = "xai4mri_features_output_reshape";
    private const string PoolNode = "xai4mri_features_global_average_pool";
    private const int FloatType = 1;
    private const int Int64Type = 7;

    /// <summary>The serialised scoring graph of <paramref name="model"/>, reading <paramref name="input"/> and writing <paramref name="output"/>.</summary>
    public static byte[] Build(MriNetModel model, string input, string output)
    {
        var proto = Export(model, model.Spec.Layers.Count - 1);
        return Wrap(proto, model.Spec.InputShape, input, output, [model.Spec.OutputShape.Aggregate(1, (a, b) => a * b)], FlatInputNode, FlatOutputNode);
    }

    /// <summary>
    /// The serialised graph of the layers 0 to <paramref name="lastLayer"/> of <paramref name="model"/> (a frozen
    /// feature extractor), reading <paramref name="input"/> and writing that layer's activations to
    /// <paramref name="output"/> with shape <paramref name="outputShape"/>; with <paramref name="globalAveragePool"/>
    /// a (C, D, H, W) activation is first averaged over its spatial axes to (C).
    /// </summary>
    /// <remarks>
    /// The wrapping nodes have their own names so <see cref="TryUnwrap"/> does not mistake a truncated network for
    /// a predicting one when <see cref="MriNetModel.FromModelZip"/> searches a saved pipeline.
    /// </remarks>
    public static byte[] BuildFeatures(MriNetModel model, string input, string output, int lastLayer, bool globalAveragePool, int[] outputShape)
    {
        var proto = Export(model, lastLayer);
        var graph = proto.Graph;
        if (globalAveragePool)
        {
            string activations = graph.Output[0].Name;
            var pool = new NodeProto { OpType = "ReduceMean", Name = PoolNode };
            pool.Input.Add(activations);
            pool.Output.Add(PoolNode);
            // Opset 13 takes the axes as an attribute (opset 18 moved them to an input).
            pool.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 3, 4 } });
            pool.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            graph.Node.Add(pool);
            // Wrap reshapes whatever the graph's output names; make that the pooled tensor.
            graph.Output[0].Name = PoolNode;
        }
        return Wrap(proto, model.Spec.InputShape, input, output, outputShape, FeatureInputNode, FeatureOutputNode);
    }

    private static ModelProto Export(MriNetModel model, int lastLayer)
    {
        var metadata = new Dictionary<string, string> { [ModelMetadataKey] = ModelDescription.Of(model).ToJson() };
        return ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(model.Network, new OnnxExportOptions { Metadata = metadata }, lastLayer));
    }

    /// <summary>Puts the [1, voxels] → [1, C, D, H, W] reshape in front of the graph and the reshape to <paramref name="outputShape"/> behind it.</summary>
    private static byte[] Wrap(ModelProto proto, int[] inputShape, string input, string output, int[] outputShape, string inputNode, string outputNode)
    {
        var graph = proto.Graph;
        string networkInput = graph.Input[0].Name;
        string networkOutput = graph.Output[0].Name;
        graph.Initializer.Add(Int64s(InputShapeName, [1, .. inputShape.Select(d => (long)d)]));
        graph.Initializer.Add(Int64s(OutputShapeName, [.. outputShape.Select(d => (long)d)]));
        graph.Node.Insert(0, Reshape(inputNode, input, InputShapeName, networkInput));
        graph.Node.Add(Reshape(outputNode, networkOutput, OutputShapeName, output));
        graph.Input.Clear();
        graph.Input.Add(Value(input, [new() { DimValue = 1 }, new() { DimValue = inputShape.Aggregate(1L, (a, b) => a * b) }]));
        graph.Output.Clear();
        graph.Output.Add(Value(output, [.. outputShape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d })]));
        return proto.ToByteArray();
    }

    /// <summary>
    /// True when <paramref name="bytes"/> is a scoring graph written by <see cref="Build"/>; then
    /// <paramref name="network"/> is the bare network graph and <paramref name="description"/> the model's metadata.
    /// </summary>
    public static bool TryUnwrap(byte[] bytes, out byte[] network, out ModelDescription? description)
    {
        network = [];
        description = null;
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
        var graph = proto.Graph;
        if (graph is null || graph.Node.Count < 3 || graph.Node[0].Name != FlatInputNode || graph.Node[^1].Name != FlatOutputNode
            || proto.MetadataProps.All(p => p.Key != OnnxExporter.SpecMetadataKey))
        {
            return false;
        }
        network = Unwrap(proto).ToByteArray();
        description = proto.MetadataProps.FirstOrDefault(p => p.Key == ModelMetadataKey) is { } entry ? ModelDescription.FromJson(entry.Value) : null;
        return true;
    }

    private static ModelProto Unwrap(ModelProto proto)
    {
        var graph = proto.Graph;
        var spec = NetworkSpec.FromJson(proto.MetadataProps.First(p => p.Key == OnnxExporter.SpecMetadataKey).Value);
        string networkInput = graph.Node[0].Output[0];
        string networkOutput = graph.Node[^1].Input[0];
        graph.Node.RemoveAt(graph.Node.Count - 1);
        graph.Node.RemoveAt(0);
        foreach (string name in new[] { InputShapeName, OutputShapeName })
        {
            graph.Initializer.Remove(graph.Initializer.First(i => i.Name == name));
        }
        graph.Input.Clear();
        graph.Input.Add(Value(networkInput, [new() { DimParam = "batch" }, .. spec.InputShape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d })]));
        graph.Output.Clear();
        graph.Output.Add(Value(networkOutput, [new() { DimParam = "batch" }, .. spec.OutputShape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d })]));
        return proto;
    }

    private static NodeProto Reshape(string name, string from, string shape, string to)
    {
        var node = new NodeProto { OpType = "Reshape", Name = name };
        node.Input.Add(from);
        node.Input.Add(shape);
        node.Output.Add(to);
        return node;
    }

    private static TensorProto Int64s(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = Int64Type };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    private static ValueInfoProto Value(string name, TensorShapeProto.Types.Dimension[] dims)
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = new TensorShapeProto() } };
        type.TensorType.Shape.Dim.AddRange(dims);
        return new ValueInfoProto { Name = name, Type = type };
    }
}
