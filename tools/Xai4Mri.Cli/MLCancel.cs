using System.Reflection;
using Microsoft.ML;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>MLContext.CancelExecution()</c>: ML.NET keeps it internal and makes it public only through the
/// Microsoft.ML.Experimental package (not a dependency here), so it is called by reflection. Work running in the context
/// (our trainer, the transfer analysis, ML.NET's own trainers) then stops at its next check with
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal static class MLCancel
{
    private static readonly MethodInfo? Method = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);

    /// <summary>Asks the work running in <paramref name="ml"/> to stop.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version has no <c>MLContext.CancelExecution</c>.</exception>
    public static void CancelExecution(MLContext ml) =>
        (Method ?? throw new NotSupportedException("this ML.NET version has no MLContext.CancelExecution; Xai4Mri.Cli needs ML.NET 5.0")).Invoke(ml, null);
}
