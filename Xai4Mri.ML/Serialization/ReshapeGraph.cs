using Google.Protobuf;
using Onnx;

namespace Xai4Mri.ML.Serialization;

/// <summary>
/// A one-node ONNX graph that reshapes a flat float vector into (D, H, W). In a saved model it turns the
/// variable-size column a custom mapping produces back into a known-size <c>Vector&lt;Single, D, H, W&gt;</c>.
/// </summary>
internal static class ReshapeGraph
{
    private const int FloatType = 1;
    private const int Int64Type = 7;

    /// <summary>The serialised model: input <paramref name="input"/> of shape [1, N], output <paramref name="output"/> of shape <paramref name="shape"/>.</summary>
    public static byte[] Build(string input, string output, int[] shape)
    {
        var inputType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = new TensorShapeProto() } };
        inputType.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        inputType.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "voxels" });
        var outputType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = new TensorShapeProto() } };
        foreach (int d in shape)
        {
            outputType.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        var target = new TensorProto { Name = "target_shape", DataType = Int64Type };
        target.Dims.Add(shape.Length);
        target.Int64Data.AddRange(shape.Select(d => (long)d));
        var node = new NodeProto { OpType = "Reshape", Name = "reshape" };
        node.Input.Add(input);
        node.Input.Add("target_shape");
        node.Output.Add(output);
        var graph = new GraphProto { Name = "xai4mri_reshape" };
        graph.Node.Add(node);
        graph.Initializer.Add(target);
        graph.Input.Add(new ValueInfoProto { Name = input, Type = inputType });
        graph.Output.Add(new ValueInfoProto { Name = output, Type = outputType });
        var model = new ModelProto { IrVersion = 8, ProducerName = "Xai4Mri.ML", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }
}
