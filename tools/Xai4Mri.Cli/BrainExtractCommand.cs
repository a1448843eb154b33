using System.CommandLine;
using System.Globalization;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.Cli;

/// <summary>
/// <c>xai4mri brain-extract IN OUT [--mask MASK]</c>: strips skull and scalp (<see cref="BrainExtractor"/>) and writes
/// the brain on the input's own grid (same shape and affine), exactly 0 outside the mask; the mask too when asked.
/// </summary>
internal static class BrainExtractCommand
{
    public static Command Create(CliIo io)
    {
        var input = new Argument<string>("in") { Description = "The image to strip (NIfTI, Analyze or MGH/MGZ; a 4-D file's first volume)", HelpName = "IN" };
        var output = new Argument<string>("out") { Description = "The brain-extracted image to write (.nii or .nii.gz), on the input's grid", HelpName = "OUT" };
        var mask = new Option<string?>("--mask") { Description = "Also write the brain mask (1 inside, 0 outside) here (default: no mask file)", HelpName = "MASK" };
        var command = new Command("brain-extract", "Strip skull and scalp from an image (BET-style brain extraction) and write the brain on the input's grid")
        {
            input, output, mask,
        };
        command.SetAction(result => CliApp.Guard("brain-extract", io.Err, () =>
        {
            string path = result.GetRequiredValue(input);
            var volume = Volume.FromImage(MriImage.Load(path), allowFourD: true);
            var check = HeadCheck.Check(volume);
            BrainExtractorResult brain;
            try
            {
                brain = BrainExtractor.Extract(volume);
            }
            catch (ArgumentException e)
            {
                // A problem of the image's content, not of the command line.
                throw new ImageFormatException(path, $"no brain could be extracted: {e.Message}", e);
            }
            string outPath = result.GetRequiredValue(output);
            string? maskPath = result.GetValue(mask);
            if (maskPath is not null && Path.GetFullPath(maskPath) == Path.GetFullPath(outPath))
            {
                throw new ArgumentException("--mask: the mask cannot be written over OUT");
            }
            brain.Stripped.Save(outPath);
            if (maskPath is not null)
            {
                brain.Mask.Save(maskPath);
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: mask {brain.BrainVolumeMl:F0} mL, brain surface {brain.BrainSurfaceVolumeMl:F0} mL ({brain.Iterations} surface steps{(brain.Retried ? ", retried" : "")}{(brain.LeakCorrected ? ", a leak through the skull base corrected" : "")}; skull found at {100 * brain.InnerSkullFraction:F0} % of the surface); the input was {Verdict(check.Verdict)}"));
            return CliApp.ExitOk;
        }, "nothing was written"));
        return command;
    }

    private static string Verdict(HeadCheckVerdict verdict) => verdict switch
    {
        HeadCheckVerdict.NotBrainExtracted => "a head (not brain-extracted)",
        HeadCheckVerdict.BrainExtracted => "already brain-extracted",
        _ => "not a head to the head check",
    };
}
