using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Transfer;

/// <summary>
/// xai4mri's <c>adapt_model</c>: give a pretrained network a new output layer for a new task — classes, or regression
/// with a target bias — keeping every other weight.
/// </summary>
public static class HeadAdapter
{
    /// <summary>
    /// Returns a model whose head fits <paramref name="classes"/> outputs: for regression (0) a linear unit with bias
    /// <paramref name="targetBias"/>, for n ≥ 2 classes n units without bias and softmax (xai4mri's choices). When the
    /// head already has that many outputs the network is kept as it is (only the task metadata changes), as in
    /// xai4mri. The new head's weights are Glorot-uniform from <paramref name="seed"/>.
    /// </summary>
    /// <param name="model">The pretrained model; it is not changed.</param>
    /// <param name="classes">0 for regression, ≥ 2 for classification; 1 is rejected.</param>
    /// <param name="targetBias">Initial bias of a regression head (recommended: the mean of the new target).</param>
    /// <param name="classNames">Names of the classes (default "0", "1", …).</param>
    /// <param name="seed">Seed for the new head's weights.</param>
    /// <exception cref="ArgumentException"><paramref name="classes"/> is 1 or negative, or names do not match.</exception>
    public static MriNetModel Adapt(MriNetModel model, int classes, double? targetBias = null, IReadOnlyList<string>? classNames = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (classes == 1 || classes < 0)
        {
            throw new ArgumentException("For a regression model, choose classes = 0; for a classification task classes >= 2 (xai4mri's adapt_model rule).", nameof(classes));
        }
        var names = classes == 0 ? [] : classNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (names.Count != classes)
        {
            throw new ArgumentException($"{names.Count} class names for {classes} classes", nameof(classNames));
        }
        var task = classes == 0 ? model.Task with { ClassNames = [], TargetMean = targetBias ?? model.Task.TargetMean } : ModelTask.Classification(names, model.Task.TargetName);
        var spec = model.Spec;
        int head = spec.HeadIndex;
        if (head < 0)
        {
            throw new ArgumentException($"the network '{spec.Architecture}' has no Dense or Conv head to replace", nameof(model));
        }
        int outputs = classes == 0 ? 1 : classes;
        if (spec.Layers[head].Units == outputs)
        {
            return new MriNetModel(Copy(model.Network, spec), task, model.Conventions, model.Provenance) { LearningRate = model.LearningRate, SourceStatistics = model.SourceStatistics };
        }
        var headSpec = spec.Layers[head];
        var layers = spec.Layers.Take(head).ToList();
        bool convHead = headSpec.Kind == LayerKind.Conv3d;
        layers.Add(headSpec with { Units = outputs, UseBias = classes == 0 });
        if (convHead)
        {
            // A 1³ convolution head (SFCN) leaves (N, outputs, 1, 1, 1); flatten it to (N, outputs).
            layers.Add(new LayerSpec { Kind = LayerKind.Flatten, Name = headSpec.Name + "_flatten" });
        }
        if (classes > 0)
        {
            layers.Add(new LayerSpec { Kind = LayerKind.Softmax, Name = headSpec.Name + "_softmax" });
        }
        var adapted = spec with { Layers = layers };
        var network = new NetworkModule(adapted, seed);
        CopyWeights(model.Network, network, head);
        if (classes == 0)
        {
            MriNetModel.SetHeadBias(network, targetBias ?? 0);
        }
        return new MriNetModel(network, task, model.Conventions, $"{model.Provenance}; head adapted to {(classes == 0 ? "regression" : $"{classes} classes")}") { LearningRate = model.LearningRate, SourceStatistics = model.SourceStatistics };
    }

    /// <summary>
    /// xai4mri's <c>adapt_model(model, input_shape, learning_rate, target_bias, n_classes)</c> with its argument
    /// names: like <see cref="Adapt(MriNetModel, int, double?, IReadOnlyList{string}?, long)"/>, and the adapted model
    /// carries <paramref name="learningRate"/> (<see cref="MriNetModel.LearningRate"/>), which xai4mri compiles into
    /// the Keras model and our trainers use when their options leave the rate unset.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="nClasses"/> is 1 or negative, or the learning rate is not positive.</exception>
    public static MriNetModel Adapt(MriNetModel model, int nClasses, double learningRate, double? targetBias = null)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentException($"learning rate must be positive and finite, got {learningRate}", nameof(learningRate));
        }
        var adapted = Adapt(model, nClasses, targetBias);
        return new MriNetModel(adapted.Network, adapted.Task, adapted.Conventions, adapted.Provenance) { LearningRate = learningRate, SourceStatistics = adapted.SourceStatistics };
    }

    /// <summary>
    /// The pretrained model with the head <paramref name="label"/> needs and the task it then predicts: for regression
    /// one linear unit whose bias is <paramref name="targetBias"/> and the target's mean and spread; for classes the
    /// label's classes. The trainer and <c>AdaptHead</c> both adapt through it.
    /// </summary>
    internal static MriNetModel ForLabel(MriNetModel pretrained, LabelColumn label, double targetBias, double targetMean, double targetStandardDeviation, long seed)
    {
        bool regression = label.Kind == LabelKind.Regression;
        var adapted = Adapt(pretrained, regression ? 0 : label.ClassNames.Count, targetBias, label.ClassNames, seed);
        return adapted.WithTask(ModelTask.For(label, regression ? targetMean : null, regression ? targetStandardDeviation : null));
    }

    private static NetworkModule Copy(NetworkModule source, NetworkSpec spec)
    {
        var copy = new NetworkModule(spec);
        CopyWeights(source, copy, spec.Layers.Count);
        return copy;
    }

    /// <summary>Copies parameters and buffers of layers [0, <paramref name="layerCount"/>).</summary>
    private static void CopyWeights(NetworkModule source, NetworkModule target, int layerCount)
    {
        var from = source.state_dict();
        var to = target.state_dict();
        using var _ = no_grad();
        foreach (var (name, tensor) in to)
        {
            int layer = int.Parse(name.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
            if (layer < layerCount && from.TryGetValue(name, out var value))
            {
                tensor.copy_(value);
            }
        }
    }
}
