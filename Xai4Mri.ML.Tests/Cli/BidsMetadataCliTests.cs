using System.Globalization;
using Xai4Mri.ML.Tests.Volumes;

namespace Xai4Mri.ML.Tests.Cli;

/// <summary>
/// <c>xai4mri train</c> as a process on a BIDS folder whose ages are only in per-session scans.tsv files written without
/// the anat/ prefix: the label is found, and the metadata summary and its warnings are printed on stderr.
/// </summary>
[TestClass]
public sealed class BidsMetadataCliTests
{
    [TestMethod]
    public void TrainFindsTheLabelInScansTablesAndPrintsTheSummary()
    {
        using var dir = TestPaths.Scratch();
        for (int s = 0; s < 6; s++)
        {
            string id = $"sub-{s:00}";
            Directory.CreateDirectory(dir.File($"{id}/ses-1/anat"));
            TinyPhantoms.Write(dir.File($"{id}/ses-1/anat/{id}_ses-1_T1w.nii.gz"), 0.7 + (0.03 * s), "RAS", voxel: 6, seed: s);
            // One weight carries its unit, so that column stays text and the CLI says why.
            string weight = s == 3 ? "71 kg" : "70";
            File.WriteAllText(dir.File($"{id}/ses-1/{id}_ses-1_scans.tsv"),
                string.Create(CultureInfo.InvariantCulture, $"filename\tage\tweight\n{id}_ses-1_T1w.nii.gz\t{20 + (4 * s)}\t{weight}\n"));
        }

        using var child = CliProcess.Start(["train", "--data", dir.Path, "--label", "age", "--out", dir.File("m.zip"), "--strategy", "mono",
            "--epochs", "1", "--batch-size", "2", "--validation-fraction", "0.34", "--seed", "1", "--cache", dir.File("cache")]);
        var (code, output) = child.WaitForExit();

        Assert.AreEqual(0, code, output);
        string[] lines = output.Split('\n');
        CollectionAssert.Contains(lines, $"BIDS {dir.Path}: 6 T1w images of 6 subjects", output);
        CollectionAssert.Contains(lines, "scans.tsv: 6 files, 6 rows, 6 matched, 0 not matched; images with a row: 6 of 6", output);
        CollectionAssert.Contains(lines, "columns: age (Number, scans.tsv, 6/6), weight (Text, scans.tsv, 6/6)", output);
        CollectionAssert.Contains(lines, $"warning: column 'weight' is text: '71 kg' ({dir.File("sub-03/ses-1/sub-03_ses-1_scans.tsv")} line 2) is not a number, though other values are " +
            "(values with units such as '30 gestational_weeks' stay text; write the number alone to get a number column)", output);
        Assert.IsTrue(lines.Any(l => l.StartsWith($"stdout: Saved {dir.File("m.zip")}: best epoch", StringComparison.Ordinal)), output);
    }
}
