using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Xai4Mri.ML;

/// <summary>
/// The two ML.NET members a third-party catalog extension needs but ML.NET keeps non-public (dotnet/machinelearning
/// issues 4911, 6839): the environment behind a catalog, and the <see cref="SchemaShape.Column"/> constructor.
/// Reached once by reflection, with a clear error if a future ML.NET renames them.
/// </summary>
internal static class MLNetInternals
{
    private static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column)
        .GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        .FirstOrDefault(c => c.GetParameters().Length == 5);

    /// <summary>The host environment (the MLContext's, which carries its log) behind a catalog.</summary>
    public static IHostEnvironment Environment(object catalog)
    {
        var property = catalog.GetType()
            .GetProperties(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .FirstOrDefault(p => p.Name.EndsWith("Environment", StringComparison.Ordinal) && p.PropertyType == typeof(IHostEnvironment));
        return property?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException($"this ML.NET version does not expose the environment of {catalog.GetType().Name}; Xai4Mri.ML needs ML.NET 5.0");
    }

    /// <summary>A schema-shape column (name, vector kind, item type, whether it is a key; no annotations).</summary>
    public static SchemaShape.Column SchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey = false) =>
        ColumnConstructor?.Invoke([name, kind, itemType, isKey, null]) is SchemaShape.Column column
            ? column
            : throw new NotSupportedException("this ML.NET version does not allow building SchemaShape columns; Xai4Mri.ML needs ML.NET 5.0");
}
