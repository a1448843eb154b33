// Shared by the examples that need a pretrained MRInet (linked into their projects; see their .csproj).

/// <summary>
/// Where the examples get a pretrained model: a path given on the command line, else the model the quickstart ships
/// (examples/Quickstart/pretrained/*.x4m, made by `dotnet run --project examples/Quickstart -- pretrain`).
/// </summary>
internal static class PretrainedModels
{
    /// <summary>The model given as <paramref name="argument"/>, else the quickstart's shipped model, found by walking up from the current folder.</summary>
    /// <remarks>When there is none (the argument names no file, or no argument outside the repository) it says so and ends the program with exit code 1.</remarks>
    public static string Find(string? argument)
    {
        if (argument is not null)
        {
            return File.Exists(argument) ? Path.GetFullPath(argument) : Fail($"model file not found: {argument}");
        }
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string folder = Path.Combine(dir.FullName, "examples", "Quickstart", "pretrained");
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.x4m").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault() is { } file)
            {
                return file;
            }
        }
        return Fail("no pretrained model: pass an .x4m/.h5/.onnx path, or run from inside the repository, whose examples/Quickstart/pretrained/ holds one");
    }

    private static string Fail(string message)
    {
        Console.Error.WriteLine(message);
        Environment.Exit(1);
        return "";
    }
}
