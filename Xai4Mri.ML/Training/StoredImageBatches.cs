using System.Collections.Concurrent;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Training;

/// <summary>
/// The trainer's batches: rows of an <see cref="ImageStore"/>, shuffled per epoch and augmented per image and epoch
/// (both seeded from the run's seed), assembled on a background thread up to two batches ahead of the network.
/// </summary>
internal sealed class StoredImageBatches : IBatchSource
{
    private sealed record Rows(ImageStore Store, int[] Indices);

    private readonly Rows _train;
    private readonly Rows _validation;
    private readonly int[] _shape;
    private readonly int _batchSize;
    private readonly int _seed;
    private readonly AugmentationOptions? _augmentation;

    /// <summary>Training rows <paramref name="train"/> of <paramref name="store"/>, validation rows <paramref name="validation"/> of <paramref name="validationStore"/>.</summary>
    public StoredImageBatches(ImageStore store, int[] train, ImageStore validationStore, int[] validation, int[] imageShape, int batchSize, int seed, AugmentationOptions? augmentation)
    {
        _train = new Rows(store, train);
        _validation = new Rows(validationStore, validation);
        _shape = imageShape;
        _batchSize = batchSize;
        _seed = seed;
        _augmentation = augmentation is { IsActive: true } ? augmentation : null;
        InputShape = [1, .. imageShape.Select(d => (long)d)];
    }

    public long[] InputShape { get; }

    public int TrainingCount => _train.Indices.Length;

    public int ValidationCount => _validation.Indices.Length;

    public IEnumerable<TrainingBatch> TrainingBatches(int epoch)
    {
        var order = (int[])_train.Indices.Clone();
        new SplitRandom(Seeds.Mix(_seed, epoch, 0)).Shuffle(order);
        return Prefetch(_train.Store, order, epoch);
    }

    public IEnumerable<TrainingBatch> ValidationBatches() => Prefetch(_validation.Store, _validation.Indices, epoch: null);

    /// <summary>
    /// Batches of <paramref name="order"/> copied from the store (augmented when <paramref name="epoch"/> is given) on a
    /// background thread, up to two batches ahead of the consumer.
    /// </summary>
    private IEnumerable<TrainingBatch> Prefetch(ImageStore store, int[] order, int? epoch)
    {
        int voxels = store.Voxels;
        using var queue = new BlockingCollection<TrainingBatch>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var augmentation = epoch is not null ? _augmentation : null;
        var producer = Task.Run(() =>
        {
            try
            {
                var scratch = augmentation is null ? [] : new float[voxels];
                for (int start = 0; start < order.Length && !stop.IsCancellationRequested; start += _batchSize)
                {
                    int count = Math.Min(_batchSize, order.Length - start);
                    var images = new float[count * voxels];
                    var targets = new float[count];
                    for (int i = 0; i < count; i++)
                    {
                        int row = order[start + i];
                        var image = images.AsSpan(i * voxels, voxels);
                        store.CopyTo(row, image);
                        targets[i] = store.Targets[row];
                        if (augmentation is not null)
                        {
                            Augmentation.Apply(image, _shape, augmentation, new SplitRandom(Seeds.Mix(_seed, epoch!.Value, 2 + row)), scratch);
                        }
                    }
                    queue.Add(new TrainingBatch(images, targets, count), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early (an error or cancellation); nothing more to deliver.
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            producer.GetAwaiter().GetResult();
        }
    }
}
