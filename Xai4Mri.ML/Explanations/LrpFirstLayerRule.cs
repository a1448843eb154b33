namespace Xai4Mri.ML.Explanations;

/// <summary>
/// A rule for the first convolution or dense layer of an LRP method, where relevance meets the voxels (Montavon et
/// al. 2019, "Layer-wise relevance propagation: an overview", recommend input-specific rules there).
/// </summary>
public enum LrpFirstLayerRule
{
    /// <summary>The method's own rule (flat for <see cref="RelevanceMethod.LrpEpsilonPlusFlat"/>).</summary>
    Default,

    /// <summary>
    /// Flat (Lapuschkin et al. 2019, "Unmasking Clever Hans predictors"): relevance spread evenly over each output's
    /// receptive field, R_i = Σ_j 1 / (Σ_i' 1) · R_j, independent of the input values and the weights.
    /// </summary>
    Flat,

    /// <summary>
    /// w² (Montavon et al. 2017, deep Taylor decomposition): R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j, biases ignored (as
    /// iNNvestigate's <c>WSquareRule</c>; zennit's <c>WSquare</c> adds the squared bias to the denominator).
    /// </summary>
    WSquare,
}
