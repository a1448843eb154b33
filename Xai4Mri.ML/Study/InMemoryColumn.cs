using Microsoft.ML.Data;

namespace Xai4Mri.ML.Study;

/// <summary>A named, typed column of values for <see cref="InMemoryDataView"/>.</summary>
internal sealed class InMemoryColumn
{
    private InMemoryColumn(string name, DataViewType type, Array values)
    {
        Name = name;
        Type = type;
        Values = values;
    }

    public string Name { get; }

    public DataViewType Type { get; }

    /// <summary>A <c>T[]</c> with <c>T</c> = <see cref="DataViewType.RawType"/>; never written after construction.</summary>
    public Array Values { get; }

    /// <summary>A column of scalar values of <paramref name="type"/>, whose raw type must be <typeparamref name="T"/>.</summary>
    /// <remarks>
    /// Vector types are refused: a vector getter must copy into the caller's <c>VBuffer</c> rather than hand out a
    /// shared one, and no caller needs them yet.
    /// </remarks>
    public static InMemoryColumn Create<T>(string name, DataViewType type, T[] values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(values);
        if (type is VectorDataViewType)
        {
            throw new ArgumentException($"column '{name}': vector columns are not supported", nameof(type));
        }
        if (type.RawType != typeof(T))
        {
            throw new ArgumentException($"column '{name}': values of {typeof(T).Name} do not match type {type} (raw type {type.RawType.Name})", nameof(values));
        }
        return new InMemoryColumn(name, type, values.ToArray());
    }

    /// <summary>A text column; <c>null</c> entries become empty text.</summary>
    public static InMemoryColumn Text(string name, IReadOnlyList<string?> values) =>
        Create(name, TextDataViewType.Instance, values.Select(v => (v ?? "").AsMemory()).ToArray());
}
