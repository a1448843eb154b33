namespace Xai4Mri.ML.Tests.Nifti;

/// <summary>
/// Randomised robustness: real fixtures damaged by byte flips, truncation and extreme header values must either read
/// and conform, or fail with an <see cref="Xai4Mri.ML.Nifti.ImageFormatException"/> naming the file — never another
/// exception type (IndexOutOfRange, NullReference, Overflow, OutOfMemory), and never slowly.
/// </summary>
[TestClass]
public sealed class MutationFuzzTests
{
    private const int Cases = 600;

    [TestMethod]
    public void MutatedFilesEitherReadOrFailWithImageFormatException()
    {
        using var dir = TestPaths.Scratch();
        var fuzzer = new ImageFuzzer(TestPaths.Fixtures, dir.Path);
        var rng = new Random(20261125);
        var outcomes = Enumerable.Range(0, Cases).Select(i => fuzzer.Run(i, rng)).ToList();

        var findings = outcomes.Where(o => !o.IsDocumented).Select(o => $"{o.Label}: {o.Problem ?? $"{o.Error!.GetType().Name}: {o.Error.Message}\n{o.Error.StackTrace}"}").ToList();
        Assert.IsEmpty(findings, string.Join("\n\n", findings.Take(5)));
        // Both outcomes must occur, or the mutations are not reaching the parser.
        int accepted = outcomes.Count(o => o.Error is null);
        Assert.IsGreaterThan(50, accepted, $"accepted {accepted}");
        Assert.IsGreaterThan(50, Cases - accepted, $"rejected {Cases - accepted}");
        var slowest = outcomes.MaxBy(o => o.Elapsed)!;
        // A second per case, doubled for a test machine that is busy with other work.
        Assert.IsLessThan(TimeSpan.FromSeconds(2), slowest.Elapsed, slowest.Label);
    }
}
