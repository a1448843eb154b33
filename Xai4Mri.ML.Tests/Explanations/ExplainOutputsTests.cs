using System.Buffers.Binary;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Tests.Transfer;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// Relevance back to the subject and to people's eyes: a map in the file's own grid (shape and affine of the input
/// header), group means per cohort, class and label range written as NIfTI in the box, and slice figures whose
/// decoded pixels show the map's colours where it is nonzero on a scale symmetric about zero.
/// </summary>
[TestClass]
public sealed class ExplainOutputsTests
{
    private static readonly int[] Shape = TransferData.Shape;

    private sealed class MapRow
    {
        public float[] Relevance { get; set; } = [];

        public string Group { get; set; } = "";

        public float Age { get; set; }
    }

    [TestMethod]
    public void AMapGoesBackToTheFilesOwnGrid()
    {
        using var dir = TestPaths.Scratch();
        string input = Volumes.TinyPhantoms.Write(dir.File("sub-0.nii.gz"), 0.7, "LPS", seed: 4);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TransferData.FileRow { Path = input } });
        var loader = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape }).Fit(data);
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 3);
        var (image, _) = loader.LoadOne(input);
        var map = RelevanceMaps.Compute(model, image, 1).Single();
        string output = dir.File("sub-0_relevance.nii.gz");
        loader.WriteNative(input, map.Values, output);

        var original = MriImage.Load(input);
        var written = MriImage.Load(output);
        CollectionAssert.AreEqual(original.Shape, written.Shape, "the input file's grid");
        Assert.AreEqual(original.Affine, written.Affine, "the input file's affine");
        Assert.AreEqual("LPS", written.AxisCodes);
        var native = written.GetFloatData();
        Assert.AreEqual(map.RelevanceSum, native.Sum(v => (double)v), 1e-4 * map.Values.Sum(v => Math.Abs((double)v)), "every voxel of the box lies in the file's grid: no relevance is lost");
        Assert.IsTrue(native.Any(v => v != 0));
    }

    [TestMethod]
    public void GroupMapsAreMeansPerCohortClassAndRangeInTheBox()
    {
        using var dir = TestPaths.Scratch();
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new MapRow { Group = "young", Age = 20, Relevance = Map(1) },
            new MapRow { Group = "old", Age = 70, Relevance = Map(4) },
            new MapRow { Group = "young", Age = 30, Relevance = Map(3) },
            new MapRow { Group = "old", Age = 90, Relevance = Map(10) },
        };
        var definition = SchemaDefinition.Create(typeof(MapRow));
        definition[nameof(MapRow.Relevance)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Shape);
        var data = ml.Data.LoadFromEnumerable(rows, definition);

        var all = GroupRelevance.Compute(data).Single();
        Assert.AreEqual("all", all.Group);
        Assert.AreEqual(4, all.Count);
        Assert.AreEqual(4.5f, all.Mean[7], 1e-6f, "(1 + 4 + 3 + 10) / 4");
        Assert.AreEqual(-4.5f, all.Mean[100], 1e-6f);

        var classes = GroupRelevance.Compute(ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(data).Transform(data), groupColumnName: "Label");
        CollectionAssert.AreEqual(new[] { "young", "old" }, classes.Select(g => g.Group).ToArray(), "the key's class names");
        Assert.AreEqual(2f, classes[0].Mean[7], 1e-6f);
        Assert.AreEqual(7f, classes[1].Mean[7], 1e-6f);
        var text = GroupRelevance.Compute(data, groupColumnName: "Group");
        Assert.AreEqual(7f, text.Single(g => g.Group == "old").Mean[7], 1e-6f);

        var ranges = GroupRelevance.Compute(data, groupColumnName: "Age", edges: [0, 50, 90]);
        CollectionAssert.AreEqual(new[] { "[0, 50)", "[50, 90]" }, ranges.Select(g => g.Group).ToArray());
        Assert.AreEqual(7f, ranges[1].Mean[7], 1e-6f, "90 is inside the last, closed range");
        var outside = GroupRelevance.Compute(data, groupColumnName: "Age", edges: [25, 80]).Single();
        Assert.AreEqual(2, outside.Count, "20 and 90 are outside [25, 80]");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GroupRelevance.Compute(data, groupColumnName: "Age")).Message, "is numeric: give the label ranges' edges");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GroupRelevance.Compute(data, "Saliency")).Message, "relevance column 'Saliency' not found");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GroupRelevance.Compute(data, groupColumnName: "Age", edges: [5, 5])).Message, "increasing");

        string phantom = Volumes.TinyPhantoms.Write(dir.File("sub-0.nii.gz"), 0.7, seed: 1);
        var files = ml.Data.LoadFromEnumerable(new[] { new TransferData.FileRow { Path = phantom } });
        var settings = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { CacheDirectory = dir.File("cache"), TargetShape = Shape, VoxelSize = [4] }).Fit(files).Settings;
        string path = dir.File("group_old.nii.gz");
        classes[1].Save(path, settings);
        var written = MriImage.Load(path);
        CollectionAssert.AreEqual(new long[] { 16, 16, 16 }, written.Shape);
        Assert.AreEqual("LIA", written.AxisCodes, "the loader's orientation");
        CollectionAssert.AreEqual(new[] { 4.0, 4.0, 4.0 }, written.Zooms.Take(3).ToArray());
        var centre = written.Affine.Apply(7.5, 7.5, 7.5);
        Assert.AreEqual(0, Math.Abs(centre.X) + Math.Abs(centre.Y) + Math.Abs(centre.Z), 1e-9, "the box is centred on the origin");
        var back = written.GetFloatData();
        var expected = new Xai4Mri.ML.Volumes.Volume(classes[1].Mean, Shape, written.Affine).ToFileOrder();
        CollectionAssert.AreEqual(expected, back, "the mean map, voxel by voxel");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new GroupRelevanceMap { Group = "x", Count = 1, Mean = new float[8], Shape = [2, 2, 2] }.Save(path, settings)).Message, "the group map is 2x2x2, the loader's box is 16x16x16");
    }

    [TestMethod]
    public void FiguresShowTheMapsColoursWhereItIsNonzeroOnASymmetricScale()
    {
        using var dir = TestPaths.Scratch();
        var image = new float[16 * 16 * 16];
        var relevance = new float[image.Length];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                for (int k = 0; k < 16; k++)
                {
                    int v = (((i * 16) + j) * 16) + k;
                    double r = Math.Pow((i - 7.5) / 7, 2) + Math.Pow((j - 7.5) / 7, 2) + Math.Pow((k - 7.5) / 7, 2);
                    image[v] = r < 1 ? (float)(100 * (1 - r)) : 0;
                    bool cube = i is >= 6 and <= 9 && j is >= 6 and <= 9;
                    relevance[v] = cube && k is >= 4 and <= 7 ? 1 : cube && k is >= 10 and <= 12 ? -0.5f : 0;
                }
            }
        }
        string path = dir.File("map.png");
        double scale = RelevanceFigure.Save(path, image, relevance, Shape, title: "test");
        Assert.AreEqual(1, scale, "max |relevance|");
        byte[] png = File.ReadAllBytes(path);
        Assert.AreEqual(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), "IHDR width");
        Assert.AreEqual(460, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), "IHDR height");
        using var bitmap = SKBitmap.Decode(png);
        var pixels = bitmap.Pixels;
        var colours = new DivergingColormap();
        int Count(double position)
        {
            var c = colours.GetColor(position);
            return pixels.Count(p => Math.Abs(p.Red - c.R) <= 3 && Math.Abs(p.Green - c.G) <= 3 && Math.Abs(p.Blue - c.B) <= 3);
        }
        int positive = Count(1), negative = Count(0.25), deepestBlue = Count(0);
        Assert.IsGreaterThan(2000, positive, "the +1 cube in the deepest red (three slices through it)");
        Assert.IsGreaterThan(1000, negative, "−0.5 a quarter along the symmetric scale (−1 … 1)");
        Assert.IsLessThan(negative / 4, deepestBlue, "−1 appears only in the colour bar: nothing in the map reaches it");
        int black = pixels.Count(p => p.Red == 0 && p.Green == 0 && p.Blue == 0);
        Assert.IsGreaterThan(2000, black, "the image's zero background in grey's black around the slices' anatomy");
        int grey = pixels.Count(p => p.Red == p.Green && p.Green == p.Blue && p.Red is > 20 and < 235);
        Assert.IsGreaterThan(2000, grey, "the anatomy's grey levels where the map is zero");
        CollectionAssert.AreEqual(new[] { "map.png" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => RelevanceFigure.Save(path, image, relevance.AsSpan(1), Shape)).Message, "must both have 16x16x16 = 4096 values");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => RelevanceFigure.Save(path, image, relevance, Shape, orientation: "LLA")).Message, "three axis codes");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => RelevanceFigure.Save(dir.File("no/such/map.png"), image, relevance, Shape)).Message, "does not exist");
    }

    private static float[] Map(float value)
    {
        var map = new float[16 * 16 * 16];
        map[7] = value;
        map[100] = -value;
        return map;
    }
}
