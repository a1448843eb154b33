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
    /// <returns>One row per bin, [b/B, (b + 1)/B), empty bins included, in order of confidence.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> below 1.</exception>
    /// <exception cref="ArgumentException">Length mismatch, no calls, or a confidence outside [0, 1].</exception>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, int bins)
    {
        if (bins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins is {bins}; it must be at least 1.");
        }
        return Reliability(confidence, right, [.. Enumerable.Range(1, bins - 1).Select(k => k / (double)bins)]);
    }

    /// <summary>
    /// The calls binned by stated confidence at the given interior edges: [0, e₁), [e₁, e₂), …, [eₘ, 1] — e.g. 0.7 and
    /// 0.9 for the recommendation's low, medium and high levels.
    /// </summary>
    /// <param name="confidence">Stated probability of being right, per call, in [0, 1].</param>
    /// <param name="right">Whether each call was right.</param>
    /// <param name="edges">Interior edges, strictly increasing inside (0, 1); empty for one bin.</param>
    /// <returns>One row per bin, empty bins included, in order of confidence.</returns>
    /// <exception cref="ArgumentException">Length mismatch, no calls, a confidence outside [0, 1], or edges not increasing inside (0, 1).</exception>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, IReadOnlyList<double> edges)
    {
        Check(confidence, right);
        ArgumentNullException.ThrowIfNull(edges);
        for (int i = 0; i < edges.Count; i++)
        {
            if (!(edges[i] > (i == 0 ? 0 : edges[i - 1]) && edges[i] < 1))
            {
                throw new ArgumentException($"edges[{i}] is {ScoreInput.Invariant(edges[i])}; edges must increase strictly inside (0, 1).", nameof(edges));
            }
        }
        double[] bounds = [0, .. edges, 1];
        var rows = new List<ReliabilityBin>(edges.Count + 1);
        for (int b = 0; b <= edges.Count; b++)
        {
            // The bin of a confidence is the number of interior edges at or below it, so the last bin includes 1.
            int[] members = [.. Enumerable.Range(0, confidence.Count).Where(i => edges.Count(e => e <= confidence[i]) == b)];
            rows.Add(new ReliabilityBin(
                bounds[b],
                bounds[b + 1],
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
    /// <exception cref="ArgumentException">As <see cref="Reliability(IReadOnlyList{double}, IReadOnlyList{bool}, int)"/>.</exception>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, int bins) =>
        WeightedGap(Reliability(confidence, right, bins), confidence.Count);

    /// <summary>The expected calibration error over the bins at <paramref name="edges"/> (as <see cref="Reliability(IReadOnlyList{double}, IReadOnlyList{bool}, IReadOnlyList{double})"/>).</summary>
    /// <param name="confidence">Stated probability of being right, per call, in [0, 1].</param>
    /// <param name="right">Whether each call was right.</param>
    /// <param name="edges">Interior edges, strictly increasing inside (0, 1).</param>
    /// <returns>The error in [0, 1]; 0 calibrated.</returns>
    /// <exception cref="ArgumentException">As the <see cref="Reliability(IReadOnlyList{double}, IReadOnlyList{bool}, IReadOnlyList{double})"/> overload.</exception>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> right, IReadOnlyList<double> edges) =>
        WeightedGap(Reliability(confidence, right, edges), confidence.Count);

    private static double WeightedGap(IReadOnlyList<ReliabilityBin> table, int calls) =>
        table.Where(r => r.Count > 0).Sum(r => r.Count / (double)calls * Math.Abs(r.FractionRight - r.MeanConfidence));

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
