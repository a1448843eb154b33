namespace Xai4Mri.ML.Analysis;

/// <summary>
/// Calibration of stated confidences against outcomes: the reliability table, the Brier score and the expected
/// calibration error, for checking the analysis's <c>Confidence</c> against whether its recommendations were right.
/// </summary>
/// <remarks>
/// The recommendation's confidence is the probability that its signal / no-signal call is right; judged against
/// "the recommendation was within 10 % of the best" (<see cref="Regret.IsWithin"/>) it is held to a stricter event,
/// so a confidence that is calibrated for its own call may look over-confident here.
/// </remarks>
internal static class Calibration
{
    /// <summary>The calls binned by stated confidence into <paramref name="bins"/> equal-width bins over [0, 1].</summary>
    /// <param name="confidence">Stated probability of being right, per call, in [0, 1].</param>
    /// <param name="right">Whether each call was right.</param>
    /// <param name="bins">Number of bins, at least 1.</param>
    /// <returns>One row per bin, empty bins included, in order of confidence.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> below 1.</exception>
    /// <exception cref="ArgumentException">Length mismatch, no calls, or a confidence outside [0, 1].</exception>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, int bins)
    {
        Check(confidence, right);
        if (bins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins is {bins}; it must be at least 1.");
        }
        var rows = new List<ReliabilityBin>(bins);
        for (int b = 0; b < bins; b++)
        {
            int[] members = [.. Enumerable.Range(0, confidence.Count).Where(i => Bin(confidence[i], bins) == b)];
            rows.Add(new ReliabilityBin(
                b / (double)bins,
                (b + 1) / (double)bins,
                members.Length,
                members.Length == 0 ? double.NaN : members.Average(i => confidence[i]),
                members.Length == 0 ? double.NaN : members.Average(i => right[i] ? 1.0 : 0.0)));
        }
        return rows;
    }

    /// <summary>The Brier score: the mean of (confidence − right)², 0 perfect, 0.25 for always saying 0.5.</summary>
    /// <param name="confidence">Stated probability of being right, per call, in [0, 1].</param>
    /// <param name="right">Whether each call was right.</param>
    /// <returns>The Brier score in [0, 1]; lower is better.</returns>
    /// <exception cref="ArgumentException">Length mismatch, no calls, or a confidence outside [0, 1].</exception>
    public static double Brier(IReadOnlyList<double> confidence, IReadOnlyList<bool> right)
    {
        Check(confidence, right);
        return Enumerable.Range(0, confidence.Count).Average(i => Math.Pow(confidence[i] - (right[i] ? 1 : 0), 2));
    }

    /// <summary>The expected calibration error: Σ over bins of (count / N) |fraction right − mean confidence|.</summary>
    /// <param name="confidence">Stated probability of being right, per call, in [0, 1].</param>
    /// <param name="right">Whether each call was right.</param>
    /// <param name="bins">Number of equal-width bins, at least 1.</param>
    /// <returns>The error in [0, 1]; 0 calibrated.</returns>
    /// <exception cref="ArgumentException">As <see cref="Reliability"/>.</exception>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, int bins) =>
        Reliability(confidence, right, bins).Where(r => r.Count > 0)
            .Sum(r => r.Count / (double)confidence.Count * Math.Abs(r.FractionRight - r.MeanConfidence));

    // [b/B, (b+1)/B), the last bin closed at 1: the number of interior edges k/B at or below the confidence, compared
    // with the edges themselves so that a confidence of exactly 0.6 is in the bin that starts at 3/5.
    private static int Bin(double confidence, int bins) => Enumerable.Range(1, bins - 1).Count(k => k / (double)bins <= confidence);

    private static void Check(IReadOnlyList<double> confidence, IReadOnlyList<bool> right)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(right);
        if (confidence.Count != right.Count)
        {
            throw new ArgumentException($"confidence has {confidence.Count} values but right has {right.Count}; they must match.", nameof(right));
        }
        if (confidence.Count == 0)
        {
            throw new ArgumentException("confidence is empty; calibration needs at least one call.", nameof(confidence));
        }
        for (int i = 0; i < confidence.Count; i++)
        {
            if (!(confidence[i] >= 0 && confidence[i] <= 1))
            {
                throw new ArgumentException($"confidence[{i}] is {ScoreInput.Invariant(confidence[i])}; a confidence must lie in [0, 1].", nameof(confidence));
            }
        }
    }
}
