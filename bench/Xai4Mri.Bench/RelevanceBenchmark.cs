using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// One relevance map of MRInet (one volume) against one forward + backward pass of the same network in the same run
/// (the anchor: eval mode, the output's gradient with respect to every parameter, as a training step computes it).
/// The target is at most 3× the anchor for LRP with iNNvestigate's preset A.
/// </summary>
internal static class RelevanceBenchmark
{
    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount, reps = 5;
        var shapes = new List<int[]>();
        var methods = new List<RelevanceMethod>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shape": shapes.Add(args[++i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()); break;
                case "--method": methods.Add(Enum.Parse<RelevanceMethod>(args[++i])); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        if (methods.Count == 0)
        {
            methods.AddRange([RelevanceMethod.LrpPresetA, RelevanceMethod.LrpEpsilonPlusFlat, RelevanceMethod.LrpPresetB, RelevanceMethod.Gradient]);
        }
        foreach (int[] shape in shapes.Count > 0 ? shapes : [[91, 109, 91]])
        {
            using var model = new MriNetModel(new NetworkModule(Architectures.MriNet(shape), seed: 1), ModelTask.Regression());
            model.Network.eval();
            var rng = new Random(1);
            // Brain-like input: non-negative with a zero background.
            var image = new float[shape[0] * shape[1] * shape[2]];
            for (int i = 0; i < image.Length; i++)
            {
                image[i] = (float)Math.Max(0, (1.3 * rng.NextDouble()) - 0.3);
            }
            long[] dims = [1, 1, shape[0], shape[1], shape[2]];
            double Anchor()
            {
                var sw = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    var y = model.Network.forward(tensor(image, dims));
                    y.sum().backward();
                }
                double ms = sw.Elapsed.TotalMilliseconds;
                foreach (var p in model.Network.parameters())
                {
                    p.grad?.zero_();
                }
                return ms;
            }
            double Map(RelevanceMethod method)
            {
                var sw = Stopwatch.StartNew();
                _ = RelevanceMaps.Compute(model, image, 1, new RelevanceOptions { Method = method });
                return sw.Elapsed.TotalMilliseconds;
            }
            for (int i = 0; i < 2; i++)
            {
                Anchor();
                methods.ForEach(m => Map(m));
            }
            var anchor = new List<double>();
            var maps = methods.ToDictionary(m => m, _ => new List<double>());
            for (int i = 0; i < reps; i++)
            {
                // Interleaved, so that a slower stretch of the machine hits both sides alike.
                anchor.Add(Anchor());
                foreach (var m in methods)
                {
                    maps[m].Add(Map(m));
                }
            }
            double Median(List<double> v) => v.OrderBy(x => x).ElementAt(v.Count / 2);
            double a = Median(anchor);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MRInet {string.Join('x', shape)} batch 1 threads {threads}, median of {reps}: forward + backward (anchor) {a:F0} ms"));
            foreach (var m in methods)
            {
                double t = Median(maps[m]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m,-22} {t,8:F0} ms  {t / a,5:F2}x the anchor"));
            }
        }
        return 0;
    }
}
