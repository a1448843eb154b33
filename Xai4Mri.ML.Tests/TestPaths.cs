namespace Xai4Mri.ML.Tests;

/// <summary>Locations of committed fixtures and per-test scratch folders.</summary>
internal static class TestPaths
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Fixture(string relative) => Path.Combine(Fixtures, relative);

    /// <summary>The repository root (the folder with Xai4Mri.sln above the test output), for tests that read its sources and docs.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>A new empty folder under the system temp directory; deleted by the caller's <c>using</c>.</summary>
    public static ScratchFolder Scratch() => new();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Xai4Mri.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Xai4Mri.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xai4mri-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }
}
