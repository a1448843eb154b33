using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// What a label column means for a network: Single → regression, Boolean → two classes ("False", "True"), a key →
/// as many classes as the key has values, named by its KeyValues annotation (ML.NET's MapValueToKey sets it).
/// </summary>
internal sealed record LabelColumn(string Name, LabelKind Kind, IReadOnlyList<string> ClassNames)
{
    /// <summary>Reads the column's type; <paramref name="expected"/> (from a trainer catalog) must agree with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of a type the kind cannot use.</exception>
    public static LabelColumn Inspect(DataViewSchema schema, string name, LabelKind? expected = null)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), $"label column '{name}' not found");
        var kind = column.Type switch
        {
            NumberDataViewType n when n == NumberDataViewType.Single => LabelKind.Regression,
            BooleanDataViewType => LabelKind.BinaryClassification,
            KeyDataViewType key when key.RawType == typeof(uint) => LabelKind.MulticlassClassification,
            _ => throw new ArgumentOutOfRangeException(nameof(name),
                $"label column '{name}' is {column.Type}; use Single for regression, Boolean for two classes, or a key (ml.Transforms.Conversion.MapValueToKey) for classes"),
        };
        if (expected is { } e && e != kind)
        {
            string needs = e switch
            {
                LabelKind.Regression => "Single",
                LabelKind.BinaryClassification => "Boolean",
                _ => "a key type (ml.Transforms.Conversion.MapValueToKey)",
            };
            throw new ArgumentOutOfRangeException(nameof(name), $"label column '{name}' is {column.Type}; {e} needs {needs}");
        }
        IReadOnlyList<string> names = kind switch
        {
            LabelKind.Regression => [],
            LabelKind.BinaryClassification => ["False", "True"],
            _ => KeyNames(column),
        };
        if (kind == LabelKind.MulticlassClassification && names.Count < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(name), $"label column '{name}' has {names.Count} class; classification needs at least two");
        }
        return new LabelColumn(name, kind, names);
    }

    /// <summary>
    /// A reader of the current row's target as the network sees it: the value for regression, the 0-based class
    /// index for classes; NaN when missing (a NaN regression label, a key value 0).
    /// </summary>
    public Func<float> Reader(DataViewRow row)
    {
        var column = row.Schema[Name];
        switch (Kind)
        {
            case LabelKind.Regression:
            {
                var get = row.GetGetter<float>(column);
                return () => { float v = 0; get(ref v); return v; };
            }
            case LabelKind.BinaryClassification:
            {
                var get = row.GetGetter<bool>(column);
                return () => { bool v = false; get(ref v); return v ? 1 : 0; };
            }
            default:
            {
                var get = row.GetGetter<uint>(column);
                return () => { uint v = 0; get(ref v); return v == 0 ? float.NaN : v - 1; };
            }
        }
    }

    private static List<string> KeyNames(DataViewSchema.Column column)
    {
        int count = (int)((KeyDataViewType)column.Type).Count;
        var names = column.Annotations.Schema.GetColumnOrNull(KeyValuesAnnotation)?.Type is VectorDataViewType { ItemType: var item }
            ? item switch
            {
                TextDataViewType => Values<ReadOnlyMemory<char>>(column, v => v.ToString()),
                NumberDataViewType n when n == NumberDataViewType.Single => Values<float>(column, v => v.ToString("R", CultureInfo.InvariantCulture)),
                NumberDataViewType n when n == NumberDataViewType.Double => Values<double>(column, v => v.ToString("R", CultureInfo.InvariantCulture)),
                NumberDataViewType n when n == NumberDataViewType.Int32 => Values<int>(column, v => v.ToString(CultureInfo.InvariantCulture)),
                NumberDataViewType n when n == NumberDataViewType.Int64 => Values<long>(column, v => v.ToString(CultureInfo.InvariantCulture)),
                NumberDataViewType n when n == NumberDataViewType.UInt32 => Values<uint>(column, v => v.ToString(CultureInfo.InvariantCulture)),
                BooleanDataViewType => Values<bool>(column, v => v ? "True" : "False"),
                _ => null,
            }
            : null;
        return names is not null && names.Count == count
            ? names
            : Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }

    private const string KeyValuesAnnotation = "KeyValues";

    private static List<string> Values<T>(DataViewSchema.Column column, Func<T, string> format)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue(KeyValuesAnnotation, ref values);
        return values.DenseValues().Select(format).ToList();
    }
}
