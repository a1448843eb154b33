using Microsoft.ML;

namespace Xai4Mri.ML.NetworkData;

/// <summary>
/// Stops long work running in an <see cref="MLContext"/> — training, the transfer analysis, ML.NET's own trainers — at
/// its next check, with <see cref="OperationCanceledException"/> (what <c>MLContext.CancelExecution()</c> does, which
/// ML.NET makes public only in its Microsoft.ML.Experimental package).
/// </summary>
public static class MLContextCancellation
{
    /// <summary>Asks the work running in <paramref name="ml"/> to stop; checkpoints written so far are kept.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version has no <c>CancelExecution</c>.</exception>
    public static void CancelExecution(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        MLNetInternals.CancelExecution(ml);
    }
}
