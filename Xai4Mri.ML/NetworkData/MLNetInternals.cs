using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Every ML.NET member Xai4Mri.ML reaches although ML.NET keeps it non-public (dotnet/machinelearning issues 4911,
/// 6839), in one place, each found once by reflection with a clear error if a future ML.NET renames it: the
/// environment behind a catalog, its cancellation flag and its device settings (<c>GpuDeviceId</c>,
/// <c>FallbackToCpu</c>), <c>MLContext.CancelExecution</c> (public only in Microsoft.ML.Experimental), and the
/// <see cref="SchemaShape.Column"/> constructor.
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
        throw new NotSupportedException($"this ML.NET version does not expose the environment of {catalog.GetType().Name}; Xai4Mri.ML needs ML.NET 6.0");
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

    /// <summary>
    /// A setting of the environment behind a catalog (the MLContext's host) that ML.NET keeps on an internal
    /// interface, read by name; null when the environment has none.
    /// </summary>
    public static object? HostSetting(IHostEnvironment env, string name)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        for (var type = env.GetType(); type is not null; type = type.BaseType)
        {
            var property = type.GetProperties(flags).FirstOrDefault(p => p.Name == name || p.Name.EndsWith("." + name, StringComparison.Ordinal));
            if (property is not null)
            {
                return property.GetValue(env);
            }
        }
        return null;
    }

    private static readonly MethodInfo? CancelMethod = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);

    /// <summary><c>MLContext.CancelExecution()</c>: the work running in the context stops at its next check.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version has no such method.</exception>
    public static void CancelExecution(MLContext ml) =>
        (CancelMethod ?? throw new NotSupportedException("this ML.NET version has no MLContext.CancelExecution; Xai4Mri.ML needs ML.NET 6.0")).Invoke(ml, null);

    /// <summary>A schema-shape column (name, vector kind, item type, whether it is a key; no annotations).</summary>
    public static SchemaShape.Column SchemaColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey = false) =>
        ColumnConstructor?.Invoke([name, kind, itemType, isKey, null]) is SchemaShape.Column column
            ? column
            : throw new NotSupportedException("this ML.NET version does not allow building SchemaShape columns; Xai4Mri.ML needs ML.NET 6.0");
}
