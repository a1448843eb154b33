using System.Text.Json;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Tests.Models;

/// <summary>
/// PyTorchImporter against state dicts written by PyTorch 1.13 (Fixtures/pytorch, made by make_pytorch_fixtures.py):
/// outputs equal PyTorch's, both file formats, DataParallel prefixes, malicious and broken files.
/// </summary>
[TestClass]
public sealed class PyTorchImporterTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json"))).RootElement;

    private static string Fixture(string name) => TestPaths.Fixture(Path.Combine("pytorch", name));

    private static JsonElement Case(string file) => Expected.GetProperty("cases").GetProperty(file);

    private static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetInt32())];

    private static NetworkSpec SfcnSpec(int outputs = 10) =>
        Architectures.Sfcn([32, 32, 32], outputs, channels: Ints(Case("sfcn_legacy.pt").GetProperty("channels")));

    /// <summary>The generator's inputs: x[i] = float32(sin(0.37 i) + 0.5 cos(0.011 i)) over the flat index.</summary>
    private static Tensor Inputs(int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Math.Sin(0.37 * i) + (0.5 * Math.Cos(0.011 * i)));
        }
        return tensor(values, [.. shape.Select(d => (long)d)]);
    }

    private static void AssertMatchesPyTorch(string file, NetworkSpec spec)
    {
        var expected = Case(file);
        using var network = PyTorchImporter.Load(Fixture(file), spec);
        Assert.IsFalse(network.training, "imported networks come back in evaluation mode");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var output = network.forward(Inputs(Ints(expected.GetProperty("input_shape"))));
        var want = expected.GetProperty("output").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var got = output.flatten().data<float>().ToArray();
        Assert.HasCount(want.Length, got);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.AreEqual(want[i], got[i], 1e-5f * Math.Max(1f, Math.Abs(want[i])), $"{file}: output {i}");
        }
    }

    [TestMethod]
    public void SfcnZipWithDataParallelPrefixMatchesPyTorch() => AssertMatchesPyTorch("sfcn_dataparallel_zip.pt", SfcnSpec());

    [TestMethod]
    public void SfcnLegacyFormatMatchesPyTorch() => AssertMatchesPyTorch("sfcn_legacy.pt", SfcnSpec());

    [TestMethod]
    public void MriNetWithBatchNormMatchesPyTorch() => AssertMatchesPyTorch("mrinet_bn_zip.pth", Architectures.MriNet([20, 24, 20], batchNorm: true));

    [TestMethod]
    public void CheckpointOfACustomSpecMatchesPyTorchByModuleName()
    {
        // A network that is neither MRInet nor SFCN: its spec names are the PyTorch module names; the optimizer
        // state and epoch next to model_state_dict are ignored.
        var spec = new NetworkSpec
        {
            Architecture = "tiny",
            InputShape = [1, 4, 4, 4],
            Layers =
            [
                new LayerSpec { Kind = LayerKind.Conv3d, Name = "stem", Units = 2, Kernel = [3, 3, 3], Padding = "explicit", Pad = [1, 1, 1] },
                new LayerSpec { Kind = LayerKind.BatchNorm3d, Name = "norm", Epsilon = 1e-5, Momentum = 0.1 },
                new LayerSpec { Kind = LayerKind.Relu, Name = "act" },
                new LayerSpec { Kind = LayerKind.Flatten, Name = "flatten" },
                new LayerSpec { Kind = LayerKind.Dense, Name = "head", Units = 3 },
            ],
        };
        AssertMatchesPyTorch("tiny_checkpoint_zip.pt", spec);
    }

    [TestMethod]
    public void WholePickledModelIsRefusedWithAHint()
    {
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(Fixture("whole_model_zip.pt"), SfcnSpec()));
        StringAssert.Contains(e.Message, "torch.nn.modules.container.Sequential");
        StringAssert.Contains(e.Message, "model.state_dict()");
    }

    [TestMethod]
    [DataRow("builtins", "eval", false)]
    [DataRow("subprocess", "Popen", false)]
    [DataRow("os", "system", true)]
    [DataRow("builtins", "getattr", true)]
    public void HandWrittenPicklesNamingOtherGlobalsAreRejected(string module, string name, bool stackGlobal)
    {
        // PROTO 2, then the global (GLOBAL or protocol-4 STACK_GLOBAL), a one-string tuple, REDUCE, STOP.
        var bytes = new List<byte> { 0x80, 0x02 };
        if (stackGlobal)
        {
            bytes.AddRange([0x8c, (byte)module.Length, .. System.Text.Encoding.ASCII.GetBytes(module)]);
            bytes.AddRange([0x8c, (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name)]);
            bytes.Add(0x93);
        }
        else
        {
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));
        }
        bytes.AddRange([0x8c, 2, (byte)'i', (byte)'d', 0x85, (byte)'R', (byte)'.']);
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("evil.pth");
        File.WriteAllBytes(path, [.. bytes]);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()));
        StringAssert.Contains(e.Message, $"'{module}.{name}'");
    }

    [TestMethod]
    public void RunningStatisticsAndCountersAreImported()
    {
        using var network = PyTorchImporter.Load(Fixture("sfcn_legacy.pt"), SfcnSpec());
        var state = network.state_dict();
        // Three train-mode passes in the generator: the counters say 3 and the running means left their zero start.
        Assert.AreEqual(3L, state["layers.1.num_batches_tracked"].item<long>());
        Assert.IsGreaterThan(0.01f, state["layers.1.running_mean"].abs().max().item<float>());
    }

    [TestMethod]
    [DataRow("evil_legacy.pt")]
    [DataRow("evil_zip.pt")]
    public void PickleCallingOsSystemIsRejectedWithoutRunningIt(string file)
    {
        string marker = Expected.GetProperty("provenance").GetProperty("marker").GetString()!;
        File.Delete(marker);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(Fixture(file), SfcnSpec()));
        StringAssert.Contains(e.Message, "posix.system");
        StringAssert.StartsWith(e.Message, Fixture(file));
        Assert.IsFalse(File.Exists(marker), "the file's command must never run");
    }

    [TestMethod]
    public void TruncatedFilesAreModelFormatErrors()
    {
        using var scratch = TestPaths.Scratch();
        foreach (string name in (string[])["sfcn_legacy.pt", "sfcn_dataparallel_zip.pt"])
        {
            byte[] bytes = File.ReadAllBytes(Fixture(name));
            foreach (int length in (int[])[1, 3, 40, bytes.Length / 2, bytes.Length - 10])
            {
                string path = scratch.File($"{length}-{name}");
                File.WriteAllBytes(path, bytes[..length]);
                var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()), $"{name} cut to {length} bytes");
                StringAssert.StartsWith(e.Message, path);
            }
        }
    }

    [TestMethod]
    public void CorruptedBytesNeverEscapeAsOtherExceptions()
    {
        // Deterministic corruption: only ModelFormatException may come out (or a load when the byte did not matter).
        using var scratch = TestPaths.Scratch();
        var random = new Random(7);
        var failures = new List<string>();
        var counts = new Dictionary<string, (int Loaded, int Rejected)>();
        foreach (string name in (string[])["sfcn_legacy.pt", "sfcn_dataparallel_zip.pt"])
        {
            byte[] original = File.ReadAllBytes(Fixture(name));
            int loaded = 0, rejected = 0;
            // The pickle and the zip directories sit in the first 8 KB and the last 4 KB; corrupt those most.
            for (int trial = 0; trial < 60; trial++)
            {
                byte[] bytes = (byte[])original.Clone();
                int at = trial % 3 == 2 ? random.Next(Math.Max(0, bytes.Length - 4096), bytes.Length) : random.Next(Math.Min(8192, bytes.Length));
                bytes[at] = (byte)random.Next(256);
                string path = scratch.File($"{trial}-{name}");
                File.WriteAllBytes(path, bytes);
                try
                {
                    PyTorchImporter.Load(path, SfcnSpec()).Dispose();
                    loaded++;
                }
                catch (ModelFormatException e)
                {
                    rejected++;
                    if (!e.Message.StartsWith(path, StringComparison.Ordinal))
                    {
                        failures.Add($"{name} trial {trial} (byte {at}): the message does not start with the file: {e.Message}");
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"{name} trial {trial} (byte {at}): {e.GetType().Name}: {e.Message}");
                }
            }
            counts[name] = (loaded, rejected);
        }

        Assert.IsEmpty(failures, string.Join("\n", failures.Take(5)));
        // Both outcomes must occur for each format, or the corruption is not reaching the parser.
        foreach (var (name, (loaded, rejected)) in counts)
        {
            Assert.IsGreaterThanOrEqualTo(20, rejected, $"{name}: rejected {rejected}, loaded {loaded}");
            Assert.IsGreaterThanOrEqualTo(5, loaded, $"{name}: rejected {rejected}, loaded {loaded}");
        }
    }

    [TestMethod]
    public void ArchiveEntryLyingAboutItsSizeIsRefusedBeforeAllocating()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("bomb.pt");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry("bomb/data.pkl", System.IO.Compression.CompressionLevel.NoCompression).Open();
            entry.Write(new byte[100]);
        }
        // Declare 32 MB (under the pickle cap, far over deflate's 1032:1 limit for 100 stored bytes) in the local header
        // (offset 22) and the central directory entry (offset 24).
        byte[] bytes = File.ReadAllBytes(path);
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), 0x0200_0000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(central + 24), 0x0200_0000);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()));
        StringAssert.Contains(e.Message, "too large");
    }

    /// <summary>
    /// A hand-made legacy-format file with one float tensor 'w' viewing a 4-element storage with the given size,
    /// stride and offset: magic number, protocol 1001, system info, the state dict, the storage keys, the storage.
    /// </summary>
    private static byte[] LegacyFile(int size, int stride, int offset)
    {
        var b = new List<byte>();
        void Text(string s) => b.AddRange(System.Text.Encoding.ASCII.GetBytes(s));
        void Str(string s)
        {
            b.AddRange([0x8c, (byte)s.Length]);
            Text(s);
        }
        void Int(int v)
        {
            b.Add((byte)'J');
            b.AddRange(BitConverter.GetBytes(v));
        }
        byte[] magic = System.Numerics.BigInteger.Parse("119547037146038801333356").ToByteArray();
        b.AddRange([0x80, 2, 0x8a, (byte)magic.Length, .. magic, (byte)'.']);
        b.AddRange([0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.']);
        b.AddRange([0x80, 2, (byte)'}', (byte)'.']);
        b.AddRange([0x80, 2, (byte)'}']);
        Str("w");
        Text("ctorch._utils\n_rebuild_tensor_v2\n((");
        Str("storage");
        Text("ctorch\nFloatStorage\n");
        Str("0");
        Str("cpu");
        Int(4);
        b.AddRange([(byte)'N', (byte)'t', (byte)'Q']);
        Int(offset);
        Int(size);
        b.Add(0x85);
        Int(stride);
        b.AddRange([0x85, 0x89, (byte)'N', (byte)'t', (byte)'R', (byte)'s', (byte)'.']);
        b.AddRange([0x80, 2, (byte)']']);
        Str("0");
        b.AddRange([(byte)'a', (byte)'.']);
        b.AddRange(BitConverter.GetBytes(4L));
        b.AddRange(new byte[16]);
        return [.. b];
    }

    [TestMethod]
    [DataRow(5, 1, 0)]
    [DataRow(4, 1, 1)]
    [DataRow(1_000_000_000, 0, 0)]
    [DataRow(4, 1, -1)]
    public void TensorViewsOutsideTheirStorageAreRejected(int size, int stride, int offset)
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("view.pt");
        File.WriteAllBytes(path, LegacyFile(size, stride, offset));
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()));
        StringAssert.Contains(e.Message, "tensor 'w'");
        StringAssert.Contains(e.Message, "does not fit its storage of 4 elements");
    }

    [TestMethod]
    public void HandMadeLegacyFileWithAValidViewParses()
    {
        // The same file with an in-bounds view reads fine and only fails to match SFCN: the test file is well-formed.
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("view.pt");
        File.WriteAllBytes(path, LegacyFile(4, 1, 0));
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()));
        StringAssert.Contains(e.Message, "unexpected keys w");
    }

    [TestMethod]
    public void NeitherZipNorPickleIsAModelFormatError()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("weights.pt");
        File.WriteAllText(path, "these are not weights");
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(path, SfcnSpec()));
        StringAssert.Contains(e.Message, "neither a PyTorch zip archive nor a legacy PyTorch pickle");
        Assert.AreEqual(path, e.FilePath);
    }

    [TestMethod]
    public void MissingAndUnexpectedKeysAreListedTogether()
    {
        // Renaming the classifier makes its weights missing and the file's classifier.conv_6.* unexpected.
        var spec = SfcnSpec();
        spec = spec with { Layers = [.. spec.Layers.Select(l => l.Name == "classifier.conv_6" ? l with { Name = "classifier.conv_9" } : l)] };
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(Fixture("sfcn_legacy.pt"), spec));
        StringAssert.StartsWith(e.Message, Fixture("sfcn_legacy.pt"));
        StringAssert.Contains(e.Message, "missing keys classifier.conv_9.weight, classifier.conv_9.bias");
        StringAssert.Contains(e.Message, "unexpected keys classifier.conv_6.weight, classifier.conv_6.bias");
    }

    [TestMethod]
    public void WrongShapeNamesKeyAndBothShapes()
    {
        var e = Assert.ThrowsExactly<ModelFormatException>(() => PyTorchImporter.Load(Fixture("sfcn_dataparallel_zip.pt"), SfcnSpec(outputs: 12)));
        StringAssert.Contains(e.Message, "classifier.conv_6.weight is [10, 8, 1, 1, 1] in the file but [12, 8, 1, 1, 1] in the network");
        Assert.DoesNotContain("missing", e.Message);
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        Assert.ThrowsExactly<FileNotFoundException>(() => PyTorchImporter.Load(Fixture("no-such-file.pt"), SfcnSpec()));
    }
}
