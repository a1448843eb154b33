namespace Xai4Mri.ML.Explanations;

/// <summary>The kinds of LRP rule a layer can get.</summary>
internal enum LrpRuleKind
{
    /// <summary>Relevance passes unchanged (zennit's <c>Pass</c>, for element-wise layers).</summary>
    Pass,
    /// <summary>LRP-ε with the bias in the denominator.</summary>
    Epsilon,
    /// <summary>Positive contributions only, biases ignored.</summary>
    ZPlus,
    /// <summary>α·positive part − β·negative part, each normalised by its own sum.</summary>
    AlphaBeta,
    /// <summary>Uniform redistribution over the receptive field.</summary>
    Flat,
    /// <summary>Redistribution in proportion to the squared weights.</summary>
    WSquare,
    /// <summary>iNNvestigate's <c>AlphaBetaX2m100Rule</c> on a batch norm: 2·(x⁺a⁺ part) − (x⁺a⁻ part), each normalised alone.</summary>
    BatchNormAlphaBetaX,
}

/// <summary>Which part of a bias joins the positive and the negative part of an αβ rule.</summary>
internal enum BiasShare
{
    /// <summary>b⁺ in the positive part, b⁻ in the negative part (Bach et al. 2015; zennit).</summary>
    BySign,
    /// <summary>The whole bias b in both parts (iNNvestigate's <c>AlphaBetaRule</c> with bias: both weight copies keep their bias part and both enter each sum).</summary>
    Whole,
}

/// <summary>One LRP rule with its parameters; <see cref="Name"/> is what error messages call it.</summary>
internal sealed record LrpRule(LrpRuleKind Kind, double Epsilon = 0, double Alpha = 1, double Beta = 0, BiasShare Bias = BiasShare.BySign)
{
    public static readonly LrpRule Pass = new(LrpRuleKind.Pass);
    public static readonly LrpRule ZPlus = new(LrpRuleKind.ZPlus);
    public static readonly LrpRule Flat = new(LrpRuleKind.Flat);
    public static readonly LrpRule WSquare = new(LrpRuleKind.WSquare);
    public static readonly LrpRule BatchNormAlphaBetaX = new(LrpRuleKind.BatchNormAlphaBetaX);

    public static LrpRule EpsilonRule(double epsilon) => new(LrpRuleKind.Epsilon, Epsilon: epsilon);

    public static LrpRule AlphaBetaRule(double alpha, double beta, BiasShare bias) => new(LrpRuleKind.AlphaBeta, Alpha: alpha, Beta: beta, Bias: bias);

    public string Name => Kind switch
    {
        LrpRuleKind.Pass => "pass-through",
        LrpRuleKind.Epsilon => FormattableString.Invariant($"LRP-ε (ε = {Epsilon:G3})"),
        LrpRuleKind.ZPlus => "LRP-z⁺",
        LrpRuleKind.AlphaBeta => FormattableString.Invariant($"LRP-α{Alpha:G3}β{Beta:G3}{(Bias == BiasShare.Whole ? " (iNNvestigate's bias handling)" : "")}"),
        LrpRuleKind.Flat => "flat",
        LrpRuleKind.WSquare => "w²",
        _ => "iNNvestigate's AlphaBetaX2m100 batch-norm rule",
    };
}
