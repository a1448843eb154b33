namespace Xai4Mri.ML.Analysis;

/// <summary>NCE (Tran, Nguyen and Hassner, ICCV 2019): the negative conditional entropy of target labels given the source's hard labels.</summary>
/// <remarks>
/// From the empirical joint P̂(y, z) of target labels y and source pseudo-labels z (the source model's arg-max):
/// NCE = −H(Y | Z) = Σ_{y,z} P̂(y, z) log(P̂(y, z) / P̂(z)), in nats, with 0 log 0 = 0. It is at most 0 (0: the source label
/// determines the target label); higher is better. Its lower bound −log k depends on the classes, so compare NCE only
/// on the same target labels. <see cref="RegressionSource.Hard"/> gives the pseudo-labels of an age regressor.
/// </remarks>
internal static class Nce
{
    /// <summary>NCE of target labels given source pseudo-labels.</summary>
    /// <param name="sourceLabels">One source pseudo-label per sample in 0 .. <paramref name="sourceClassCount"/> − 1 (classes may be unused).</param>
    /// <param name="sourceClassCount">Number of source classes, at least 1.</param>
    /// <param name="labels">One target label per sample in 0 .. <paramref name="classCount"/> − 1; every class must occur.</param>
    /// <param name="classCount">Number of target classes, at least 2.</param>
    /// <returns>−H(Y | Z) in nats, ≤ 0; higher is better.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sourceClassCount"/> below 1 or <paramref name="classCount"/> below 2.</exception>
    /// <exception cref="ArgumentException">Length mismatch, a label out of range, or a target class without samples.</exception>
    public static double Score(int[] sourceLabels, int sourceClassCount, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(sourceLabels);
        ArgumentNullException.ThrowIfNull(labels);
        if (sourceLabels.Length != labels.Length)
        {
            throw new ArgumentException($"sourceLabels has {sourceLabels.Length} values but labels has {labels.Length}; they must match.", nameof(labels));
        }
        if (sourceClassCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceClassCount), sourceClassCount, $"sourceClassCount is {sourceClassCount}; it must be at least 1.");
        }
        ScoreInput.Classes(labels, classCount, nameof(labels), nameof(classCount));
        int n = labels.Length;
        var joint = new int[classCount, sourceClassCount];
        var marginal = new int[sourceClassCount];
        for (int i = 0; i < n; i++)
        {
            if (sourceLabels[i] < 0 || sourceLabels[i] >= sourceClassCount)
            {
                throw new ArgumentException($"sourceLabels[{i}] is {sourceLabels[i]}, outside 0..{sourceClassCount - 1}.", nameof(sourceLabels));
            }
            joint[labels[i], sourceLabels[i]]++;
            marginal[sourceLabels[i]]++;
        }
        double value = 0;
        for (int y = 0; y < classCount; y++)
        {
            for (int z = 0; z < sourceClassCount; z++)
            {
                if (joint[y, z] > 0)
                {
                    value += joint[y, z] / (double)n * Math.Log(joint[y, z] / (double)marginal[z]);
                }
            }
        }
        return value;
    }
}
