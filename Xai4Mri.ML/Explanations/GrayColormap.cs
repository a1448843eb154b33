using ScottPlot;

namespace Xai4Mri.ML.Explanations;

/// <summary>Black to white, for the anatomy under a relevance map.</summary>
internal sealed class GrayColormap : IColormap
{
    public string Name => "gray";

    public Color GetColor(double position)
    {
        if (double.IsNaN(position))
        {
            return Colors.Black;
        }
        byte v = (byte)Math.Round(Math.Clamp(position, 0, 1) * 255);
        return new Color(v, v, v);
    }
}
