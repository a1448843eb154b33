using System.CommandLine;
using Xai4Mri.ML.Models;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri model-info FILE</c>: the summary of a model file (architecture, shapes, parameters, task, conventions).</summary>
internal static class ModelInfoCommand
{
    public static Command Create(CliIo io)
    {
        TextWriter stdout = io.Out, stderr = io.Err;
        var file = new Argument<string>("file") { Description = "A model file: ours (MriNetModel.Save), Keras .h5, ONNX, or an ML.NET model .zip with a fitted network", HelpName = "FILE" };
        var architecture = new Option<string?>("--architecture") { Description = "For a PyTorch state dict (.pt/.pth/.p), which holds weights only: sfcn or mrinet (default: none; other formats carry their architecture)", HelpName = "sfcn|mrinet" };
        architecture.AcceptOnlyFromAmong("sfcn", "mrinet");
        var input = new Option<string?>("--input") { Description = "PyTorch: input DxHxW (default SFCN's 160x192x160; required for mrinet)", HelpName = "DxHxW" };
        var outputs = new Option<int?>("--outputs") { Description = "PyTorch: outputs of the head (SFCN default 40 age bins; MRInet default 0 = regression, else classes)", HelpName = "N" };
        var channels = new Option<string?>("--channels") { Description = "PyTorch SFCN: channels of the six blocks, comma-separated (default 32,64,128,256,256,64)", HelpName = "C1,...,C6" };
        var batchNorm = new Option<bool>("--batch-norm") { Description = "PyTorch MRInet: the network has batch normalisation (default: off)" };
        var command = new Command("model-info", "Print the summary of a model file") { file, architecture, input, outputs, channels, batchNorm };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            try
            {
                var spec = PyTorchArchitecture(result.GetValue(architecture), result.GetValue(input), result.GetValue(outputs), result.GetValue(channels), result.GetValue(batchNorm));
                using var model = MriNetModel.Load(path, spec);
                stdout.Write(model.Summary());
                var c = model.Conventions;
                stdout.WriteLine($"Input: {string.Join('x', model.InputShape)} voxels, orientation {c.Orientation}{(c.VoxelSize is { } v ? $", {string.Join('x', v)} mm" : "")}{(c.NormalizedTo255 ? ", intensities 0–255" : "")}{(c.BrainExtracted ? ", brain-extracted" : "")}");
                if (model.Provenance.Length > 0)
                {
                    stdout.WriteLine($"Provenance: {model.Provenance}");
                }
                return CliApp.ExitOk;
            }
            catch (ModelFormatException e)
            {
                stderr.WriteLine($"xai4mri model-info: {e.Message}");
                return CliApp.ExitBadInput;
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"xai4mri model-info: {e.Message}");
                return CliApp.ExitUsage;
            }
        });
        return command;
    }

    private static NetworkSpec? PyTorchArchitecture(string? architecture, string? input, int? outputs, string? channels, bool batchNorm)
    {
        int[]? shape = input?.Split('x').Select(s => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--input '{input}' is not DxHxW")).ToArray();
        return architecture switch
        {
            "sfcn" => Architectures.Sfcn(shape ?? [160, 192, 160], outputs ?? 40,
                channels?.Split(',').Select(s => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--channels '{channels}' is not a comma-separated list of numbers")).ToArray()),
            "mrinet" => Architectures.MriNet(shape ?? throw new ArgumentException("--architecture mrinet needs --input DxHxW"), outputs ?? 0, batchNorm: batchNorm),
            _ => null,
        };
    }
}
