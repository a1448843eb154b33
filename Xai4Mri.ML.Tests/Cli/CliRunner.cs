using Xai4Mri.Cli;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>Runs the <c>xai4mri</c> command line in-process and captures its exit code and output.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
