using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Training;

/// <summary>Batches of precomputed layer activations (a linear probe's inputs), shuffled per epoch from the run's seed; no validation rows.</summary>
internal sealed class FeatureBatches : IBatchSource
{
    private readonly float[][] _features;
    private readonly float[] _targets;
    private readonly int _batchSize;
    private readonly int _seed;

    /// <summary>Rows of <paramref name="features"/> (each of <paramref name="shape"/>) with their targets.</summary>
    public FeatureBatches(float[][] features, int[] shape, float[] targets, int batchSize, int seed)
    {
        _features = features;
        _targets = targets;
        _batchSize = batchSize;
        _seed = seed;
        InputShape = [.. shape.Select(d => (long)d)];
    }

    public long[] InputShape { get; }

    public int TrainingCount => _targets.Length;

    public int ValidationCount => 0;

    public IEnumerable<TrainingBatch> TrainingBatches(int epoch)
    {
        var order = Enumerable.Range(0, _targets.Length).ToArray();
        new SplitRandom(Seeds.Mix(_seed, epoch, 0)).Shuffle(order);
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            int count = Math.Min(_batchSize, order.Length - start);
            var rows = order.AsSpan(start, count).ToArray();
            yield return new TrainingBatch([.. rows.SelectMany(r => _features[r])], [.. rows.Select(r => _targets[r])], count);
        }
    }

    public IEnumerable<TrainingBatch> ValidationBatches() => [];
}
