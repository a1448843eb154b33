using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Architecture;

[TestClass]
public sealed class LayerReport
{
    [TestMethod]
    public void Print()
    {
        var g = new LayerGraph(typeof(MriNetModel).Assembly, "Xai4Mri.ML");
        foreach (var (layer, count) in g.Layers) Console.WriteLine($"layer '{layer}': {count} types");
        foreach (var e in g.Edges.OrderBy(e => e.Key.From).ThenBy(e => e.Key.To)) Console.WriteLine($"{e.Key.From} -> {e.Key.To}: {string.Join("; ", e.Value)}");
        Console.WriteLine("cycle: " + string.Join(" -> ", g.FindCycle() ?? []));
        var pairs = g.Edges.Keys.Where(e => g.Edges.ContainsKey((e.To, e.From)) && string.CompareOrdinal(e.From, e.To) < 0).ToList();
        Console.WriteLine($"mutual pairs: {pairs.Count}: {string.Join(", ", pairs.Select(p => $"{p.From}<->{p.To}"))}");
    }
}
