using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.NetworkData;

/// <summary>The schema shape of the columns a fitted network adds, per <see cref="LabelKind"/>.</summary>
internal static class ScoreColumns
{
    public static SchemaShape Add(SchemaShape input, LabelKind kind)
    {
        var columns = input.ToDictionary(c => c.Name);
        void Put(string name, SchemaShape.Column.VectorKind vector, DataViewType type, bool isKey = false) =>
            columns[name] = MLNetInternals.SchemaColumn(name, vector, type, isKey);
        var scalar = SchemaShape.Column.VectorKind.Scalar;
        switch (kind)
        {
            case LabelKind.Regression:
                Put("Score", scalar, NumberDataViewType.Single);
                break;
            case LabelKind.BinaryClassification:
                Put("Score", scalar, NumberDataViewType.Single);
                Put("Probability", scalar, NumberDataViewType.Single);
                Put("PredictedLabel", scalar, BooleanDataViewType.Instance);
                break;
            default:
                Put("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single);
                Put("PredictedLabel", scalar, NumberDataViewType.UInt32, isKey: true);
                break;
        }
        return new SchemaShape(columns.Values);
    }
}
