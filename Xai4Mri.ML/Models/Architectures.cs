namespace Xai4Mri.ML.Models;

/// <summary>The published architectures as <see cref="NetworkSpec"/>s: MRInet (Hofmann et al. 2022) and SFCN (Peng et al. 2021).</summary>
public static class Architectures
{
    /// <summary>
    /// MRInet exactly as xai4mri's <c>MRInet.create</c> builds it in Keras: five conv blocks (16, 16, 32, 64 filters of
    /// 3³, then 32 of 1³; 'same' padding) each followed by max pooling (3³, stride 2, 'same'), optional batch norm
    /// before each conv and before Flatten, Flatten, Dropout 0.5, Dense 64, and the head: Dense 1 with bias for
    /// regression (<paramref name="classes"/> = 0), Dense n without bias + softmax for classification.
    /// </summary>
    /// <param name="inputShape">(D, H, W) of the conformed volume, e.g. (198, 198, 198) for xai4mri's pretrained models.</param>
    /// <param name="classes">0 for regression, ≥ 2 for classification (1 is rejected as in xai4mri).</param>
    /// <param name="leakyRelu">LeakyReLU (α = 0.2) instead of ReLU. As in xai4mri, with batch norm the convs keep ReLU and a LeakyReLU follows.</param>
    /// <param name="batchNorm">Batch normalisation before each conv and before Flatten.</param>
    public static NetworkSpec MriNet(int[] inputShape, int classes = 0, bool leakyRelu = false, bool batchNorm = false)
    {
        CheckClasses(classes);
        CheckInput(inputShape);
        bool relu = !(leakyRelu && !batchNorm);
        var layers = new List<LayerSpec>();
        int conv = 0, pool = 0, bn = 0, act = 0;
        string Suffix(int n) => n == 0 ? "" : $"_{n}";
        void BatchNorm() => layers.Add(new LayerSpec { Kind = LayerKind.BatchNorm3d, Name = $"batch_normalization{Suffix(bn++)}", Epsilon = 1e-3, Momentum = 0.01 });
        void Activations()
        {
            if (relu)
            {
                layers.Add(new LayerSpec { Kind = LayerKind.Relu, Name = $"re_lu{Suffix(act++)}" });
            }
            if (leakyRelu)
            {
                layers.Add(new LayerSpec { Kind = LayerKind.LeakyRelu, Name = $"leaky_re_lu{Suffix(act++)}", Alpha = 0.2 });
            }
        }
        foreach (var (filters, kernel) in new[] { (16, 3), (16, 3), (32, 3), (64, 3), (32, 1) })
        {
            if (batchNorm)
            {
                BatchNorm();
            }
            layers.Add(new LayerSpec { Kind = LayerKind.Conv3d, Name = $"conv3d{Suffix(conv++)}", Units = filters, Kernel = [kernel, kernel, kernel], Padding = "same" });
            Activations();
            layers.Add(new LayerSpec { Kind = LayerKind.MaxPool3d, Name = $"max_pooling3d{Suffix(pool++)}", Kernel = [3, 3, 3], Stride = [2, 2, 2], Padding = "same" });
        }
        if (batchNorm)
        {
            BatchNorm();
        }
        layers.Add(new LayerSpec { Kind = LayerKind.Flatten, Name = "flatten" });
        layers.Add(new LayerSpec { Kind = LayerKind.Dropout, Name = "dropout", Rate = 0.5 });
        layers.Add(new LayerSpec { Kind = LayerKind.Dense, Name = "dense", Units = 64 });
        Activations();
        layers.AddRange(Head(classes, "dense_1"));
        return new NetworkSpec { Architecture = "MRInet", InputShape = [1, .. inputShape], Layers = layers };
    }

