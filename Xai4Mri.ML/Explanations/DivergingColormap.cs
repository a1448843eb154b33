using ScottPlot;

namespace Xai4Mri.ML.Explanations;

/// <summary>
/// Blue – white – red for signed relevance (the nodes of ColorBrewer's RdBu, reversed, as matplotlib's <c>RdBu_r</c>):
/// position 0 is the most negative value of a symmetric scale, 0.5 zero, 1 the most positive.
/// </summary>
internal sealed class DivergingColormap : IColormap
{
    private static readonly (byte R, byte G, byte B)[] Nodes =
    [
        (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247),
        (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
    ];

    public string Name => "RdBu_r";

    public Color GetColor(double position)
    {
        if (double.IsNaN(position))
        {
            return Colors.Transparent;
        }
        double p = Math.Clamp(position, 0, 1) * (Nodes.Length - 1);
        int i = Math.Min((int)p, Nodes.Length - 2);
        double t = p - i;
        var (a, b) = (Nodes[i], Nodes[i + 1]);
        return new Color((byte)Math.Round(a.R + (t * (b.R - a.R))), (byte)Math.Round(a.G + (t * (b.G - a.G))), (byte)Math.Round(a.B + (t * (b.B - a.B))));
    }
}
