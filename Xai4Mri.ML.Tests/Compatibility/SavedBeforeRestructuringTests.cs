using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Compatibility;

/// <summary>
/// Model files saved by the library before its restructuring (Fixtures/compat, PROVENANCE.md) load and give exactly
/// the outputs they gave then: every column of every saved pipeline, and the networks of the .x4m files.
/// </summary>
[TestClass]
public sealed class SavedBeforeRestructuringTests
{
    private static readonly string Folder = TestPaths.Fixture("compat");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json"))).RootElement;

    private sealed class Row
    {
        public string Path { get; set; } = "";

        public string group { get; set; } = "";

        public string site { get; set; } = "";
    }

    [TestMethod]
    [DataRow("regression.zip")]
    [DataRow("binary.zip")]
    [DataRow("multiclass.zip")]
    [DataRow("features.zip")]
    [DataRow("loader.zip")]
    public void SavedPipelineGivesTheSameColumns(string zip)
    {
        var output = Score(zip);
        var expected = Expected.GetProperty("Outputs").GetProperty(zip);
        int columns = 0;
        foreach (var column in expected.EnumerateObject())
        {
            var actual = output.Schema.GetColumnOrNull(column.Name);
            Assert.IsNotNull(actual, $"{zip}: column {column.Name} is missing");
            Assert.AreEqual(column.Value.GetProperty("Type").GetString(), actual.Value.Type.ToString(), $"{zip}: type of {column.Name}");
            var values = column.Value.GetProperty("Values").EnumerateArray().ToList();
            var got = Values(output, actual.Value);
            Assert.HasCount(values.Count, got, $"{zip}: rows of {column.Name}");
            for (int i = 0; i < values.Count; i++)
            {
                Assert.AreEqual(JsonSerializer.Serialize(values[i]), got[i], $"{zip}: {column.Name} of row {i}");
            }
            columns++;
        }
        Assert.IsGreaterThanOrEqualTo(1, columns);
        Assert.AreEqual(columns, output.Schema.Count(c => !c.IsHidden && c.Name is not ("Path" or "group" or "site")), $"{zip}: no new columns");
    }

    [TestMethod]
    [DataRow("trained.x4m")]
    [DataRow("fresh-bn.x4m")]
    public void SavedModelFileLoadsWithTheSameNetworkAndMetadata(string file)
    {
        var expected = Expected.GetProperty("Outputs").GetProperty(file);
        using var model = MriNetModel.Load(Path.Combine(Folder, file));
        Assert.AreEqual(expected.GetProperty("Spec").GetString(), model.Spec.ToJson());
        Assert.AreEqual(expected.GetProperty("Task").GetString(), JsonSerializer.Serialize(model.Task));
        Assert.AreEqual(expected.GetProperty("Conventions").GetString(), JsonSerializer.Serialize(model.Conventions));
        Assert.AreEqual(expected.GetProperty("Provenance").GetString(), model.Provenance);
        Assert.AreEqual(expected.GetProperty("SourceStatisticsCount").GetInt32(), model.SourceStatistics?.Count ?? -1);
        var images = Score("regression.zip").GetColumn<float[]>("Image").ToList();
        var outputs = expected.GetProperty("Outputs").EnumerateArray().ToList();
        Assert.HasCount(images.Count, outputs);
        model.Network.eval();
        for (int i = 0; i < images.Count; i++)
        {
            using var x = tensor(images[i], [1, 1, .. model.InputShape.Select(d => (long)d)]);
            using var y = model.Network.forward(x);
            float[] got = y.data<float>().ToArray();
            float[] want = [.. outputs[i].EnumerateArray().Select(v => v.GetSingle())];
            CollectionAssert.AreEqual(want, got, $"{file}: output for image {i}");
        }
    }

    private static IDataView Score(string zip)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(Path.Combine(Folder, zip), out _);
        var rows = Expected.GetProperty("Images").EnumerateArray()
            .Select(name => new Row { Path = Path.Combine(Folder, name.GetString()!), group = "control", site = "A" }).ToList();
        return model.Transform(ml.Data.LoadFromEnumerable(rows));
    }

    /// <summary>Each row's value as the fixture's JSON writes it (vectors over 64 values as shape, SHA-256 and sum).</summary>
    private static List<string> Values(IDataView view, DataViewSchema.Column column)
    {
        var list = new List<string>();
        using var cursor = view.GetRowCursor([column]);
        switch (column.Type)
        {
            case NumberDataViewType n when n == NumberDataViewType.Single:
            {
                var get = cursor.GetGetter<float>(column);
                float v = 0;
                while (cursor.MoveNext())
                {
                    get(ref v);
                    list.Add(JsonSerializer.Serialize(v));
                }
                break;
            }
            case BooleanDataViewType:
            {
                var get = cursor.GetGetter<bool>(column);
                bool v = false;
                while (cursor.MoveNext())
                {
                    get(ref v);
                    list.Add(JsonSerializer.Serialize(v));
                }
                break;
            }
            case KeyDataViewType:
            {
                var get = cursor.GetGetter<uint>(column);
                uint v = 0;
                while (cursor.MoveNext())
                {
                    get(ref v);
                    list.Add(JsonSerializer.Serialize(v));
                }
                break;
            }
            case VectorDataViewType vector:
            {
                var get = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> v = default;
                while (cursor.MoveNext())
                {
                    get(ref v);
                    float[] dense = [.. v.DenseValues()];
                    object value = dense.Length <= 64 ? dense
                        : new { Dimensions = vector.Dimensions.ToArray(), Sha256 = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(dense.AsSpan()))), Sum = dense.Sum(x => (double)x) };
                    list.Add(JsonSerializer.Serialize(value));
                }
                break;
            }
            default:
                Assert.Fail($"unexpected column type {column.Type}");
                break;
        }
        return list;
    }
}
