using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>A network with a softmax over channels inside it: a layer no LRP rule propagates through.</summary>
internal static class UnsupportedNetwork
{
    /// <summary>The name of the layer the LRP methods refuse.</summary>
    public const string LayerName = "channel_softmax";

    /// <summary>conv → channel softmax → flatten → one dense unit, for cubes of <paramref name="side"/> voxels.</summary>
    public static MriNetModel ChannelSoftmax(int side)
    {
        var spec = new NetworkSpec
        {
            Architecture = "odd",
            InputShape = [1, side, side, side],
            Layers =
            [
                new LayerSpec { Kind = LayerKind.Conv3d, Name = "conv", Units = 2, Kernel = [3, 3, 3], Padding = "same" },
                new LayerSpec { Kind = LayerKind.Softmax, Name = LayerName },
                new LayerSpec { Kind = LayerKind.Flatten, Name = "flatten" },
                new LayerSpec { Kind = LayerKind.Dense, Name = "unit", Units = 1 },
            ],
        };
        return new MriNetModel(new NetworkModule(spec, seed: 1), ModelTask.Regression());
    }
}
