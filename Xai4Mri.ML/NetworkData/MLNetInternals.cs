using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Xai4Mri.ML.NetworkData;

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
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly;
        // Transform catalogs keep it in a property, trainer catalogs in their base class (TrainerCatalogBase).
        for (var type = catalog.GetType(); type is not null; type = type.BaseType)
        {
            var property = type.GetProperties(flags).FirstOrDefault(p => p.Name.EndsWith("Environment", StringComparison.Ordinal) && typeof(IHostEnvironment).IsAssignableFrom(p.PropertyType));
            if (property?.GetValue(catalog) is IHostEnvironment fromProperty)
            {
                return fromProperty;
            }
            var field = type.GetFields(flags).FirstOrDefault(f => typeof(IHostEnvironment).IsAssignableFrom(f.FieldType));
            if (field?.GetValue(catalog) is IHostEnvironment fromField)
            {
                return fromField;
            }
        }
        throw new NotSupportedException($"this ML.NET version does not expose the environment of {catalog.GetType().Name}; Xai4Mri.ML needs ML.NET 5.0");
    }

    /// <summary>
    /// Throws <see cref="OperationCanceledException"/> once <c>MLContext.CancelExecution()</c> was called on the
    /// context behind <paramref name="env"/> (ML.NET's own trainers check the same flag, through an internal interface).
    /// </summary>
    public static void CheckAlive(IHostEnvironment env)
    {
        var property = CanceledProperty.GetOrAdd(env.GetType(), type => type
            .GetInterfaces().Concat([type])
            .SelectMany(t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            .FirstOrDefault(p => p.Name == "IsCanceled" || p.Name.EndsWith(".IsCanceled", StringComparison.Ordinal)));
        if (property?.GetValue(env) is true)
        {
            throw new OperationCanceledException("Operation was canceled.");
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, PropertyInfo?> CanceledProperty = new();

    /// <summary>A schema-shape column (name, vector kind, item type, whether it is a key; no annotations).</summary>
    public static SchemaShape.Column SchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey = false) =>
        ColumnConstructor?.Invoke([name, kind, itemType, isKey, null]) is SchemaShape.Column column
            ? column
            : throw new NotSupportedException("this ML.NET version does not allow building SchemaShape columns; Xai4Mri.ML needs ML.NET 5.0");
}
