using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Explanations;

/// <summary>The network that makes a fitted pipeline's prediction, to explain it (<c>ml.Transforms.ExplainMriNet(..., fittedPipeline)</c>).</summary>
public static class PipelineNetwork
{
    /// <summary>
    /// The fine-tuned network of a fitted pipeline: the model of its last <see cref="MriNetPredictionTransformer"/>
    /// (what <c>MriNetTransfer</c>, <c>AdaptHead</c> and <c>xai4mri train</c> fit), searched through nested chains.
    /// </summary>
    /// <param name="fittedPipeline">A pipeline as <c>Fit</c> returned it.</param>
    /// <exception cref="ArgumentException">
    /// The pipeline holds no predicting network: its prediction is made by something else (frozen features and an
    /// ML.NET trainer, say), or it was read back with <c>ml.Model.Load</c> (then <see cref="MriNetModel.FromModelZip"/>
    /// recovers the network from the file).
    /// </exception>
    public static MriNetModel Find(ITransformer fittedPipeline)
    {
        ArgumentNullException.ThrowIfNull(fittedPipeline);
        var steps = Flatten(fittedPipeline).ToList();
        if (steps.OfType<MriNetPredictionTransformer>().LastOrDefault() is { } prediction)
        {
            return prediction.Model;
        }
        if (steps.OfType<MriNetFeaturizeTransformer>().LastOrDefault() is { } features)
        {
            var layer = features.Model.Spec.Layers[features.LayerIndex];
            string after = string.Join(", ", steps.SkipWhile(s => s != features).Skip(1).Select(Describe));
            throw new ArgumentException(
                $"the pipeline has no network that makes its prediction: its network only computes frozen features (MriNetFeaturize, layer {features.LayerIndex} '{layer.Name}') for {(after.Length > 0 ? after : "the steps after it")}; " +
                "explain the pretrained network itself (ExplainMriNet with features.Model) or train it with MriNetTransfer", nameof(fittedPipeline));
        }
        throw new ArgumentException(
            $"the pipeline has no network of Xai4Mri.ML to explain (its steps: {string.Join(", ", steps.Select(Describe))}); a pipeline read with ml.Model.Load holds ML.NET's saved forms: take the network with MriNetModel.FromModelZip(path)",
            nameof(fittedPipeline));
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) => transformer is IEnumerable<ITransformer> chain
        ? chain.SelectMany(Flatten)
        : [transformer];

    private static string Describe(ITransformer step) => step switch
    {
        IPredictionTransformer<object> p => p.Model.GetType().Name,
        _ => step.GetType().Name,
    };
}
