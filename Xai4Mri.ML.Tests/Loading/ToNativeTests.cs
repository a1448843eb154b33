using Microsoft.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Volumes;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Tests.Loading;

/// <summary>Maps in the loader's output space go back into each subject's original grid (xai4mri reverse pruning).</summary>
[TestClass]
public sealed class ToNativeTests
{
    private sealed class Row
    {
        public string Path { get; set; } = "";
    }

    private static NiftiLoaderTransformer Fit(ScratchFolder dir, string[] paths, Action<NiftiLoaderOptions>? change = null)
    {
        var ml = new MLContext(1);
        var options = new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), Normalization = IntensityNormalization.None };
        change?.Invoke(options);
        return ml.Transforms.LoadNifti("Image", "Path", options).Fit(ml.Data.LoadFromEnumerable(paths.Select(p => new Row { Path = p })));
    }

    [TestMethod]
    [DataRow("LAS")]
    [DataRow("PSR")]
    [DataRow("LIA")]
    public void ConformedVolumeGoesBackExactly(string orientation)
    {
        using var dir = TestPaths.Scratch();
        string a = TinyPhantoms.Write(dir.File("a.nii.gz"), 0.9, orientation, seed: 1);
        string b = TinyPhantoms.Write(dir.File("b.nii.gz"), 1.0, "RAS", seed: 2);
        var loader = Fit(dir, [a, b]);

        var (data, _) = loader.LoadOne(a);
        Volume native = loader.ToNative(a, data);
        var original = Volume.FromImage(MriImage.Load(a));

        CollectionAssert.AreEqual(original.Shape, native.Shape);
        Assert.AreEqual(original.Affine, native.Affine);
        CollectionAssert.AreEqual(original.Data, native.Data);
    }

    [TestMethod]
    public void CutBrainComesBackWithTheCutPartEmpty()
    {
        using var dir = TestPaths.Scratch();
        string a = TinyPhantoms.Write(dir.File("a.nii"), 1.0, "LAS");
        var loader = Fit(dir, [a], o => o.TargetShape = [10, 10, 10]);
        var (data, placement) = loader.LoadOne(a);
        Assert.IsTrue(placement.BrainCut);

        Volume native = loader.ToNative(a, data);
        var original = Volume.FromImage(MriImage.Load(a));
        int kept = 0, dropped = 0;
        for (int i = 0; i < original.Data.Length; i++)
        {
            if (native.Data[i] != 0)
            {
                Assert.AreEqual(original.Data[i], native.Data[i]);
                kept++;
            }
            else if (original.Data[i] != 0)
            {
                dropped++;
            }
        }
        Assert.AreEqual(1000, kept, "the 10x10x10 box is filled with brain");
        Assert.IsGreaterThan(0, dropped);
    }

    [TestMethod]
    public void ResampledMapIsResampledBackAndWrittenWithTheOriginalAffine()
    {
        using var dir = TestPaths.Scratch();
        string a = TinyPhantoms.Write(dir.File("a.nii.gz"), 1.0, "LAS");
        var loader = Fit(dir, [a], o => o.VoxelSize = [2.0]);
        var (data, _) = loader.LoadOne(a);
        string output = dir.File("map.nii.gz");
        loader.WriteNative(a, data, output);

        var written = MriImage.Load(output);
        var original = MriImage.Load(a);
        CollectionAssert.AreEqual(original.Shape, written.Shape);
        Assert.IsTrue(written.Affine.ApproximatelyEquals(original.Affine, 1e-5));
        float[] w = written.GetFloatData(), o = original.GetFloatData();
        // Up- then down-sampling blurs edges; inside the brain the values agree closely.
        double error = 0;
        int inside = 0;
        for (int i = 0; i < o.Length; i++)
        {
            if (o[i] > 50 && w[i] > 50)
            {
                error += Math.Abs(o[i] - w[i]);
                inside++;
            }
        }
        Assert.IsGreaterThan(o.Count(v => v > 50) * 0.8, inside);
        Assert.IsLessThan(10.0, error / inside, $"mean absolute error {error / inside}");
    }
}
