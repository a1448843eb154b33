using System.Text.Json;
using Xai4Mri.Cli;
using Xai4Mri.ML.Tests.Nifti;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary><c>xai4mri info</c>: JSON output agrees with nibabel, the text summary reads well, bad files fail cleanly.</summary>
[TestClass]
public sealed class InfoCommandTests
{
    public static IEnumerable<object[]> Supported => ExpectedValues.SupportedFiles();

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [TestMethod]
    [DynamicData(nameof(Supported))]
    public void JsonAgreesWithNibabel(string file)
    {
        JsonElement expected = ExpectedValues.For(file);
        var (code, output, error) = Run("info", "--json", TestPaths.Fixture(file));

        Assert.AreEqual(0, code, error);
        Assert.AreEqual("", error);
        using var doc = JsonDocument.Parse(output);
        JsonElement actual = doc.RootElement;
        Assert.AreEqual(JsonValueKind.Object, actual.ValueKind);
        CollectionAssert.AreEqual(
            expected.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
            actual.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray());
        double[] zooms = expected.GetProperty("zooms").Doubles();
        double[] actualZooms = actual.GetProperty("zooms").Doubles();
        Assert.HasCount(zooms.Length, actualZooms);
        for (int i = 0; i < zooms.Length; i++)
        {
            ExpectedValues.AreClose(zooms[i], actualZooms[i], 1e-6, $"zoom {i}");
        }
        var affine = expected.GetProperty("affine").EnumerateArray().Select(r => r.Doubles()).ToArray();
        var actualAffine = actual.GetProperty("affine").EnumerateArray().Select(r => r.Doubles()).ToArray();
        Assert.HasCount(4, actualAffine);
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.AreEqual(affine[r][c], actualAffine[r][c], 1e-4, $"affine[{r},{c}]");
            }
        }
        Assert.AreEqual(expected.GetProperty("axcodes").GetString(), actual.GetProperty("axcodes").GetString());
        Assert.AreEqual(expected.GetProperty("datatype").GetString(), actual.GetProperty("datatype").GetString());
        foreach (string stat in new[] { "min", "max", "mean", "sum" })
        {
            ExpectedValues.AreClose(expected.GetProperty(stat).GetDouble(), actual.GetProperty(stat).GetDouble(), 1e-5, stat);
        }
        Assert.AreEqual(expected.GetProperty("nan_count").GetInt64(), actual.GetProperty("nan_count").GetInt64());
    }

    [TestMethod]
    public void TextSummaryShowsGeometryAndValues()
    {
        var (code, output, _) = Run("info", TestPaths.Fixture("real/functional.nii"));

        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "format    NIfTI-1, little-endian");
        StringAssert.Contains(output, "datatype  int16, scaled: slope");
        StringAssert.Contains(output, "shape     17 x 21 x 3 x 20");
        StringAssert.Contains(output, "zooms     4 x 4 x 8 x 2");
        StringAssert.Contains(output, "axcodes   LAS");
        StringAssert.Contains(output, "affine    [-4, 0, 0, 32]");
        StringAssert.Contains(output, "min 629.826, max 5571.62");
    }

    [TestMethod]
    public void BadFileGivesOneLineOnStderrAndExitCode1()
    {
        using var dir = TestPaths.Scratch();
        string path = dir.File("broken.nii");
        File.WriteAllBytes(path, new byte[100]);
        var (code, output, error) = Run("info", "--json", path);

        Assert.AreEqual(CliApp.ExitBadInput, code);
        Assert.AreEqual("", output);
        string[] lines = error.TrimEnd().Split('\n');
        Assert.HasCount(1, lines, error);
        StringAssert.StartsWith(lines[0], "xai4mri info: ");
        StringAssert.Contains(lines[0], path);
        Assert.DoesNotContain("   at ", error);
    }

    [TestMethod]
    public void MissingFileAndUsageErrors()
    {
        var (code, _, error) = Run("info", "/no/such/file.nii.gz");
        Assert.AreEqual(CliApp.ExitBadInput, code);
        StringAssert.Contains(error, "/no/such/file.nii.gz: file not found");

        (code, _, error) = Run("info");
        Assert.AreEqual(CliApp.ExitUsage, code);
        StringAssert.StartsWith(error, "xai4mri info: ");
    }
}
