using System.CommandLine;

namespace Xai4Mri.Cli;

/// <summary>What <c>--help</c> adds after System.CommandLine's description, usage and options: examples and exit codes.</summary>
internal static class HelpText
{
    /// <summary>Examples per command ("" for the top level); each is a comment line and a command line.</summary>
    private static readonly Dictionary<string, (string What, string Line)[]> Examples = new()
    {
        [""] =
        [
            ("Make a small synthetic cohort, train on it and predict", "xai4mri synth --out cohort --subjects 40"),
            ("", "xai4mri train --data cohort/participants.tsv --label age --out brain-age.zip --epochs 10"),
            ("", "xai4mri predict --model brain-age.zip cohort/sub-001/anat/sub-001_T1w.nii.gz"),
            ("Help on one command", "xai4mri train --help"),
        ],
        ["info"] =
        [
            ("Header, geometry and value summary", "xai4mri info sub-01_T1w.nii.gz"),
            ("The same as one JSON object", "xai4mri info --json sub-01_T1w.nii.gz"),
        ],
        ["predict"] =
        [
            ("Score two images", "xai4mri predict --model brain-age.zip a.nii.gz b.nii.gz"),
            ("Score every image of a study table into a file", "xai4mri predict --model brain-age.zip --data study/participants.tsv --out predictions.tsv"),
            ("Score a BIDS dataset's FLAIR images", "xai4mri predict --model m.zip --data bids-root --suffix FLAIR"),
        ],
        ["model-info"] =
        [
            ("A model trained with xai4mri train", "xai4mri model-info brain-age.zip"),
            ("A Keras model as xai4mri saves it", "xai4mri model-info mrinet_t1.h5"),
            ("A PyTorch SFCN state dict", "xai4mri model-info --architecture sfcn run_20190719_00_epoch_best_mae.p"),
        ],
        ["synth"] =
        [
            ("200 subjects from two sites", "xai4mri synth --out cohort --subjects 200 --seed 1"),
            ("Three sites, 1 mm, with skull", "xai4mri synth --out cohort --site site-a --site site-c --site site-e --voxel-size 1 --with-skull"),
        ],
        ["train"] =
        [
            ("Brain age from a study table, fresh MRInet", "xai4mri train --data study/participants.tsv --label age --out brain-age.zip"),
            ("Fine-tune a pretrained model on a BIDS dataset (dual phase), resumable",
             "xai4mri train --data bids-root --label age --model mrinet_t1.h5 --out m.zip --checkpoint ckpt"),
            ("Patient vs control with augmentation", "xai4mri train --data study.tsv --label group --task classification --out m.zip --flip-probability 0.5 --max-shift 2"),
        ],
        ["explain"] =
        [
            ("Relevance maps (iNNvestigate's preset A) of the shipped quickstart model, with figures",
             "xai4mri explain --model mrinet-site-a-age-6mm.x4m --out maps --png sub-01_T1w.nii.gz sub-02_T1w.nii.gz"),
            ("The network of a trained model .zip, by gradient x input", "xai4mri explain --model brain-age.zip --out maps --method gradient-x-input a.nii.gz"),
        ],
        ["analyze"] =
        [
            ("Report folder (Markdown, JSON, figures)", "xai4mri analyze --model mrinet_t1.h5 --data study/participants.tsv --label age --out analysis"),
            ("Markdown to stdout, class labels", "xai4mri analyze --model m.zip --data bids-root --label group --task classification"),
            ("Strip the scans that are heads while loading", "xai4mri analyze --model m.zip --data study.tsv --label age --brain-extraction auto"),
        ],
        ["prepare"] =
        [
            ("Shard 3 of 64 of a study into a shared cache, conformed for a model (one SLURM array task)",
             "xai4mri prepare --data study/participants.tsv --cache /scratch/cache --shard 3/64 --model mrinet_t1.h5"),
            ("Then, once: check every subject's entries and merge the loader's fit", "xai4mri prepare --data study/participants.tsv --cache /scratch/cache --model mrinet_t1.h5 --verify"),
        ],
        ["brain-extract"] =
        [
            ("Strip skull and scalp, and keep the mask", "xai4mri brain-extract sub-01_T1w.nii.gz sub-01_T1w_brain.nii.gz --mask sub-01_mask.nii.gz"),
        ],
    };

    /// <summary>"Examples:" with the command's examples, then the exit codes (every command uses the same).</summary>
    public static void Write(Command command, TextWriter output)
    {
        if (Examples.TryGetValue(command is RootCommand ? "" : command.Name, out var examples))
        {
            output.WriteLine("Examples:");
            foreach (var (what, line) in examples)
            {
                if (what.Length > 0)
                {
                    output.WriteLine($"  # {what}");
                }
                output.WriteLine($"  {line}");
            }
            output.WriteLine();
        }
        output.WriteLine("Exit codes:");
        output.WriteLine("  0    success");
        output.WriteLine("  1    an input could not be read or an output cannot be written (one line on stderr names it)");
        output.WriteLine("  2    the command line is wrong (unknown command or option, missing or bad value)");
        output.WriteLine("  130  cancelled with Ctrl+C or SIGTERM (train keeps its last checkpoint)");
    }

    /// <summary>Every option of every command, with the command, for tests and docs.</summary>
    public static IEnumerable<(Command Command, Option Option)> AllOptions(Command root) =>
        root.Subcommands.SelectMany(c => c.Options.Select(o => (c, o)));
}
