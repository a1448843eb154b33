namespace Xai4Mri.ML.Explanations;

/// <summary>Options of <c>ml.Transforms.ExplainMriNet</c>: what each row's relevance map explains and how it is computed.</summary>
public sealed class ExplainMriNetOptions
{
    /// <summary>
    /// The method, the explained output and the method's parameters (default: LRP with iNNvestigate's
    /// <c>lrp.sequential_preset_a</c>, each row's predicted class or the regression output). Copied when the
    /// estimator is made, so changing it afterwards changes nothing. <see cref="RelevanceOptions.BatchSize"/> counts
    /// the noisy, interpolated or occluded copies per pass; rows are explained one at a time as the cursor reaches them.
    /// </summary>
    public RelevanceOptions Relevance { get; set; } = new();
}
