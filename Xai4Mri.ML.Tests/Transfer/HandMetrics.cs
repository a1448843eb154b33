namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>Evaluation metrics recomputed by hand from scored rows: the references for ML.NET's evaluators.</summary>
internal static class HandMetrics
{
    /// <summary>Share of rows whose prediction equals the label.</summary>
    public static double Accuracy<T>(IReadOnlyList<T> labels, IReadOnlyList<T> predicted)
    {
        Assert.HasCount(labels.Count, predicted);
        return labels.Zip(predicted).Count(p => EqualityComparer<T>.Default.Equals(p.First, p.Second)) / (double)labels.Count;
    }

    /// <summary>Mean, over the classes that occur as labels, of the share of that class's rows predicted as it.</summary>
    public static double MacroAccuracy(IReadOnlyList<uint> labels, IReadOnlyList<uint> predicted) =>
        labels.Zip(predicted).GroupBy(p => p.First).Average(g => g.Count(p => p.Second == g.Key) / (double)g.Count());

    /// <summary>Rows per (label, prediction) pair: row = label key − 1, column = predicted key − 1.</summary>
    public static double[][] Confusion(IReadOnlyList<uint> labels, IReadOnlyList<uint> predicted, int classes)
    {
        var counts = Enumerable.Range(0, classes).Select(_ => new double[classes]).ToArray();
        foreach (var (label, prediction) in labels.Zip(predicted))
        {
            counts[label - 1][prediction - 1]++;
        }
        return counts;
    }

    /// <summary>Mean of −ln p, p the probability a row's score vector gives its label (key values count from 1).</summary>
    public static double LogLoss(IReadOnlyList<uint> labels, IReadOnlyList<float[]> probabilities) =>
        labels.Zip(probabilities).Average(p => -Math.Log(p.Second[p.First - 1]));

    /// <summary>Area under the ROC curve: the share of (positive, negative) pairs the score ranks right, a tie counting half.</summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        var positives = scores.Where((_, i) => labels[i]).ToList();
        var negatives = scores.Where((_, i) => !labels[i]).ToList();
        Assert.IsTrue(positives.Count > 0 && negatives.Count > 0, "AUC needs both classes");
        double right = 0;
        foreach (float p in positives)
        {
            foreach (float n in negatives)
            {
                right += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        return right / ((double)positives.Count * negatives.Count);
    }

    /// <summary>Mean absolute error.</summary>
    public static double Mae(IReadOnlyList<float> labels, IReadOnlyList<float> scores) =>
        labels.Zip(scores).Average(p => Math.Abs((double)p.First - p.Second));

    /// <summary>Root mean squared error.</summary>
    public static double Rmse(IReadOnlyList<float> labels, IReadOnlyList<float> scores) =>
        Math.Sqrt(labels.Zip(scores).Average(p => ((double)p.First - p.Second) * ((double)p.First - p.Second)));

    /// <summary>Coefficient of determination: 1 − (residual sum of squares) / (sum of squares about the labels' mean).</summary>
    public static double RSquared(IReadOnlyList<float> labels, IReadOnlyList<float> scores)
    {
        double mean = labels.Average(l => (double)l);
        double residual = labels.Zip(scores).Sum(p => ((double)p.First - p.Second) * ((double)p.First - p.Second));
        double total = labels.Sum(l => ((double)l - mean) * ((double)l - mean));
        return 1 - (residual / total);
    }
}
