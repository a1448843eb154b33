namespace Xai4Mri.ML.Explanations;

/// <summary>
/// The attribution methods of <see cref="RelevanceMaps"/>: Layer-wise Relevance Propagation (Bach et al. 2015, "On
/// pixel-wise explanations for non-linear classifier decisions by layer-wise relevance propagation"; Montavon et al.
/// 2019, "Layer-wise relevance propagation: an overview") with single rules and the named composites of iNNvestigate
/// and zennit, and the gradient-based and perturbation baselines.
/// </summary>
/// <remarks>
/// Every method explains one output before a final softmax or log-softmax (the logit; the regression output), as
/// iNNvestigate does on a model without its softmax. LRP starts from that output's value, so a map sums to it minus
/// what biases, stabilisers and non-conservative rules absorb (<see cref="RelevanceMap.Absorbed"/>). zennit seeds its
/// backward pass with whatever the caller gives (usually a one-hot vector, i.e. 1); every LRP rule is linear in the
/// incoming relevance, so such maps differ from ours by the factor of the output value only.
/// <para>
/// In all LRP methods: batch normalisation directly after a convolution is folded into it first (W' = W·γ/σ,
/// b' = (b − μ)·γ/σ + β with σ = √(running variance + ε), as zennit's <c>SequentialMergeBatchNorm</c> canonizer does);
/// max pooling passes relevance to the winner of each window (its gradient); average pooling redistributes in
/// proportion to the inputs (the z-rule with the stabiliser); dropout is off (identity); flatten only reshapes.
/// A batch norm that follows no convolution (MRInet's, before each convolution) is an element-wise affine layer
/// y = a·x + c and gets the rule the method names for it.
/// </para>
/// </remarks>
public enum RelevanceMethod
{
    /// <summary>
    /// LRP-ε on every convolution, dense layer and unfolded batch norm: R_i = Σ_j x_i·w_ij / (z_j + ε·sign(z_j)) · R_j,
    /// z_j = Σ_i x_i·w_ij + b_j, sign(0) = +1 (<see cref="RelevanceOptions.Epsilon"/>, default 1e-6); activations pass
    /// relevance unchanged.
    /// </summary>
    LrpEpsilon,

    /// <summary>
    /// LRP-z⁺ (Montavon et al. 2017, "Explaining nonlinear classification decisions with deep Taylor decomposition"):
    /// only positive contributions x_i·w_ij > 0 (x⁺·w⁺ and x⁻·w⁻), biases ignored, so relevance is conserved in
    /// every layer; activations pass relevance unchanged. This is iNNvestigate's <c>lrp.z_plus</c>.
    /// </summary>
    LrpZPlus,

    /// <summary>
    /// LRP-α1β0 as Bach et al. 2015 define αβ: the positive part z⁺_j = Σ x⁺w⁺ + Σ x⁻w⁻ + b⁺_j carries all relevance
    /// (the positive bias part absorbs its share); activations pass relevance unchanged. zennit's <c>ZPlus</c> and
    /// <c>AlphaBeta(1, 0)</c> compute this.
    /// </summary>
    LrpAlpha1Beta0,

    /// <summary>
    /// LRP-α2β1 (Bach et al. 2015): 2·(positive part, normalised by z⁺_j = Σ x⁺w⁺ + Σ x⁻w⁻ + b⁺_j) − 1·(negative part,
    /// normalised by z⁻_j = Σ x⁺w⁻ + Σ x⁻w⁺ + b⁻_j); activations pass relevance unchanged (zennit's <c>AlphaBeta(2, 1)</c>).
    /// </summary>
    LrpAlpha2Beta1,

    /// <summary>
    /// iNNvestigate's <c>lrp.sequential_preset_a</c> (<c>LRPSequentialPresetA</c>, xai4mri's default): dense layers
    /// LRP-ε with ε = 0.1 and bias; convolutions iNNvestigate's <c>Alpha1Beta0Rule</c>, whose positive part keeps the
    /// whole bias (z = Σ x⁺w⁺ + Σ x⁻w⁻ + b); unfolded batch norm iNNvestigate's <c>AlphaBetaX2m100Rule</c> on the
    /// element-wise affine layer (2·x⁺a⁺/(x⁺a⁺ + c⁺) − x⁺a⁻/(x⁺a⁻ + c⁻), negative inputs dropped); no special first
    /// layer; ReLU and LeakyReLU layers pass their gradient (ReLU masks, LeakyReLU scales negatives by α).
    /// </summary>
    LrpPresetA,

    /// <summary>
    /// iNNvestigate's <c>lrp.sequential_preset_b</c> (<c>LRPSequentialPresetB</c>): as <see cref="LrpPresetA"/> but
    /// convolutions get iNNvestigate's <c>Alpha2Beta1Rule</c> (whole bias in both the positive and the negative part).
    /// </summary>
    LrpPresetB,

    /// <summary>
    /// zennit's <c>EpsilonPlusFlat</c>: the first convolution or dense layer the flat rule; other convolutions
    /// <c>ZPlus</c> (= α1β0 with the positive bias part, <see cref="LrpAlpha1Beta0"/>); other dense layers LRP-ε with
    /// ε = 1e-6; activations and unfolded batch norm pass relevance unchanged (<c>Pass</c>); average pooling the
    /// z-rule (<c>Norm</c>).
    /// </summary>
    LrpEpsilonPlusFlat,

    /// <summary>
    /// zennit's <c>EpsilonAlpha2Beta1</c>: convolutions <c>AlphaBeta(2, 1)</c> (<see cref="LrpAlpha2Beta1"/>), dense
    /// layers LRP-ε with ε = 1e-6, no special first layer; activations and unfolded batch norm pass relevance
    /// unchanged; average pooling the z-rule.
    /// </summary>
    LrpEpsilonAlpha2Beta1,

    /// <summary>The gradient of the output with respect to the input (Simonyan et al. 2014, "Deep inside convolutional networks").</summary>
    Gradient,

    /// <summary>Gradient × input (Shrikumar et al. 2016, "Not just a black box").</summary>
    GradientTimesInput,

    /// <summary>
    /// SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise"): the mean gradient over
    /// <see cref="RelevanceOptions.Samples"/> copies of the image with Gaussian noise of standard deviation
    /// <see cref="RelevanceOptions.NoiseLevel"/> × (max − min of the image), seeded by <see cref="RelevanceOptions.Seed"/>.
    /// </summary>
    SmoothGrad,

    /// <summary>
    /// Integrated gradients (Sundararajan et al. 2017, "Axiomatic attribution for deep networks"): (x − x')·the mean
    /// gradient at x' + (k/m)·(x − x'), k = 1…m (<see cref="RelevanceOptions.Steps"/>), with the constant baseline
    /// x' = <see cref="RelevanceOptions.Baseline"/>; the map sums to about f(x) − f(x').
    /// </summary>
    IntegratedGradients,

    /// <summary>
    /// Occlusion (Zeiler and Fergus 2014, "Visualizing and understanding convolutional networks"): cubes of
    /// <see cref="RelevanceOptions.PatchSize"/> voxels, moved by <see cref="RelevanceOptions.Stride"/>, are set to
    /// <see cref="RelevanceOptions.FillValue"/>; each voxel gets the mean drop of the output over the cubes that cover it.
    /// </summary>
    Occlusion,
}
