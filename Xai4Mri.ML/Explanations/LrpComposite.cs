namespace Xai4Mri.ML.Explanations;

/// <summary>How LRP passes relevance through ReLU and LeakyReLU layers.</summary>
internal enum ActivationHandling
{
    /// <summary>Unchanged (zennit's <c>Pass</c> for activations; Bach et al.'s neuron view).</summary>
    Pass,
    /// <summary>Times the activation's derivative (iNNvestigate's gradient mapping for layers that are not <c>Activation</c> layers).</summary>
    Gradient,
}

/// <summary>
/// Which rule each layer of a network gets for an LRP method. The composites follow their sources:
/// <list type="bullet">
/// <item>iNNvestigate 2.1.2 (albermax/innvestigate, src/innvestigate/analyzer/relevance_based/relevance_analyzer.py
/// and relevance_rule.py): <c>LRPSequentialPresetA</c> gives <c>Dense</c> layers <c>EpsilonRule(ε = 0.1, bias)</c>,
/// convolutions <c>Alpha1Beta0Rule</c> and batch norm <c>AlphaBetaX2m100Rule</c> on the batch norm fused into one
/// scale layer; <c>LRPSequentialPresetB</c> the same with <c>Alpha2Beta1Rule</c> for convolutions. Neither has an
/// input-layer rule. Layers that are not kernel, batch-norm, average-pooling or <c>Activation</c> layers (max pooling,
/// flatten, dropout, and Keras' <c>ReLU</c>/<c>LeakyReLU</c> layers) pass their gradient; average pooling uses the
/// z-rule. Its αβ rules keep the bias in both weight copies, so the whole bias enters both sums. Its fusion computes
/// σ as √(variance² + ε) (src/innvestigate/backend/graph.py, <c>apply_mapping_to_fused_bn_layer</c>); we take σ as
/// the batch norm itself does, √(variance + ε).</item>
/// <item>zennit (chr5tphr/zennit, src/zennit/composites.py, rules.py, canonizers.py): <c>EpsilonPlusFlat</c> gives
/// the first linear layer (convolution or dense) <c>Flat</c>, other convolutions <c>ZPlus</c>, <c>torch.nn.Linear</c>
/// <c>Epsilon(1e-6)</c>; <c>EpsilonAlpha2Beta1</c> gives convolutions <c>AlphaBeta(2, 1)</c> and dense layers
/// <c>Epsilon(1e-6)</c>. Both share <c>layer_map_base</c>: activations and batch norm <c>Pass</c>, average pooling
/// <c>Norm</c> (the z-rule), stabiliser 1e-6; layers without a rule (max pooling) pass their gradient. zennit's
/// <c>ZPlus</c> and <c>AlphaBeta</c> put b⁺ into the positive and b⁻ into the negative part; <c>Flat</c> zeroes the
/// bias. Batch norm after a linear layer is merged into it by the <c>SequentialMergeBatchNorm</c> canonizer.</item>
/// </list>
/// </summary>
internal sealed record LrpComposite(string Name, LrpRule Convolution, LrpRule Dense, LrpRule BatchNorm, LrpRule? FirstLayer, ActivationHandling Activations)
{
    public const double InnvestigatePresetEpsilon = 0.1;
    public const double ZennitEpsilon = 1e-6;
    public const double DefaultEpsilon = 1e-6;

    /// <summary>The composite of an LRP method with the options' ε and first-layer rule.</summary>
    public static LrpComposite For(RelevanceOptions options)
    {
        var composite = options.Method switch
        {
            RelevanceMethod.LrpEpsilon => Single("LRP-ε", LrpRule.EpsilonRule(options.Epsilon ?? DefaultEpsilon)),
            RelevanceMethod.LrpZPlus => Single("LRP-z⁺", LrpRule.ZPlus),
            RelevanceMethod.LrpAlpha1Beta0 => Single("LRP-α1β0", LrpRule.AlphaBetaRule(1, 0, BiasShare.BySign)),
            RelevanceMethod.LrpAlpha2Beta1 => Single("LRP-α2β1", LrpRule.AlphaBetaRule(2, 1, BiasShare.BySign)),
            RelevanceMethod.LrpPresetA => Innvestigate("iNNvestigate's lrp.sequential_preset_a", 1, 0, options),
            RelevanceMethod.LrpPresetB => Innvestigate("iNNvestigate's lrp.sequential_preset_b", 2, 1, options),
            RelevanceMethod.LrpEpsilonPlusFlat => Zennit("zennit's EpsilonPlusFlat", LrpRule.AlphaBetaRule(1, 0, BiasShare.BySign), LrpRule.Flat, options),
            RelevanceMethod.LrpEpsilonAlpha2Beta1 => Zennit("zennit's EpsilonAlpha2Beta1", LrpRule.AlphaBetaRule(2, 1, BiasShare.BySign), null, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"{options.Method} is not an LRP method"),
        };
        return options.FirstLayerRule switch
        {
            LrpFirstLayerRule.Flat => composite with { FirstLayer = LrpRule.Flat },
            LrpFirstLayerRule.WSquare => composite with { FirstLayer = LrpRule.WSquare },
            _ => composite,
        };
    }

    private static LrpComposite Single(string name, LrpRule rule) => new(name, rule, rule, rule, null, ActivationHandling.Pass);

    private static LrpComposite Innvestigate(string name, double alpha, double beta, RelevanceOptions options) =>
        new(name, LrpRule.AlphaBetaRule(alpha, beta, BiasShare.Whole), LrpRule.EpsilonRule(options.Epsilon ?? InnvestigatePresetEpsilon), LrpRule.BatchNormAlphaBetaX, null, ActivationHandling.Gradient);

    private static LrpComposite Zennit(string name, LrpRule convolution, LrpRule? first, RelevanceOptions options) =>
        new(name, convolution, LrpRule.EpsilonRule(options.Epsilon ?? ZennitEpsilon), LrpRule.Pass, first, ActivationHandling.Pass);
}
