namespace Xai4Mri.ML.Tests;

/// <summary>Run-wide setup: code paths that use the default volume cache (loaded models) write to a temp folder, not the user's home.</summary>
[TestClass]
public static class TestRunSetup
{
    private static readonly string CacheFolder = Path.Combine(Path.GetTempPath(), "xai4mri-tests", "default-cache-" + Environment.ProcessId);

    [AssemblyInitialize]
    public static void Initialize(TestContext context)
    {
        _ = context;
        Environment.SetEnvironmentVariable("XAI4MRI_CACHE_DIR", CacheFolder);
    }

    [AssemblyCleanup]
    public static void Cleanup()
    {
        try
        {
            Directory.Delete(CacheFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was cached there.
        }
    }
}
