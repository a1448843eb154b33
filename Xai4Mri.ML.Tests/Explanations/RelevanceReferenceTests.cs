using System.Globalization;
using Xai4Mri.ML.Explanations;

namespace Xai4Mri.ML.Tests.Explanations;

/// <summary>
/// Every LRP rule, composite and baseline against the independent PyTorch reference of Fixtures/lrp
/// (make_lrp_reference.py: explicit contributions per layer, no autograd for LRP) on small MRInet (with and without
/// batch norm, LeakyReLU), SFCN with random weights and regression, 2-, 3- and 5-output heads: maps equal to 1e-4 of
/// their largest magnitude, the same explained outputs, sums and absorbed relevance.
/// </summary>
[TestClass]
public sealed class RelevanceReferenceTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("mrinet")]
    [DataRow("mrinet_bn_2class")]
    [DataRow("mrinet_leaky_3class")]
    [DataRow("sfcn_bins")]
    [DataRow("sfcn_regression")]
    public void MapsEqualThePyTorchReference(string network)
    {
        using var model = LrpFixture.Model(network);
        var (images, count) = LrpFixture.Images(network);
        int voxels = images.Length / count;
        AssertForwardMatches(model, network, images, count);
        var cases = LrpFixture.Cases.EnumerateArray().Where(c => c.GetProperty("network").GetString() == network).ToList();
        Assert.IsGreaterThanOrEqualTo(6, cases.Count, "the fixture holds the cases");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            var options = LrpFixture.Options(c);
            var maps = RelevanceMaps.Compute(model, images, count, options);
            var expected = LrpFixture.Maps(c, count, voxels);
            var targets = c.GetProperty("targets").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var outputs = c.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var absorbed = c.GetProperty("absorbed");
            double worst = 0;
            for (int i = 0; i < count; i++)
            {
                double scale = expected[i].Max(v => Math.Abs((double)v));
                Assert.IsGreaterThan(0, scale, $"{network} {options.Method}: the reference map is not all zero");
                double error = expected[i].Zip(maps[i].Values, (e, g) => Math.Abs(e - (double)g)).Max() / scale;
                worst = Math.Max(worst, error);
                Assert.AreEqual(targets[i], maps[i].Output, $"{network} {options.Method}: explained output of image {i}");
                Assert.AreEqual(outputs[i], maps[i].OutputValue, 1e-5 * Math.Max(1, Math.Abs(outputs[i])), $"{network} {options.Method}: explained value");
                if (absorbed.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    double want = absorbed[i].GetDouble();
                    Assert.AreEqual(want, maps[i].Absorbed!.Value, 1e-4 * Math.Max(Math.Abs(outputs[i]), Math.Abs(want)), $"{network} {options.Method}: absorbed relevance");
                }
                else
                {
                    Assert.IsNull(maps[i].Absorbed, "baselines report no absorbed relevance");
                }
            }
            string line = string.Create(CultureInfo.InvariantCulture, $"{network,-20} {options.Method,-22} {System.Text.Json.Nodes.JsonNode.Parse(c.GetProperty("options").GetRawText())!.ToJsonString(),-60} max error {worst:E2} of max |R|");
            TestContext.WriteLine(line);
            if (!(worst <= 1e-4))
            {
                failures.Add(line);
            }
        }
        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
    }

    private static void AssertForwardMatches(Xai4Mri.ML.Models.MriNetModel model, string network, float[] images, int count)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var _ = TorchSharp.torch.no_grad();
        var x = TorchSharp.torch.tensor(images, [count, .. model.Spec.InputShape.Select(d => (long)d)]);
        var got = model.Network.forward(x).flatten().data<float>().ToArray();
        var want = LrpFixture.Outputs(network);
        Assert.HasCount(want.Length, got);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.AreEqual(want[i], got[i], 1e-5f * Math.Max(1f, Math.Abs(want[i])), $"{network}: the network's output {i} differs from PyTorch's (not the same network)");
        }
    }
}
