namespace Xai4Mri.ML.Models;

/// <summary>
/// Per-feature mean and standard deviation of a network layer's activations over the data it was trained on: the
/// source statistics against which the transfer analysis measures how far new data lies from what the network saw.
/// </summary>
/// <param name="LayerIndex">Index of the layer in <see cref="NetworkSpec.Layers"/> (the penultimate layer).</param>
/// <param name="LayerName">That layer's name, so that a changed architecture is noticed.</param>
/// <param name="Count">Images the statistics were computed on.</param>
/// <param name="Mean">Mean of each feature.</param>
/// <param name="StandardDeviation">Population standard deviation of each feature.</param>
/// <param name="Description">Which data: e.g. "training data of MriNetTransfer (48 images)".</param>
public sealed record FeatureStatistics(int LayerIndex, string LayerName, int Count, double[] Mean, double[] StandardDeviation, string Description)
{
    /// <summary>Statistics of <paramref name="features"/> (one row per image).</summary>
    internal static FeatureStatistics Of(int layerIndex, string layerName, IReadOnlyList<float[]> features, string description)
    {
        if (features.Count == 0)
        {
            throw new ArgumentException("source statistics need at least one image", nameof(features));
        }
        int d = features[0].Length;
        var mean = new double[d];
        var sd = new double[d];
        foreach (var row in features)
        {
            for (int j = 0; j < d; j++)
            {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++)
        {
            mean[j] /= features.Count;
        }
        foreach (var row in features)
        {
            for (int j = 0; j < d; j++)
            {
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++)
        {
            sd[j] = Math.Sqrt(sd[j] / features.Count);
        }
        return new FeatureStatistics(layerIndex, layerName, features.Count, mean, sd, description);
    }
}
