using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// MRInet training-step throughput in TorchSharp (volumes per second; Adam, MSE, batch 4), to compare with the same
/// network in PyTorch (bench/pytorch_training.py) on the same machine and thread count.
/// </summary>
internal static class TrainingBenchmark
{
    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount, batch = 4, steps = 10, warmup = 3;
        var shapes = new List<int[]>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shape": shapes.Add(args[++i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        foreach (int[] shape in shapes.Count > 0 ? shapes : [[45, 54, 45], [91, 109, 91]])
        {
            using var net = new NetworkModule(Architectures.MriNet(shape), seed: 1);
            net.train();
            var optimizer = optim.Adam(net.parameters(), 5e-4);
            var generator = new Generator(1);
            double Step()
            {
                var sw = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var x = randn(new long[] { batch, 1, shape[0], shape[1], shape[2] }, generator: generator);
                var y = randn(new long[] { batch, 1 }, generator: generator);
                optimizer.zero_grad();
                var loss = nn.functional.mse_loss(net.forward(x), y);
                loss.backward();
                optimizer.step();
                return sw.Elapsed.TotalSeconds;
            }
            for (int i = 0; i < warmup; i++)
            {
                Step();
            }
            var times = Enumerable.Range(0, steps).Select(_ => Step()).OrderBy(t => t).ToList();
            double median = times[times.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"TorchSharp MRInet {string.Join('x', shape)} batch {batch} threads {threads}: median step {median * 1000:F0} ms, {batch / median:F1} volumes/s"));
        }
        return 0;
    }
}
