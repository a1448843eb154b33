using System.CommandLine;
using Xai4Mri.ML.Models;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri model-info FILE</c>: the summary of a model file (architecture, shapes, parameters, task, conventions).</summary>
internal static class ModelInfoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "A model file: ours (MriNetModel.Save), Keras .h5, ONNX, or an ML.NET model .zip with a fitted network" };
        var command = new Command("model-info", "Print the summary of a model file") { file };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            try
            {
                using var model = MriNetModel.Load(path);
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
        });
        return command;
    }
}
