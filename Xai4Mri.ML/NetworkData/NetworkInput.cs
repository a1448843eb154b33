using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.NetworkData;

/// <summary>Checks that an image column can feed a network: a known-size float vector with exactly the network's input voxels.</summary>
internal static class NetworkInput
{
    public static void Check(DataViewSchema schema, string column, int[] shape, string parameterName)
    {
        var col = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(parameterName, $"image column '{column}' not found (add ml.Transforms.LoadNifti(\"{column}\", ...) before the network)");
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        if (col.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(parameterName, $"image column '{column}' is {col.Type}, the network needs a vector of Single with {string.Join('x', shape)} values");
        }
        if (!vector.IsKnownSize)
        {
            throw new ArgumentOutOfRangeException(parameterName, $"image column '{column}' is a vector of unknown size; the network needs a known-size vector of {string.Join('x', shape)} values (LoadNifti gives one)");
        }
        if (vector.Size != voxels)
        {
            throw new ArgumentOutOfRangeException(parameterName,
                $"image column '{column}' has {vector.Size} values ({string.Join('x', vector.Dimensions.ToArray())}), the network expects {string.Join('x', shape)} = {voxels} (set NiftiLoaderOptions.TargetShape = model.InputShape)");
        }
    }
}
