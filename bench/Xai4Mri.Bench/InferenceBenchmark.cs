using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>MRInet inference, one volume at a time: TorchSharp eval mode vs ONNX Runtime on the exported graph, same thread count.</summary>
internal static class InferenceBenchmark
{
    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount, reps = 20;
        var shapes = new List<int[]>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shape": shapes.Add(args[++i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        foreach (int[] shape in shapes.Count > 0 ? shapes : [[45, 54, 45], [91, 109, 91]])
        {
            using var net = new NetworkModule(Architectures.MriNet(shape), seed: 1);
            net.eval();
            var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            using var session = new InferenceSession(OnnxExporter.ExportBytes(net), options);
            var data = new float[shape[0] * shape[1] * shape[2]];
            var rng = new Random(1);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)rng.NextDouble();
            }
            long[] dims = [1, 1, shape[0], shape[1], shape[2]];
            float torchValue = 0, onnxValue = 0;
            double TorchStep()
            {
                var sw = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                torchValue = net.forward(tensor(data, dims)).item<float>();
                return sw.Elapsed.TotalMilliseconds;
            }
            double OnnxStep()
            {
                var sw = Stopwatch.StartNew();
                var input = new DenseTensor<float>(data, [1, 1, shape[0], shape[1], shape[2]]);
                using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
                onnxValue = results.First().AsEnumerable<float>().First();
                return sw.Elapsed.TotalMilliseconds;
            }
            for (int i = 0; i < 3; i++)
            {
                TorchStep();
                OnnxStep();
            }
            var t = new List<double>();
            var o = new List<double>();
            for (int i = 0; i < reps; i++)
            {
                t.Add(TorchStep());
                o.Add(OnnxStep());
            }
            double mt = t.OrderBy(x => x).ElementAt(reps / 2), mo = o.OrderBy(x => x).ElementAt(reps / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MRInet {string.Join('x', shape)} batch 1 threads {threads}: TorchSharp {mt:F1} ms, ONNX Runtime {mo:F1} ms, ONNX Runtime {mt / mo:F2}x faster; outputs {torchValue:G6} vs {onnxValue:G6}"));
        }
        return 0;
    }
}