    /// <summary>
    /// SFCN (Peng et al. 2021, the UK Biobank brain-age model): blocks of conv (3³, padding 1) → batch norm → max pool
    /// (2³) → ReLU with 32, 64, 128, 256, 256 channels, a 1³ conv block of 64 channels, global average pooling,
    /// dropout 0.5, a 1³ conv to <paramref name="outputs"/> age bins and log-softmax. Layer names follow the reference
    /// PyTorch implementation (<c>feature_extractor.conv_0.0</c>, …, <c>classifier.conv_6</c>).
    /// </summary>
    /// <param name="inputShape">(D, H, W); the published model uses (160, 192, 160).</param>
    /// <param name="outputs">Number of output bins (40 in the published model).</param>
    /// <param name="channels">Channels per block; default 32, 64, 128, 256, 256, 64.</param>
    /// <param name="dropout">Include the dropout layer (the published model does).</param>
    public static NetworkSpec Sfcn(int[] inputShape, int outputs = 40, int[]? channels = null, bool dropout = true)
    {
        CheckInput(inputShape);
        channels ??= [32, 64, 128, 256, 256, 64];
        var layers = new List<LayerSpec>();
        for (int i = 0; i < channels.Length; i++)
        {
            string block = $"feature_extractor.conv_{i}";
            bool last = i == channels.Length - 1;
            int k = last ? 1 : 3;
            layers.Add(new LayerSpec { Kind = LayerKind.Conv3d, Name = $"{block}.0", Units = channels[i], Kernel = [k, k, k], Padding = "explicit", Pad = last ? [0, 0, 0] : [1, 1, 1] });
            layers.Add(new LayerSpec { Kind = LayerKind.BatchNorm3d, Name = $"{block}.1", Epsilon = 1e-5, Momentum = 0.1 });
            if (!last)
            {
                layers.Add(new LayerSpec { Kind = LayerKind.MaxPool3d, Name = $"{block}.2", Kernel = [2, 2, 2], Stride = [2, 2, 2] });
            }
            layers.Add(new LayerSpec { Kind = LayerKind.Relu, Name = $"{block}.{(last ? 2 : 3)}" });
        }
        var features = new NetworkSpec { InputShape = [1, .. inputShape], Layers = layers }.OutputShape;
        layers.Add(new LayerSpec { Kind = LayerKind.AvgPool3d, Name = "classifier.average_pool", Kernel = features[1..], Stride = features[1..] });
        if (dropout)
        {
            layers.Add(new LayerSpec { Kind = LayerKind.Dropout, Name = "classifier.dropout", Rate = 0.5 });
        }
        layers.Add(new LayerSpec { Kind = LayerKind.Conv3d, Name = $"classifier.conv_{channels.Length}", Units = outputs, Kernel = [1, 1, 1] });
        layers.Add(new LayerSpec { Kind = LayerKind.LogSoftmax, Name = "log_softmax" });
        return new NetworkSpec { Architecture = "SFCN", InputShape = [1, .. inputShape], Layers = layers };
    }

    /// <summary>The output layers for a task: Dense 1 with bias (regression) or Dense n without bias and softmax.</summary>
    internal static IEnumerable<LayerSpec> Head(int classes, string name)
    {
        CheckClasses(classes);
        if (classes == 0)
        {
            yield return new LayerSpec { Kind = LayerKind.Dense, Name = name, Units = 1, UseBias = true };
            yield break;
        }
        yield return new LayerSpec { Kind = LayerKind.Dense, Name = name, Units = classes, UseBias = false };
        yield return new LayerSpec { Kind = LayerKind.Softmax, Name = name + "_softmax" };
    }

    private static void CheckClasses(int classes)
    {
        if (classes == 1 || classes < 0)
        {
            throw new ArgumentException($"classes must be 0 (regression) or at least 2, not {classes}: a single class has nothing to classify (use 0 for regression)", nameof(classes));
        }
    }

    private static void CheckInput(int[] inputShape)
    {
        if (inputShape is not { Length: 3 } || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException("the input shape needs three positive sizes (D, H, W)", nameof(inputShape));
        }
    }
}
